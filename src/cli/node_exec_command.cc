#include "cli/node_exec_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"

namespace allot {
namespace {

// ssh's exit status when it could not run the command.
constexpr int kExitNotRun = 255;

struct NodeExecFlags {
  std::string server_dir;
  std::string execution;
  std::string local;
};

// The ssh options that take a value (ssh(1): its getopt string), skipped with their value.
bool TakesValue(std::string_view option) {
  return option.size() == 2 && std::string_view("bceilmopBDEFIJLOPQRSwW").find(option[1]) !=
                                   std::string_view::npos;
}

int NodeExec(const NodeExecFlags& f, const std::vector<std::string>& args) {
  size_t i = 0;
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-') {
    if (args[i] == "--") {
      ++i;
      break;
    }
    i += TakesValue(args[i]) ? 2 : 1;
  }
  if (i + 1 >= args.size()) {
    fmt::print(stderr, "allot node-exec: give a host and a command (HOST COMMAND...)\n");
    return kExitBadInput;
  }
  const std::string host = args[i];
  std::string command;
  for (size_t k = i + 1; k < args.size(); ++k) command += (command.empty() ? "" : " ") + args[k];
  std::string execution = f.execution;
  if (execution.empty()) {
    if (const char* e = std::getenv("ALLOT_EXECUTION_ID")) execution = e;
  }
  if (!f.local.empty() && host == f.local) {
    // The leader's node: already the attempt's CPUs and process group.
    setenv("ALLOT_NODE", host.c_str(), 1);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    fmt::print(stderr, "allot node-exec: /bin/sh: {}\n", std::strerror(errno));
    return kExitNotRun;
  }
  if (execution.empty()) {
    fmt::print(stderr,
               "allot node-exec: no attempt: give --execution TASK@ATTEMPT (inside a multi-node "
               "task, $ALLOT_EXECUTION_ID says it)\n");
    return kExitBadInput;
  }
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("node-exec", f.server_dir, &exit_code);
  if (!client) return kExitNotRun;
  char cwd[4096];
  const std::string dir = getcwd(cwd, sizeof(cwd)) != nullptr ? cwd : "";
  Result<nlohmann::json> started = client->StartNodeRun(execution, host, command, dir);
  if (!started.ok()) {
    ReportClientError("node-exec", started.status());
    return kExitNotRun;
  }
  const uint32_t run = (*started)["run"].get<uint32_t>();
  while (true) {
    Result<nlohmann::json> answer = client->WaitNodeRun(run, 30);
    if (!answer.ok()) {
      ReportClientError("node-exec", answer.status());
      return kExitNotRun;
    }
    if (!(*answer)["done"].get<bool>()) {
      // The server's long polls for node runs are all taken (NodeRunBoard): ask again soon.
      if (answer->value("busy", false)) usleep(500'000);
      continue;
    }
    const std::string error = (*answer)["error"].get<std::string>();
    if (!error.empty()) {
      fmt::print(stderr, "allot node-exec: {}: {}\n", host, error);
      return kExitNotRun;
    }
    const int signal = (*answer)["signal"].get<int>();
    return signal != 0 ? 128 + signal : (*answer)["exit_code"].get<int>();
  }
}

}  // namespace

void AddNodeExecCommand(CLI::App* app, int* exit_code) {
  auto f = std::make_shared<NodeExecFlags>();
  CLI::App* cmd = app->add_subcommand(
      "node-exec",
      "Run a command on a node of a running multi-node task (mpiexec's launcher: "
      "$ALLOT_NODE_EXEC)");
  cmd->footer(
      "Usage: allot node-exec [--execution TASK@ATTEMPT] [--local HOST] [SSH-OPTIONS] HOST "
      "COMMAND...\nInside a task with nodes: N, $ALLOT_NODE_EXEC calls it for that attempt:\n"
      "  mpiexec -launcher ssh -launcher-exec \"$ALLOT_NODE_EXEC\" -f \"$ALLOT_HOSTFILE\" -n 4 "
      "./sim\nExit: the command's (128 + signal when killed); 255 when it could not run.");
  cmd->add_option("--execution", f->execution,
                  "The multi-node attempt, TASK@ATTEMPT (default: $ALLOT_EXECUTION_ID)");
  cmd->add_option("--local", f->local, "The leader's host name: run the command right here");
  AddServerDirOption(cmd, &f->server_dir);
  cmd->prefix_command();
  cmd->callback([f, exit_code, cmd] { *exit_code = NodeExec(*f, cmd->remaining()); });
}

}  // namespace allot
