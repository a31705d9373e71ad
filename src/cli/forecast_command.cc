#include "cli/forecast_command.h"

#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/journal_source.h"
#include "common/clock.h"
#include "common/rng.h"
#include "common/units.h"
#include "core/forecast/forecaster.h"
#include "learn/campaign_history.h"

namespace allot {
namespace {

struct ForecastOptionsFlags {
  JournalSourceFlags source;
  int runs = 200;
  uint64_t seed = 1;
  int cores = 0;
  bool json = false;
};

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

int Run(const ForecastOptionsFlags& o) {
  Result<CampaignSnapshot> snap = LoadCampaign(o.source);
  if (!snap.ok()) {
    std::fprintf(stderr, "allot forecast: %s\n", snap.status().message().c_str());
    return snap.status().code() == StatusCode::kUnavailable ? kExitInternal : kExitBadInput;
  }
  std::vector<int> workers = snap->worker_cores;
  if (o.cores > 0) workers = {o.cores};
  if (workers.empty()) {
    std::fprintf(stderr, "allot forecast: no workers are connected (give --cores N to forecast "
                         "on one machine of N cores)\n");
    return kExitBadInput;
  }
  const int64_t now_us = SystemClock::Default()->WallMicros();
  Result<UnfinishedWork> work = CollectUnfinished(snap->contents, workers, now_us);
  if (!work.ok()) {
    std::fprintf(stderr, "allot forecast: %s\n", work.status().message().c_str());
    return kExitBadInput;
  }
  const double elapsed_s =
      work->first_event_us > 0 ? (now_us - work->first_event_us) / 1e6 : 0.0;
  const double spent_core_h = work->spent_core_seconds / 3600.0;
  nlohmann::json out = {{"unfinished_tasks", work->tasks.size()},
                        {"workers", workers},
                        {"elapsed_s", elapsed_s},
                        {"spent_core_hours", spent_core_h},
                        {"seed", o.seed},
                        {"runs", o.runs}};
  if (work->tasks.empty()) {
    out["finish_p50_s"] = out["finish_p90_s"] = out["lower_bound_s"] = 0.0;
    out["total_wall_p50_s"] = out["total_wall_p90_s"] = elapsed_s;
    out["core_hours_p50"] = out["core_hours_p90"] = 0.0;
  } else {
    ProfileStore store = LearnProfiles(snap->contents);
    SplitMixRng rng(o.seed);
    ForecastOptions options;
    options.runs = o.runs;
    Result<ForecastResult> r = RunForecast(work->input, store, rng, options);
    if (!r.ok()) {
      std::fprintf(stderr, "allot forecast: %s\n", r.status().message().c_str());
      return kExitBadInput;
    }
    out["runs"] = r->runs;  // fewer than asked for a large campaign
    out["finish_p50_s"] = Seconds(r->finish_p50);
    out["finish_p90_s"] = Seconds(r->finish_p90);
    out["total_wall_p50_s"] = elapsed_s + Seconds(r->finish_p50);
    out["total_wall_p90_s"] = elapsed_s + Seconds(r->finish_p90);
    out["lower_bound_s"] = Seconds(r->lower_bound);
    out["core_hours_p50"] = r->core_hours_p50;
    out["core_hours_p90"] = r->core_hours_p90;
    out["duration_sources"] = {{"profile_history", r->sources.profile_history},
                               {"time_estimate", r->sources.time_estimate},
                               {"thin_history", r->sources.thin_history},
                               {"time_limit", r->sources.time_limit},
                               {"pooled_history", r->sources.pooled_history}};
  }
  if (o.json) {
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  auto dur = [](double s) { return FormatDuration(std::chrono::microseconds(int64_t(s * 1e6))); };
  std::printf("%s on %s (%s elapsed)\n",
              Counted(work->tasks.size(), "unfinished task").c_str(),
              Counted(workers.size(), "worker").c_str(), dur(elapsed_s).c_str());
  std::printf("finishes in:   P50 %s, P90 %s (at least %s: the work / the cores)\n",
              dur(out["finish_p50_s"]).c_str(), dur(out["finish_p90_s"]).c_str(),
              dur(out["lower_bound_s"]).c_str());
  std::printf("core-hours to go: P50 %.2f, P90 %.2f (%.2f spent)\n",
              out["core_hours_p50"].get<double>(), out["core_hours_p90"].get<double>(),
              spent_core_h);
  if (out.contains("duration_sources")) {
    const auto& s = out["duration_sources"];
    std::printf("durations from: %lld profile history, %lld estimates, %lld thin history (1-2 "
                "walls, spread as the others), %lld limits, %lld pooled history of all "
                "profiles\n",
                s["profile_history"].get<long long>(), s["time_estimate"].get<long long>(),
                s["thin_history"].get<long long>(), s["time_limit"].get<long long>(),
                s["pooled_history"].get<long long>());
  }
  return kExitOk;
}

}  // namespace

void AddForecastCommand(CLI::App* app, int* exit_code) {
  auto o = std::make_shared<ForecastOptionsFlags>();
  CLI::App* cmd = app->add_subcommand(
      "forecast", "When the queued and running work will finish, and its core-hours (P50, P90)");
  AddJournalSourceOptions(cmd, &o->source);
  cmd->add_option("--runs", o->runs, "Monte Carlo runs")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the simulation (same seed, same answer)")
      ->capture_default_str();
  cmd->add_option("--cores", o->cores,
                  "Forecast on one machine of N cores (default: the server's workers, or the "
                  "cores of the `allot run`)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--json", o->json, "JSON output");
  cmd->callback([o, exit_code] { *exit_code = Run(*o); });
}

}  // namespace allot
