#include "core/replay/schedule_replay.h"

#include <algorithm>
#include <csignal>
#include <numeric>
#include <queue>
#include <unordered_map>

#include "core/replay/manual_clock.h"

namespace allot {
namespace {

struct Ending {
  TimePoint at;
  uint64_t seq = 0;  // launch order: ties end in the order they started
  ExecutionId execution = 0;
  bool operator>(const Ending& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

struct Live {
  TimePoint started;
  int cores = 0;
};

}  // namespace

ScheduleReplay::ScheduleReplay(Machine machine, SchedulerOptions options, PolicyFactory policy)
    : machine_(std::move(machine)), options_(options), policy_(std::move(policy)) {}

Result<ReplayResult> ScheduleReplay::Run(const std::vector<ReplayTask>& tasks) const {
  for (const ReplayTask& t : tasks) {
    if (t.submit_at < Duration(0) || t.duration < Duration(0)) {
      return Status::InvalidArgument("task '" + t.spec.id + "': negative submit time or duration");
    }
  }
  ManualClock clock;
  const TimePoint origin = clock.Now();
  Scheduler scheduler(&clock, machine_, options_, policy_ ? policy_() : nullptr);

  // Submission order: by submit time, input order among equals.
  std::vector<size_t> order(tasks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&tasks](size_t a, size_t b) {
    return tasks[a].submit_at < tasks[b].submit_at;
  });
  std::vector<size_t> input_of;  // scheduler index -> input index
  input_of.reserve(tasks.size());

  ReplayResult result;
  result.tasks.resize(tasks.size());
  std::priority_queue<Ending, std::vector<Ending>, std::greater<>> endings;
  std::unordered_map<ExecutionId, Live> live;
  uint64_t seq = 0;
  size_t next_submit = 0;
  size_t terminal = 0;

  auto end_attempt = [&](ExecutionId exec, AttemptUsage usage) {
    auto it = live.find(exec);
    if (it == live.end()) return;
    usage.wall = clock.Now() - it->second.started;
    result.core_seconds += it->second.cores * ToSeconds(usage.wall);
    live.erase(it);
    scheduler.OnAttemptExited(exec, usage);
  };
  auto drain = [&] {
    Outbox* out = scheduler.outbox();
    for (const TaskEvent& e : out->events) {
      ReplayTaskRecord& rec = result.tasks[input_of[e.task]];
      if (e.to == TaskState::kRunning && e.from != TaskState::kPaused) {
        if (!rec.first_start) rec.first_start = clock.Now() - origin;
        rec.attempts = e.attempt;
        rec.cores = static_cast<int>(e.cores.size());
      }
      if (IsTerminal(e.to)) {
        rec.state = e.to;
        rec.ended = clock.Now() - origin;
        ++terminal;
      }
    }
    for (const LaunchOrder& l : out->launches) {
      const int cores = static_cast<int>(l.allocation.cpus.size());
      live[l.execution] = Live{clock.Now(), cores};
      endings.push({clock.Now() + tasks[input_of[l.task]].duration, seq++, l.execution});
      ++result.launches;
    }
    // Signals may end attempts, whose events the next drain reads: copy them out first.
    std::vector<SignalOrder> signals = std::move(out->signals);
    out->Clear();
    for (const SignalOrder& s : signals) {
      if (s.signal != SIGTERM && s.signal != SIGKILL) continue;
      AttemptUsage usage;
      usage.exit_code = -1;
      usage.term_signal = s.signal;
      end_attempt(s.execution, usage);
    }
    return !signals.empty();
  };

  while (terminal < tasks.size()) {
    std::optional<TimePoint> next;
    auto consider = [&next](TimePoint t) {
      if (!next || t < *next) next = t;
    };
    if (next_submit < order.size()) consider(origin + tasks[order[next_submit]].submit_at);
    if (!endings.empty()) consider(endings.top().at);
    if (auto due = scheduler.NextDeadline()) consider(*due);
    if (!next) {
      return Status::FailedPrecondition(
          "replay stalled: " + std::to_string(tasks.size() - terminal) +
          " tasks unfinished with nothing left to happen");
    }
    clock.AdvanceTo(*next);
    ++result.turns;

    std::vector<TaskSpec> batch;
    while (next_submit < order.size() &&
           origin + tasks[order[next_submit]].submit_at <= clock.Now()) {
      input_of.push_back(order[next_submit]);
      batch.push_back(tasks[order[next_submit]].spec);
      result.tasks[order[next_submit]].submitted = tasks[order[next_submit]].submit_at;
      ++next_submit;
    }
    if (!batch.empty()) ALLOT_RETURN_IF_ERROR(scheduler.Submit(std::move(batch)));
    while (!endings.empty() && endings.top().at <= clock.Now()) {
      const Ending e = endings.top();
      endings.pop();
      if (!live.count(e.execution)) continue;  // ended by a signal before
      AttemptUsage usage;
      usage.exit_code = tasks[input_of[TaskOfExecution(e.execution)]].exit_code;
      end_attempt(e.execution, usage);
    }
    scheduler.OnTimersDue();
    do {
      scheduler.Schedule();
    } while (drain());
  }
  for (const ReplayTaskRecord& r : result.tasks) result.makespan = std::max(result.makespan, r.ended);
  return result;
}

}  // namespace allot
