// allot: one binary for the server, the worker and the client. Thin: each subcommand lives in
// its own file in this folder.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>

#include "cli/cluster_status_command.h"
#include "cli/control_command.h"
#include "cli/requeue_command.h"
#include "cli/events_command.h"
#include "cli/exit_codes.h"
#include "cli/forecast_command.h"
#include "cli/plan_command.h"
#include "cli/journal_command.h"
#include "cli/profiles_command.h"
#include "cli/scenarios_command.h"
#include "cli/share_command.h"
#include "cli/log_command.h"
#include "cli/metric_command.h"
#include "cli/parse_errors.h"
#include "cli/report_command.h"
#include "cli/run_command.h"
#include "cli/server_command.h"
#include "cli/server_stop_command.h"
#include "cli/status_command.h"
#include "cli/study_command.h"
#include "cli/submit_command.h"
#include "cli/wait_command.h"
#include "cli/worker_command.h"
#include "cli/worker_control_command.h"
#include "cli/workers_command.h"
#include "cli/alloc_command.h"

int main(int argc, char** argv) {
  CLI::App app{"allot: run simulation campaigns fast and safely on the cores you have"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "allot 0.1.0");
  int exit_code = allot::kExitOk;
  allot::AddRunCommand(&app, &exit_code);
  allot::AddStatusCommand(&app, &exit_code);
  allot::AddWorkerControlCommands(allot::AddWorkerCommand(&app, &exit_code), &exit_code);
  allot::AddSubmitCommand(&app, &exit_code);
  allot::AddWaitCommand(&app, &exit_code);
  allot::AddControlCommands(&app, &exit_code);
  allot::AddClusterStatusCommand(&app, &exit_code);
  allot::AddRequeueCommand(&app, &exit_code);
  allot::AddLogCommand(&app, &exit_code);
  allot::AddWorkersCommand(&app, &exit_code);
  allot::AddAllocCommands(&app, &exit_code);
  allot::AddEventsCommand(&app, &exit_code);
  allot::AddMetricCommand(&app, &exit_code);
  allot::AddProfilesCommand(&app, &exit_code);
  allot::AddShareCommand(&app, &exit_code);
  allot::AddScenariosCommand(&app, &exit_code);
  allot::AddStudyCommand(&app, &exit_code);
  allot::AddForecastCommand(&app, &exit_code);
  allot::AddPlanCommand(&app, &exit_code);
  allot::AddReportCommand(&app, &exit_code);
  allot::AddJournalCommand(&app, &exit_code);
  allot::AddServerStopCommand(allot::AddServerCommand(&app, &exit_code), &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {  // not --help or --version
      if (std::optional<std::string> clearer = allot::ExplainParseError(app, argc, argv)) {
        std::fprintf(stderr, "%s\n", clearer->c_str());
        return allot::kExitBadInput;
      }
    }
    int code = app.exit(e);
    return code == 0 ? allot::kExitOk : allot::kExitBadInput;
  }
  return exit_code;
}
