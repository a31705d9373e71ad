// Core benchmarks against the DESIGN.md budget:
//   >= 200k scheduling decisions/s with 1M queued tasks (BM_ScheduleDecisions*);
//   1M-task DAG validated and resolved in < 1 s (BM_SubmitDag1M; BM_RunDag1M runs it through);
//   restart with a 1M-task journal in < 2 s (BM_Recover1M: 1M submissions + 2M events);
//   <= 300 bytes of server memory per finished task (BM_MemoryPerFinishedTask).
// The scheduler is driven the way its event loop does it: inputs, Schedule(), drain the Outbox.
// Run: build-core/bin/allot_core_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/scheduler.h"

namespace allot {
namespace {

constexpr int kMillion = 1'000'000;

class BenchClock final : public Clock {
 public:
  TimePoint Now() const override { return now_; }
  int64_t WallMicros() const override {
    return 1'700'000'000'000'000 + now_.time_since_epoch().count();
  }
  void Advance(Duration d) { now_ += d; }

 private:
  TimePoint now_{Duration(1'000'000)};
};

// 64 CPUs in 2 NUMA nodes, 256 GiB.
Machine Machine64() {
  Machine m;
  for (int i = 0; i < 64; ++i) m.cpus.push_back(Cpu{i, 0, i / 32, i});
  m.memory_bytes = int64_t{256} << 30;
  return m;
}

std::string Id(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "sim-%07d", i);
  return buf;
}

// A typical sweep task: short id (fits the small-string buffer), a realistic command line.
TaskSpec SimTask(int i) {
  TaskSpec s;
  s.id = Id(i);
  s.command = "./simulate --seed " + std::to_string(i) + " --out runs/" + std::to_string(i);
  return s;
}

std::vector<TaskSpec> Independent(int n) {
  std::vector<TaskSpec> specs;
  specs.reserve(n);
  for (int i = 0; i < n; ++i) specs.push_back(SimTask(i));
  return specs;
}

// Groups of 100: 24 chains of 4 (sim -> reco -> ana -> plot), 3 loose tasks, and an aggregate
// over the 24 chain ends and the 3 loose ones that also depends on the previous group's
// aggregate (a 10k-long chain through the whole DAG). About one edge per task.
std::vector<TaskSpec> Dag(int n) {
  std::vector<TaskSpec> specs;
  specs.reserve(n);
  for (int i = 0; i < n; ++i) {
    TaskSpec s = SimTask(i);
    const int base = i - i % 100;
    const int k = i % 100;
    if (k < 96 && k % 4 != 0) {
      s.depends_on.push_back(Id(i - 1));
    } else if (k == 99) {
      for (int c = 3; c < 96; c += 4) s.depends_on.push_back(Id(base + c));
      for (int c = 96; c < 99; ++c) s.depends_on.push_back(Id(base + c));
      if (base > 0) s.depends_on.push_back(Id(base - 1));
    }
    specs.push_back(std::move(s));
  }
  return specs;
}

// Runs `s` until every task ended successfully; returns the number of attempts placed.
int64_t RunToCompletion(Scheduler& s, BenchClock& clock) {
  int64_t placed = 0;
  std::vector<ExecutionId> running;
  AttemptUsage ok;
  ok.exit_code = 0;
  while (!s.Done()) {
    s.Schedule();
    for (const LaunchOrder& l : s.outbox()->launches) running.push_back(l.execution);
    placed += static_cast<int64_t>(s.outbox()->launches.size());
    s.outbox()->Clear();
    if (running.empty()) break;  // nothing runs and nothing starts: stuck
    for (ExecutionId e : running) s.OnAttemptExited(e, ok);
    running.clear();
    s.outbox()->Clear();
    clock.Advance(Duration(1000));
  }
  return placed;
}

// One decision per iteration: one attempt exits, Schedule() places the next task, the outbox
// is drained. The queue holds 1M tasks at the start and >= 700k throughout.
void BM_ScheduleDecisions_1MQueued(benchmark::State& state) {
  BenchClock clock;
  Scheduler s(&clock, Machine64(), {});
  if (!s.Submit(Independent(kMillion)).ok()) state.SkipWithError("submit failed");
  *s.outbox() = Outbox{};
  s.Schedule();
  std::vector<ExecutionId> running;
  for (const LaunchOrder& l : s.outbox()->launches) running.push_back(l.execution);
  s.outbox()->Clear();
  AttemptUsage ok;
  ok.exit_code = 0;
  size_t next = 0;
  for (auto _ : state) {
    s.OnAttemptExited(running[next], ok);
    s.Schedule();
    Outbox* out = s.outbox();
    if (out->launches.size() != 1) {
      state.SkipWithError("expected exactly one launch");
      break;
    }
    running[next] = out->launches[0].execution;
    next = (next + 1) % running.size();
    out->Clear();
  }
  state.counters["decisions_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["queued_at_end"] =
      static_cast<double>(s.counts()[static_cast<int>(TaskState::kReady)]);
}
BENCHMARK(BM_ScheduleDecisions_1MQueued)->Iterations(300'000)->Unit(benchmark::kMicrosecond);

// The same, but all 64 running attempts exit per turn and one Schedule() places 64.
void BM_ScheduleDecisions_1MQueued_Batch64(benchmark::State& state) {
  BenchClock clock;
  Scheduler s(&clock, Machine64(), {});
  if (!s.Submit(Independent(kMillion)).ok()) state.SkipWithError("submit failed");
  *s.outbox() = Outbox{};
  std::vector<ExecutionId> running;
  AttemptUsage ok;
  ok.exit_code = 0;
  int64_t decisions = 0;
  s.Schedule();
  for (const LaunchOrder& l : s.outbox()->launches) running.push_back(l.execution);
  s.outbox()->Clear();
  for (auto _ : state) {
    for (ExecutionId e : running) s.OnAttemptExited(e, ok);
    running.clear();
    s.Schedule();
    for (const LaunchOrder& l : s.outbox()->launches) running.push_back(l.execution);
    decisions += static_cast<int64_t>(s.outbox()->launches.size());
    s.outbox()->Clear();
  }
  state.counters["decisions_per_s"] =
      benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ScheduleDecisions_1MQueued_Batch64)->Iterations(5'000)->Unit(benchmark::kMicrosecond);

// One exit per iteration again, but the queue head is blocked (it waits for memory a
// long-running task holds), so every decision is a backfill behind it: step 2 (reservation)
// and step 3 (walk behind the head) of the policy run on every pass.
void BM_ScheduleDecisions_1MQueued_BlockedHead(benchmark::State& state) {
  BenchClock clock;
  Scheduler s(&clock, Machine64(), {});
  TaskSpec hog = SimTask(kMillion);
  hog.id = "hog";
  hog.priority = 100;
  hog.resources.memory_bytes = int64_t{100} << 30;
  TaskSpec head = SimTask(kMillion + 1);
  head.id = "head";
  head.priority = 50;
  head.resources.memory_bytes = int64_t{200} << 30;
  std::vector<TaskSpec> specs = Independent(kMillion);
  specs.push_back(hog);
  if (!s.Submit(std::move(specs)).ok()) state.SkipWithError("submit failed");
  *s.outbox() = Outbox{};
  s.Schedule();
  std::vector<ExecutionId> running;
  for (const LaunchOrder& l : s.outbox()->launches) {
    if (l.task != *s.Find("hog")) running.push_back(l.execution);
  }
  s.outbox()->Clear();
  if (!s.Submit({head}).ok()) state.SkipWithError("submit failed");
  s.outbox()->Clear();
  AttemptUsage ok;
  ok.exit_code = 0;
  size_t next = 0;
  int64_t decisions = 0;
  for (auto _ : state) {
    s.OnAttemptExited(running[next], ok);
    s.Schedule();
    Outbox* out = s.outbox();
    if (out->launches.size() > 1) {
      state.SkipWithError("more than one launch for one exit");
      break;
    }
    if (out->launches.empty()) {
      running.erase(running.begin() + static_cast<long>(next));
    } else {
      running[next] = out->launches[0].execution;
      ++decisions;
    }
    next = running.empty() ? 0 : (next + 1) % running.size();
    out->Clear();
  }
  state.counters["decisions_per_s"] =
      benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
  state.counters["head_waiting"] = s.state(*s.Find("head")) == TaskState::kReady ? 1 : 0;
}
BENCHMARK(BM_ScheduleDecisions_1MQueued_BlockedHead)
    ->Iterations(300'000)
    ->Unit(benchmark::kMicrosecond);

// Submit() of a 1M-task DAG: duplicate/unknown/cycle checks, linking, initial states, and the
// Submissions for the journal. Building the specs is not timed.
void BM_SubmitDag1M(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<TaskSpec> specs = Dag(kMillion);
    BenchClock clock;
    auto s = std::make_unique<Scheduler>(&clock, Machine64(), SchedulerOptions{});
    state.ResumeTiming();
    if (!s->Submit(std::move(specs)).ok()) state.SkipWithError("submit failed");
    state.PauseTiming();
    state.counters["ready_after_submit"] =
        static_cast<double>(s->counts()[static_cast<int>(TaskState::kReady)]);
    s.reset();  // destruction is not timed
    state.ResumeTiming();
  }
  state.counters["tasks"] = kMillion;
}
BENCHMARK(BM_SubmitDag1M)->Iterations(3)->Unit(benchmark::kMillisecond);

// The DAG run through: every task placed, exits, dependents released. Submit not timed.
void BM_RunDag1M(benchmark::State& state) {
  int64_t placed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    BenchClock clock;
    auto s = std::make_unique<Scheduler>(&clock, Machine64(), SchedulerOptions{});
    if (!s->Submit(Dag(kMillion)).ok()) state.SkipWithError("submit failed");
    *s->outbox() = Outbox{};
    state.ResumeTiming();
    placed += RunToCompletion(*s, clock);
    state.PauseTiming();
    if (!s->Done()) state.SkipWithError("the DAG did not finish");
    s.reset();
    state.ResumeTiming();
  }
  state.counters["decisions_per_s"] =
      benchmark::Counter(static_cast<double>(placed), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RunDag1M)->Iterations(1)->Unit(benchmark::kMillisecond);

// A journal of 1M independent tasks, all finished: 1M submissions, 2M events
// (ready -> running with its CPU, running -> succeeded with usage), in run order.
struct Journal {
  std::vector<Submission> submissions;
  std::vector<TaskEvent> events;
};

Journal MakeJournal() {
  Journal j;
  j.submissions.reserve(kMillion);
  for (int i = 0; i < kMillion; ++i) {
    Submission& s = j.submissions.emplace_back();
    s.index = static_cast<TaskIndex>(i);
    s.spec = SimTask(i);
    s.initial_state = TaskState::kReady;
  }
  j.events.reserve(2 * kMillion);
  for (int wave = 0; wave < kMillion; wave += 64) {
    for (int i = wave; i < wave + 64 && i < kMillion; ++i) {
      TaskEvent& e = j.events.emplace_back();
      e.task = static_cast<TaskIndex>(i);
      e.attempt = 1;
      e.from = TaskState::kReady;
      e.to = TaskState::kRunning;
      e.cores = {i % 64};
    }
    for (int i = wave; i < wave + 64 && i < kMillion; ++i) {
      TaskEvent& e = j.events.emplace_back();
      e.task = static_cast<TaskIndex>(i);
      e.attempt = 1;
      e.from = TaskState::kRunning;
      e.to = TaskState::kSucceeded;
      e.usage = AttemptUsage{.exit_code = 0, .wall = Duration(1000)};
    }
  }
  return j;
}

void BM_Recover1M(benchmark::State& state) {
  const Journal journal = MakeJournal();
  for (auto _ : state) {
    BenchClock clock;
    auto s = std::make_unique<Scheduler>(&clock, Machine64(), SchedulerOptions{});
    if (!s->Recover(journal.submissions, journal.events).ok()) state.SkipWithError("recover");
    benchmark::DoNotOptimize(s->Done());
    state.PauseTiming();
    s.reset();
    state.ResumeTiming();
  }
  state.counters["events"] = static_cast<double>(journal.events.size());
}
BENCHMARK(BM_Recover1M)->Iterations(3)->Unit(benchmark::kMillisecond);

// Bytes handed out by malloc: small blocks from the arenas plus mmap()ed large ones.
int64_t HeapInUse() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<int64_t>(m.uordblks + m.hblkhd);
}

int64_t RssBytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

// Heap bytes held per finished task: 1M tasks submitted and run to success, the outbox
// drained after every turn. Reported twice: with the outbox only Clear()ed (its vectors keep
// the capacity of the 1M-submission turn) and after handing that capacity back.
void BM_MemoryPerFinishedTask(benchmark::State& state) {
  for (auto _ : state) {
    malloc_trim(0);
    const int64_t heap0 = HeapInUse();
    const int64_t rss0 = RssBytes();
    BenchClock clock;
    auto s = std::make_unique<Scheduler>(&clock, Machine64(), SchedulerOptions{});
    if (!s->Submit(Independent(kMillion)).ok()) state.SkipWithError("submit failed");
    s->outbox()->Clear();
    RunToCompletion(*s, clock);
    if (!s->Done()) state.SkipWithError("not done");
    const int64_t heap_cleared = HeapInUse() - heap0;
    *s->outbox() = Outbox{};
    malloc_trim(0);
    const int64_t heap = HeapInUse() - heap0;
    const int64_t rss = RssBytes() - rss0;
    state.counters["bytes_per_task"] = static_cast<double>(heap) / kMillion;
    state.counters["bytes_per_task_outbox_kept"] = static_cast<double>(heap_cleared) / kMillion;
    state.counters["rss_bytes_per_task"] = static_cast<double>(rss) / kMillion;
    state.counters["sizeof_TaskSpec"] = sizeof(TaskSpec);
    s.reset();
  }
}
BENCHMARK(BM_MemoryPerFinishedTask)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace allot
