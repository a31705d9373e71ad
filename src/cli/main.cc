// allot: one binary for the server, the worker and the client. Thin: each subcommand lives in
// its own file in this folder.
#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"
#include "cli/run_command.h"
#include "cli/status_command.h"

int main(int argc, char** argv) {
  CLI::App app{"allot: run simulation campaigns fast and safely on the cores you have"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "allot 0.1.0");
  int exit_code = allot::kExitOk;
  allot::AddRunCommand(&app, &exit_code);
  allot::AddStatusCommand(&app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? allot::kExitOk : allot::kExitBadInput;
  }
  return exit_code;
}
