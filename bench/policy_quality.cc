// Policy benchmark: replays workloads through the real scheduler core (ScheduleReplay: the
// Scheduler with a simulated clock and launcher) under four policies and prints, per
// workload, makespan against the lower bound (core-seconds / cores), utilization, mean wait,
// mean bounded slowdown max(1, (wait + run) / max(run, 10 s)) and the worst wait of a large
// task (at least 1/8 of the machine, and more than 1 core), as a Markdown table.
// Policies: greedy first-fit (GreedyFirstFitPolicy, 1,024 deep), FCFS (no backfill), strict
// EASY (PriorityBackfillPolicy, patience 0), and the default (patience kDefaultPatience).
// docs/PERFORMANCE.md, "Scheduling quality", has the figures and the commands.
//
// Usage: allot_policy_bench [--quick] [--traces DIR [--windows-only]] [--patience P,...]
//                           [--mixed-seeds N]   (the mixed workload over seeds 1..N as well)
//        allot_policy_bench --write-mixed FILE   (the mixed-120 workload as a task file)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/policy/greedy_first_fit_policy.h"
#include "core/policy/priority_backfill_policy.h"
#include "policy_workloads.h"

namespace allot::bench {
namespace {

struct Policy {
  std::string name;
  SchedulerOptions options;
  ScheduleReplay::PolicyFactory factory;
};

std::vector<Policy> Policies(const std::vector<double>& patiences) {
  std::vector<Policy> p;
  SchedulerOptions o;
  // Looks 1,024 tasks deep (the whole queue of the small workloads): the whole queue of 100k
  // makes each pass O(queue) once only wide tasks are left.
  p.push_back({"greedy first-fit", o, [] { return std::make_unique<GreedyFirstFitPolicy>(1024); }});
  SchedulerOptions fcfs = o;
  fcfs.backfill_depth = 0;
  fcfs.backfill_patience = 0;
  p.push_back({"FCFS", fcfs, nullptr});
  SchedulerOptions easy = o;
  easy.backfill_patience = 0;
  p.push_back({"strict EASY", easy, nullptr});
  for (double k : patiences) {
    SchedulerOptions patient = o;
    patient.backfill_patience = k;
    char name[64];
    std::snprintf(name, sizeof name, "%sEASY + patience %g",
                  k == PriorityBackfillPolicy::kDefaultPatience ? "**new** " : "", k);
    p.push_back({name, patient, nullptr});
  }
  return p;
}

struct Metrics {
  double makespan = 0, lower_bound = 0, utilization = 0, mean_wait = 0, mean_bsld = 0;
  double worst_large_wait = 0, seconds = 0;
  std::vector<double> waits;
};

bool Large(const Workload& w, const ReplayTask& t) {
  const int c = t.spec.resources.cores.min;
  return c > 1 && c * 8 >= w.cores;
}

Metrics Measure(const Workload& w, const ReplayResult& r, double seconds) {
  Metrics m;
  m.seconds = seconds;
  m.makespan = ToSeconds(r.makespan);
  m.lower_bound = r.core_seconds / w.cores;
  Duration first = Duration::max();
  for (const ReplayTask& t : w.tasks) first = std::min(first, t.submit_at);
  m.utilization = r.core_seconds / (w.cores * (m.makespan - ToSeconds(first)));
  double wait_sum = 0, bsld_sum = 0;
  int64_t n = 0;
  for (size_t i = 0; i < w.tasks.size(); ++i) {
    const ReplayTaskRecord& rec = r.tasks[i];
    if (!rec.first_start) {
      m.waits.push_back(-1);
      continue;
    }
    const double wait = ToSeconds(*rec.first_start - rec.submitted);
    const double run = ToSeconds(w.tasks[i].duration);
    m.waits.push_back(wait);
    wait_sum += wait;
    bsld_sum += std::max(1.0, (wait + run) / std::max(run, 10.0));
    ++n;
    if (Large(w, w.tasks[i])) m.worst_large_wait = std::max(m.worst_large_wait, wait);
  }
  m.mean_wait = n ? wait_sum / n : 0;
  m.mean_bsld = n ? bsld_sum / n : 0;
  return m;
}

std::string Time(double s) {
  char b[32];
  if (s < 100) std::snprintf(b, sizeof b, "%.2f s", s);
  else if (s < 36000) std::snprintf(b, sizeof b, "%.0f s", s);
  else std::snprintf(b, sizeof b, "%.1f h", s / 3600);
  return b;
}

// Against strict EASY, per large task: how much later it started, in units of its expected
// run time (its estimate, or its run time where it has none).
void CompareLarge(const Workload& w, const Metrics& easy, const Metrics& m, double patience) {
  double worst = 0, worst_units = 0;
  int64_t beyond = 0, large = 0;
  for (size_t i = 0; i < w.tasks.size(); ++i) {
    if (!Large(w, w.tasks[i]) || easy.waits[i] < 0 || m.waits[i] < 0) continue;
    ++large;
    const ReplayTask& t = w.tasks[i];
    const double r = ToSeconds(t.spec.time_estimate.value_or(t.duration));
    const double later = m.waits[i] - easy.waits[i];
    worst = std::max(worst, later);
    if (r > 0) worst_units = std::max(worst_units, later / r);
    if (later > patience * r + 1e-6) ++beyond;
  }
  std::printf("  large tasks vs strict EASY (patience %g): %lld large; the most one started "
              "later: %s (%.2f x its expected run time); %lld started later than patience x "
              "that\n",
              patience, static_cast<long long>(large), Time(worst).c_str(), worst_units,
              static_cast<long long>(beyond));
}

void Run(const Workload& w, const std::vector<Policy>& policies) {
  std::printf("\n### %s: %zu tasks, %d cores\n\n", w.name.c_str(), w.tasks.size(), w.cores);
  std::printf("| policy | makespan | / lower bound | utilization | mean wait | mean bounded "
              "slowdown | worst wait, large task | replay time |\n|---|---|---|---|---|---|---|---|\n");
  Machine machine;
  for (int i = 0; i < w.cores; ++i) machine.cpus.push_back(Cpu{i, 0, 0, i});
  machine.memory_bytes = int64_t{1} << 40;
  std::vector<Metrics> all;
  for (const Policy& p : policies) {
    ScheduleReplay replay(machine, p.options, p.factory);
    const auto t0 = std::chrono::steady_clock::now();
    Result<ReplayResult> r = replay.Run(w.tasks);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok()) {
      std::printf("| %s | error: %s |\n", p.name.c_str(), r.status().message().c_str());
      all.emplace_back();
      continue;
    }
    Metrics m = Measure(w, *r, secs);
    std::printf("| %s | %s | %.3f | %.1f%% | %s | %.2f | %s | %.2f s |\n", p.name.c_str(),
                Time(m.makespan).c_str(), m.makespan / m.lower_bound, 100 * m.utilization,
                Time(m.mean_wait).c_str(), m.mean_bsld, Time(m.worst_large_wait).c_str(), secs);
    std::fflush(stdout);
    all.push_back(std::move(m));
  }
  std::printf("\n");
  for (size_t i = 3; i < policies.size(); ++i) {
    CompareLarge(w, all[2], all[i], policies[i].options.backfill_patience);
  }
}

// The mixed workload over seeds 1..n, both id styles: per policy the mean and worst makespan
// over the lower bound, and on how many seeds it was behind greedy first-fit (by more than
// 0.1%: one scheduling pass of rounding).
void MixedSeeds(int n, const std::vector<Policy>& policies) {
  std::printf("\n### mixed-120 (2 cores), seeds 1-%d, shared and unique ids (%d workloads)\n\n"
              "| policy | mean / lower bound | worst / lower bound | behind greedy on |\n"
              "|---|---|---|---|\n", n, 2 * n);
  Machine machine;
  for (int i = 0; i < 2; ++i) machine.cpus.push_back(Cpu{i, 0, 0, i});
  machine.memory_bytes = int64_t{1} << 40;
  std::vector<std::vector<double>> ratio(policies.size());
  for (int seed = 1; seed <= n; ++seed) {
    for (bool unique : {false, true}) {
      const Workload w = MixedSmall(static_cast<uint64_t>(seed), unique);
      for (size_t p = 0; p < policies.size(); ++p) {
        Result<ReplayResult> r =
            ScheduleReplay(machine, policies[p].options, policies[p].factory).Run(w.tasks);
        const Metrics m = r.ok() ? Measure(w, *r, 0) : Metrics();
        ratio[p].push_back(r.ok() ? m.makespan / m.lower_bound : 0);
      }
    }
  }
  for (size_t p = 0; p < policies.size(); ++p) {
    double sum = 0, worst = 0;
    int behind = 0;
    for (size_t i = 0; i < ratio[p].size(); ++i) {
      sum += ratio[p][i];
      worst = std::max(worst, ratio[p][i]);
      if (ratio[p][i] > ratio[0][i] * 1.001) ++behind;
    }
    std::printf("| %s | %.3f | %.3f | %d of %zu |\n", policies[p].name.c_str(),
                sum / static_cast<double>(ratio[p].size()), worst, behind, ratio[p].size());
  }
}

// The published reference (traces/README.md): mean over 10 random 1,024-job windows.
void Windows(const std::string& path, const std::string& name, const std::vector<Policy>& ps) {
  Workload full = ReadSwf(path, name);
  if (full.tasks.empty()) return;
  std::mt19937_64 rng(1);
  std::printf("\n### %s: mean of 10 random 1,024-job windows (seed 1)\n\n| policy | mean "
              "bounded slowdown | mean wait |\n|---|---|---|\n", name.c_str());
  std::vector<int64_t> starts;
  for (int i = 0; i < 10; ++i) starts.push_back(rng() % (full.tasks.size() - 1024));
  for (const Policy& p : ps) {
    double bsld = 0, wait = 0;
    for (int64_t s : starts) {
      Workload w = ReadSwf(path, name, s, 1024);
      Machine machine;
      for (int i = 0; i < w.cores; ++i) machine.cpus.push_back(Cpu{i, 0, 0, i});
      machine.memory_bytes = int64_t{1} << 40;
      Result<ReplayResult> r = ScheduleReplay(machine, p.options, p.factory).Run(w.tasks);
      if (!r.ok()) continue;
      Metrics m = Measure(w, *r, 0);
      bsld += m.mean_bsld / 10;
      wait += m.mean_wait / 10;
    }
    std::printf("| %s | %.0f | %s |\n", p.name.c_str(), bsld, Time(wait).c_str());
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace allot::bench

int main(int argc, char** argv) {
  using namespace allot::bench;
  bool quick = false;
  bool windows_only = false;
  int mixed_seeds = 0;
  std::string traces;
  std::vector<double> patiences = {allot::PriorityBackfillPolicy::kDefaultPatience};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--write-mixed" && i + 1 < argc) {
      return WriteTaskFile(MixedSmall(), argv[++i]) ? 0 : 1;
    } else if (a == "--mixed-seeds" && i + 1 < argc) {
      mixed_seeds = std::atoi(argv[++i]);
    } else if (a == "--quick") {
      quick = true;
    } else if (a == "--windows-only") {
      windows_only = true;
    } else if (a == "--traces" && i + 1 < argc) {
      traces = argv[++i];
    } else if (a == "--patience" && i + 1 < argc) {
      patiences.clear();
      std::string list = argv[++i];
      for (size_t at = 0; at < list.size();) {
        size_t comma = list.find(',', at);
        if (comma == std::string::npos) comma = list.size();
        patiences.push_back(std::stod(list.substr(at, comma - at)));
        at = comma + 1;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--traces DIR [--windows-only]] [--patience P,...] "
                   "[--mixed-seeds N] | --write-mixed FILE\n", argv[0]);
      return 2;
    }
  }
  const std::vector<Policy> policies = Policies(patiences);
  Run(MixedSmall(), policies);
  Run(MixedSmall(1, /*unique_ids=*/true), policies);
  if (mixed_seeds > 0) MixedSeeds(mixed_seeds, policies);
  if (!quick) {
    Run(MixedLarge(false), policies);
    Run(MixedLarge(true), policies);
    Run(LongTailed(), policies);
    Run(Dags(), policies);
    Run(Arrivals(), policies);
  }
  if (!traces.empty()) {
    for (auto [file, name] : {std::pair{"SDSC-SP2-1998-4.2-cln.swf.gz", "SDSC-SP2"},
                              std::pair{"KTH-SP2-1996-2.1-cln.swf.gz", "KTH-SP2"}}) {
      if (!windows_only) Run(ReadSwf(traces + "/" + file, name), policies);
      Windows(traces + "/" + file, name, policies);
    }
  }
  return 0;
}
