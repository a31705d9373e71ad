// NodeHostTokens: the names a multi-node attempt's nodes go by in its hostfile, ALLOT_NODES and
// ALLOT_NODE_CPUS, and that `allot node-exec HOST` takes back: each worker's name with every
// character outside [A-Za-z0-9._-] replaced by '-' (a default worker name "node7:4242:ab12cd34"
// would break the hostfile's `host:count` lines), and "-2", "-3", ... added to a token that an
// earlier node already has. The same names give the same tokens, so the server computes them
// for the launch and again for node-exec. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace allot {

std::vector<std::string> NodeHostTokens(const std::vector<std::string>& worker_names);

}  // namespace allot
