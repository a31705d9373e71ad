// `allot status` against a cluster-mode server (GET /api/v1/tasks, /api/v1/tasks/{ref}),
// printed like the journal-based `allot status`: the counts line, then a table of the tasks
// that have not succeeded (at most 50 unless --all), or one task's detail with its attempts.
#pragma once

#include <string>
#include <vector>

namespace allot {

struct ClusterStatusOptions {
  std::string server_dir;         // as given (ResolveServerDir applies)
  std::vector<std::string> refs;  // one: that task's detail; several: those tasks
  bool json = false;              // print the server's answer
  bool all = false;               // list succeeded tasks too, without a limit
};

// Returns the exit code (cli/exit_codes.h).
int ShowClusterStatus(const ClusterStatusOptions& options);

}  // namespace allot
