#include "cli/plan_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/diagnostics_output.h"
#include "cli/exit_codes.h"
#include "cli/relative_to.h"
#include "common/clock.h"
#include "common/rng.h"
#include "common/units.h"
#include "core/forecast/forecaster.h"
#include "core/plan/campaign_plan.h"
#include "core/profile/profile_store.h"
#include "core/scheduler.h"
#include "exec/machine_overrides.h"
#include "model/task_file.h"

namespace allot {
namespace {

namespace fs = std::filesystem;

struct PlanFlags {
  std::string file;
  std::optional<int> cores;
  std::string memory;
  std::string gpus;
  std::vector<std::string> resources;
  int max_workers = 0;
  std::string relative_to;
  std::string diagnostics_json;
  bool json = false;
};

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

int BadInput(const std::string& message) {
  fmt::print(stderr, "allot plan: {}\n", message);
  return kExitBadInput;
}

// The wall time of the whole campaign on `machine` by the scheduler's own policy, every task
// taking its expected run time; a reason when that cannot be said.
struct PlanForecast {
  std::optional<ForecastResult> result;
  std::string unavailable;
};

PlanForecast ForecastFromEstimates(const std::vector<TaskSpec>& tasks, const Machine& machine,
                                   int max_workers, int64_t without_expected) {
  PlanForecast f;
  if (without_expected > 0) {
    f.unavailable = Counted(without_expected, "task") +
                    " with neither time_estimate nor time_limit (give them one, or run some "
                    "and ask `allot forecast`)";
    return f;
  }
  SchedulerOptions options;
  options.max_running = max_workers;
  Scheduler scheduler(SystemClock::Default(), machine, options);
  if (Status s = scheduler.Submit(tasks); !s.ok()) {
    f.unavailable = s.message();
    return f;
  }
  ForecastInput input = scheduler.ForecastSnapshot();
  ProfileStore no_history;
  SplitMixRng rng(1);
  ForecastOptions fo;
  fo.runs = 1;  // every duration is fixed: one simulation says it all
  Result<ForecastResult> r = RunForecast(input, no_history, rng, fo);
  if (!r.ok()) {
    f.unavailable = r.status().message();
    return f;
  }
  f.result = std::move(*r);
  return f;
}

int Run(const PlanFlags& o) {
  if (o.file.empty()) return BadInput("no task file: allot plan TASKS.{json,yaml}");
  Result<Machine> machine = DetectMachineFromFlags(
      {o.cores, o.memory, o.gpus, o.resources, /*slots_beyond_cpus=*/true});
  if (!machine.ok()) return BadInput(machine.status().message());

  std::error_code ec;
  LoadOptions load;
  load.base_dir = fs::current_path().string();
  if (Status s = ApplyRelativeTo(o.relative_to, &load); !s.ok()) return BadInput(s.message());
  load.capacity = machine->Capacity();
  std::vector<Diagnostic> diagnostics;
  Result<LoadedTasks> loaded = LoadTaskFile(o.file, load, &diagnostics);
  if (!diagnostics.empty()) {
    fmt::print(stderr, "{}", FormatDiagnostics(diagnostics));
    WriteDiagnosticsJson("plan", o.diagnostics_json, diagnostics);
    fmt::print(stderr, "allot plan: {} problem{} in {}; allot run would run nothing\n",
               diagnostics.size(), diagnostics.size() == 1 ? "" : "s", o.file);
    return kExitBadInput;
  }
  if (!loaded.ok()) return BadInput(loaded.status().message());
  for (const Diagnostic& w : loaded->warnings) fmt::print(stderr, "warning: {}\n", w.ToString());

  const std::vector<TaskSpec>& tasks = loaded->tasks;
  Result<CampaignPlan> plan = PlanCampaign(tasks);
  if (!plan.ok()) return BadInput(o.file + ": " + plan.status().message());
  const PlanForecast forecast =
      ForecastFromEstimates(tasks, *machine, o.max_workers, plan->without_expected);
  const int cores = static_cast<int>(machine->cpus.size());

  nlohmann::json out = {{"file", o.file},
                        {"tasks", plan->tasks},
                        {"warnings", loaded->warnings.size()},
                        {"cores", cores},
                        {"without_expected", plan->without_expected},
                        {"critical_path_s", Seconds(plan->critical_path)},
                        {"critical_chain", plan->critical_chain},
                        {"core_hours", plan->core_seconds / 3600.0}};
  nlohmann::json stages = nlohmann::json::array();
  for (const PlanStage& s : plan->stages) {
    stages.push_back({{"profile", s.profile},
                      {"tasks", s.tasks},
                      {"cores_min", s.cores_min},
                      {"cores_max", s.cores_max},
                      {"with_expected", s.with_expected},
                      {"expected_total_s", Seconds(s.expected_total)},
                      {"after", s.after},
                      {"depth", s.depth}});
  }
  out["stages"] = std::move(stages);
  if (forecast.result) {
    out["forecast"] = {{"wall_s", Seconds(forecast.result->finish_p50)},
                       {"lower_bound_s", Seconds(forecast.result->lower_bound)},
                       {"core_hours", forecast.result->core_hours_p50}};
  } else {
    out["forecast"] = nullptr;
    out["forecast_unavailable"] = forecast.unavailable;
  }
  if (o.json) {
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }

  std::printf("%s: %s in %s; allot run would accept it on %s\n", o.file.c_str(),
              Counted(plan->tasks, "task").c_str(),
              Counted(static_cast<int64_t>(plan->stages.size()), "stage").c_str(),
              Counted(cores, "core").c_str());
  if (!plan->stages.empty()) {
    std::printf("\n%-20s %8s %7s %14s  %s\n", "stage", "tasks", "cores", "expected", "after");
    for (const PlanStage& s : plan->stages) {
      const std::string c = s.cores_min == s.cores_max
                                ? std::to_string(s.cores_min)
                                : fmt::format("{}-{}", s.cores_min, s.cores_max);
      std::string expected = "-";
      if (s.with_expected > 0) {
        expected = FormatDuration(s.expected_total);
        if (s.with_expected < s.tasks) expected += fmt::format(" ({} of them)", s.with_expected);
      }
      std::string after;
      for (const std::string& a : s.after) after += (after.empty() ? "" : ", ") + a;
      std::printf("%-20s %8lld %7s %14s  %s\n", s.profile.c_str(),
                  static_cast<long long>(s.tasks), c.c_str(), expected.c_str(),
                  after.empty() ? "-" : after.c_str());
    }
    std::printf("\n");
  }
  if (!plan->critical_chain.empty() && plan->critical_path > Duration(0)) {
    std::string chain;
    const size_t n = plan->critical_chain.size();
    for (size_t i = 0; i < n; ++i) {
      if (n > 6 && i == 3) {
        chain += fmt::format(" -> ... ({} more)", n - 5);
        i = n - 3;
      }
      chain += (chain.empty() ? "" : " -> ") + plan->critical_chain[i];
    }
    std::printf("critical path: %s (%s)\n", FormatDuration(plan->critical_path).c_str(),
                chain.c_str());
  }
  std::printf("work: %.2f core-hours from the tasks' time_estimate (else time_limit)%s\n",
              plan->core_seconds / 3600.0,
              plan->without_expected > 0
                  ? fmt::format("; {} without either not counted",
                                Counted(plan->without_expected, "task"))
                        .c_str()
                  : "");
  if (forecast.result) {
    std::printf("wall time on %s: %s (at least %s: the work / the cores; the critical path "
                "%s)\n",
                Counted(cores, "core").c_str(), FormatDuration(forecast.result->finish_p50).c_str(),
                FormatDuration(forecast.result->lower_bound).c_str(),
                FormatDuration(plan->critical_path).c_str());
  } else {
    std::printf("wall time: no forecast: %s\n", forecast.unavailable.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddPlanCommand(CLI::App* app, int* exit_code) {
  auto o = std::make_shared<PlanFlags>();
  CLI::App* cmd = app->add_subcommand(
      "plan",
      "Check a task file as allot run would, without running it, and show its stages, critical "
      "path, core-hours and wall time from its estimates");
  cmd->add_option("file", o->file, "Task file (JSON array, or workflow JSON/YAML)");
  cmd->add_option("--cores", o->cores, "Plan for this many cores (default: all this process may "
                                       "use)")
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_option("--memory", o->memory, "Memory, e.g. 16G (default: detected)");
  cmd->add_option("--gpus", o->gpus, "GPUs: a count (2) or device ids (0,3; one id: 3,)");
  cmd->add_option("--resource", o->resources, "A custom resource, NAME=COUNT (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--max-workers", o->max_workers, "Most tasks running at once (as allot run)")
      ->check(CLI::Range(0, 1 << 24));
  cmd->add_option("--relative-to", o->relative_to,
                  "Resolve the file's relative paths against this directory (as allot run)");
  cmd->add_flag("--json", o->json, "JSON output");
  AddDiagnosticsJsonOption(cmd, &o->diagnostics_json);
  cmd->callback([o, exit_code] { *exit_code = Run(*o); });
}

}  // namespace allot
