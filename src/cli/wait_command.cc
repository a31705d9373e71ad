#include "cli/wait_command.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "client/table_text.h"
#include "common/units.h"

namespace allot {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr double kPollS = 30;
// A server that restarts comes back on the same port: ride that out, this long at most.
constexpr auto kReconnectFor = std::chrono::seconds(120);

struct WaitFlags {
  std::string server_dir;
  std::vector<std::string> refs;
  std::string timeout;
  bool json = false;
};

void PrintUnsuccessful(const nlohmann::json& answer) {
  const nlohmann::json& list = answer["unsuccessful"];
  if (!list.is_array()) return;
  for (const nlohmann::json& t : list) {
    fmt::print("{:<24} {:<10} {}\n", CellText(t, "id"), CellText(t, "state"),
               t.contains("reason") && t["reason"].is_string() ? t["reason"].get<std::string>()
                                                             : std::string());
  }
}

int Wait(const WaitFlags& f) {
  std::optional<SteadyClock::time_point> deadline;
  if (!f.timeout.empty()) {
    Result<Duration> timeout = ParseDuration(f.timeout);
    if (!timeout.ok()) return ReportClientError("wait", timeout.status().WithPrefix("--timeout"));
    deadline = SteadyClock::now() + *timeout;
  }
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("wait", f.server_dir, &exit_code);
  if (!client) return exit_code;
  bool answered_once = false;
  bool unreachable = false;
  std::string since;  // without refs: where this wait began, as the first answer says
  SteadyClock::time_point unreachable_since;
  while (true) {
    double poll_s = kPollS;
    if (deadline) {
      poll_s = std::clamp(std::chrono::duration<double>(*deadline - SteadyClock::now()).count(),
                          0.0, kPollS);
    }
    Result<nlohmann::json> answer = client->Wait(f.refs, poll_s, since);
    if (!answer.ok()) {
      const bool transient = answer.status().code() == StatusCode::kUnavailable && answered_once;
      if (!unreachable) unreachable_since = SteadyClock::now();
      unreachable = true;
      if (!transient || SteadyClock::now() - unreachable_since > kReconnectFor ||
          (deadline && SteadyClock::now() >= *deadline)) {
        return ReportClientError("wait", answer.status());
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    answered_once = true;
    unreachable = false;
    if (since.empty() && answer->contains("since") && (*answer)["since"].is_string()) {
      since = (*answer)["since"].get<std::string>();
    }
    const bool done = answer->value("done", false);
    if (done) {
      if (f.json) {
        fmt::print("{}\n", answer->dump(2));
      } else {
        PrintUnsuccessful(*answer);
      }
      const nlohmann::json& list = (*answer)["unsuccessful"];
      return list.is_array() && !list.empty() ? kExitTasksFailed : kExitOk;
    }
    if (deadline && SteadyClock::now() >= *deadline) {
      if (f.json) fmt::print("{}\n", answer->dump(2));
      fmt::print(stderr, "allot wait: timed out after {}; {}\n", f.timeout,
                 CountsLine((*answer)["counts"]));
      return kExitTimedOut;
    }
  }
}

}  // namespace

void AddWaitCommand(CLI::App* app, int* exit_code) {
  auto f = std::make_shared<WaitFlags>();
  CLI::App* cmd = app->add_subcommand(
      "wait",
      "Wait until tasks are finished (the REFs, else those not finished when the wait began); "
      "list those that did not succeed");
  cmd->footer(
      "Only the tasks waited for count: tasks that ended before the wait began, or were "
      "submitted after it, do not.\nExit: 0 every task waited for succeeded; 1 some failed, "
      "were canceled or skipped (listed: id, state, reason);\n124 --timeout ran out first (the "
      "counts of the tasks waited for on stderr); 2 bad input or no server; 3 the server cannot "
      "be reached.");
  cmd->add_option("refs", f->refs, "Task ids, <id>@<attempt>, or patterns with * and ?");
  cmd->add_option("--timeout", f->timeout, "Give up after this long (e.g. 30s, 2h); default: never");
  cmd->add_flag("--json", f->json,
                "Print the server's last answer ({done, counts, unsuccessful, since})");
  AddServerDirOption(cmd, &f->server_dir);
  cmd->callback([f, exit_code] { *exit_code = Wait(*f); });
}

}  // namespace allot
