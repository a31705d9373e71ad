// What a restart of a 1M-task campaign costs before its first decision: open the SQLite
// journal and recover the scheduler from it as `allot server start` and `allot run --resume`
// do (RecoverFromJournal: the journal read for recovery while the scheduler replays it)
// (docs/PERFORMANCE.md, "Core"). Writes a journal of 1M tasks (typical specs: command, env,
// tags, workdir) once, then times Open + RecoverFromJournal, in a fresh process per run for
// the figure a real restart sees. Two journals:
//   finished   every task ran and succeeded (two events each: running, succeeded): a long
//              campaign restarted late; finished tasks load without decoding their specs
//   unfinished every task submitted, none started: the worst case, every spec decoded
//
//   ninja -C build allot_journal_recover_bench
//   build/bin/allot_journal_recover_bench [finished|unfinished] [DB] [ROUNDS]
//     (default: finished, /var/tmp/allot-1m-<kind>.db, 3 rounds)
// The DB is kept for the next run (delete it to rebuild).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/scheduler.h"
#include "journal/sqlite_journal.h"
#include "server/scheduler_recovery.h"

namespace allot {
namespace {

constexpr int kTasks = 1'000'000;
constexpr int kBatch = 10'000;

using Steady = std::chrono::steady_clock;
double SecondsSince(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

Submission Typical(TaskIndex t) {
  Submission s;
  s.index = t;
  s.initial_state = TaskState::kReady;
  s.wall_time_us = 1'700'000'000'000'000 + t;
  TaskSpec& spec = s.spec;
  spec.id = "sim-" + std::to_string(t);
  spec.command = "geant4 --energy 5 --seed " + std::to_string(t);
  spec.resources.cores = {1, 1};
  spec.resources.memory_bytes = int64_t{1} << 30;
  spec.env = {{"OMP_NUM_THREADS", "1"}};
  spec.tags = {{"project", "epic"}, {"profile", "sim"}};
  spec.workdir = "/scratch/runs/sim-" + std::to_string(t);
  spec.origin = {"tasks.yaml", static_cast<int>(t % 100000) + 1};
  return s;
}

Status Write(const std::string& path, bool finished) {
  ALLOT_ASSIGN_OR_RETURN(std::unique_ptr<SqliteJournal> j,
                         SqliteJournal::Open(path, {.create_new = true}));
  for (int b = 0; b < kTasks / kBatch; ++b) {
    std::vector<Submission> subs;
    std::vector<TaskEvent> events;
    for (int i = 0; i < kBatch; ++i) {
      const TaskIndex t = static_cast<TaskIndex>(b * kBatch + i);
      subs.push_back(Typical(t));
      if (!finished) continue;
      TaskEvent& start = events.emplace_back();
      start.task = t;
      start.attempt = 1;
      start.from = TaskState::kReady;
      start.to = TaskState::kRunning;
      start.wall_time_us = 1'700'000'000'000'000 + t;
      start.cores = {i % 64};
      start.memory_bytes = int64_t{1} << 30;
      TaskEvent& end = events.emplace_back();
      end.task = t;
      end.attempt = 1;
      end.from = TaskState::kRunning;
      end.to = TaskState::kSucceeded;
      end.wall_time_us = start.wall_time_us + 1'500'000;
      AttemptUsage& u = end.usage.emplace();
      u.exit_code = 0;
      u.wall = std::chrono::milliseconds(1500);
      u.user_cpu = std::chrono::milliseconds(1200);
      u.max_rss_bytes = int64_t{300} << 20;
    }
    ALLOT_RETURN_IF_ERROR(j->AppendSubmissions(subs));
    ALLOT_RETURN_IF_ERROR(j->AppendEvents(events));
    ALLOT_RETURN_IF_ERROR(j->Commit());
  }
  return Status::Ok();
}

Machine Machine64() {
  Machine m;
  for (int i = 0; i < 64; ++i) m.cpus.push_back(Cpu{i, 0, i / 32, i});
  m.memory_bytes = int64_t{256} << 30;
  return m;
}

int Main(int argc, char** argv) {
  const std::string kind = argc > 1 ? argv[1] : "finished";
  if (kind != "finished" && kind != "unfinished") {
    std::fprintf(stderr, "usage: %s [finished|unfinished] [DB] [ROUNDS]\n", argv[0]);
    return 2;
  }
  const bool finished = kind == "finished";
  const std::string path = argc > 2 ? argv[2] : "/var/tmp/allot-1m-" + kind + ".db";
  const int rounds = argc > 3 ? std::stoi(argv[3]) : 3;
  if (!std::filesystem::exists(path)) {
    const auto start = Steady::now();
    Status s = Write(path, finished);
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), s.ToString().c_str());
      return 1;
    }
    std::printf("wrote %s: 1M tasks, %s events in %.1f s\n", path.c_str(), finished ? "2M" : "no",
                SecondsSince(start));
  }
  double best = 1e9;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Steady::now();
    auto j = SqliteJournal::Open(path, {.must_exist = true});
    if (!j.ok()) {
      std::fprintf(stderr, "%s\n", j.status().ToString().c_str());
      return 1;
    }
    const double opened = SecondsSince(start);
    auto scheduler =
        std::make_unique<Scheduler>(SystemClock::Default(), Machine64(), SchedulerOptions{});
    Result<RecoveredCounts> counts =
        RecoverFromJournal(j->get(), scheduler.get(), RecoverMode::kEndInterrupted);
    if (!counts.ok() || scheduler->Done() != finished || counts->tasks != kTasks) {
      std::fprintf(stderr, "recover: %s\n", counts.status().ToString().c_str());
      return 1;
    }
    const double total = SecondsSince(start);
    std::printf("round %d: open %.2f s, load + recover %.2f s, total %.2f s\n", r + 1, opened,
                total - opened, total);
    if (total < best) best = total;
  }
  std::printf("best: 1M-task journal (%s) loaded and recovered in %.2f s\n", kind.c_str(), best);
  return 0;
}

}  // namespace
}  // namespace allot

int main(int argc, char** argv) { return allot::Main(argc, argv); }
