// `allot node-exec [--execution ID] [--local HOST] [--server-dir DIR] [SSH-OPTIONS] HOST
// COMMAND...`: runs COMMAND on node HOST of a running multi-node attempt (`nodes: N`) and exits
// with its exit code (128 + signal when a signal ended it; 255 when it could not run, as ssh
// does). It takes the arguments mpiexec gives an ssh launcher, so the leader's
// $ALLOT_NODE_EXEC (a script that calls it with the attempt: worker/node_environment.h) is
// what `mpiexec -launcher ssh -launcher-exec $ALLOT_NODE_EXEC -f $ALLOT_HOSTFILE` needs:
// ssh-style options before HOST are skipped, and the words after it are joined with spaces
// and run by /bin/sh -c, as ssh's remote shell would.
//
// On the leader's own node (HOST = --local) the command runs here, in the attempt's process
// group and on its CPUs. On another node it goes through the server to that node's worker,
// which runs it pinned to the CPUs the attempt holds there, signals it with the attempt, adds
// its CPU time to the attempt's usage, and writes its output to <output dir>/<task>/
// node-<HOST>-<run>.stdout|stderr (MPI ranks' output travels through mpiexec instead).
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddNodeExecCommand(CLI::App* app, int* exit_code);

}  // namespace allot
