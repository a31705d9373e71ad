#include "cli/log_command.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "model/task_state.h"

namespace allot {
namespace {

constexpr auto kFollowPoll = std::chrono::milliseconds(250);

struct LogFlags {
  std::string server_dir;
  std::string ref;
  bool stderr_stream = false;
  bool follow = false;
};

bool Terminal(const std::string& state) {
  std::optional<TaskState> parsed = ParseTaskState(state);
  return parsed && IsTerminal(*parsed);
}

int Log(const LogFlags& f) {
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("log", f.server_dir, &exit_code);
  if (!client) return exit_code;
  const std::string stream = f.stderr_stream ? "stderr" : "stdout";
  int64_t offset = 0;
  while (true) {
    Result<LogChunk> chunk = client->Log(f.ref, stream, offset);
    if (!chunk.ok()) return ReportClientError("log", chunk.status());
    if (!chunk->bytes.empty()) {
      std::fwrite(chunk->bytes.data(), 1, chunk->bytes.size(), stdout);
      std::fflush(stdout);
      offset = chunk->next_offset;
      continue;  // there may be more right away
    }
    // Everything written so far is printed; the task's state was read before its bytes.
    if (!f.follow || Terminal(chunk->state)) return kExitOk;
    std::this_thread::sleep_for(kFollowPoll);
  }
}

}  // namespace

void AddLogCommand(CLI::App* app, int* exit_code) {
  auto f = std::make_shared<LogFlags>();
  CLI::App* cmd = app->add_subcommand("log", "Print a task's output (stdout, or --stderr)");
  cmd->footer("Exit: 0 printed; 2 unknown task or no server; 3 the server cannot be reached.");
  cmd->add_option("ref", f->ref, "Task id, or <id>@<attempt> for an earlier attempt")->required();
  cmd->add_flag("--stderr", f->stderr_stream, "The task's stderr instead of its stdout");
  cmd->add_flag("-f,--follow", f->follow,
                "Keep printing as the task writes, until it is finished and everything is "
                "printed");
  AddServerDirOption(cmd, &f->server_dir);
  cmd->callback([f, exit_code] { *exit_code = Log(*f); });
}

}  // namespace allot
