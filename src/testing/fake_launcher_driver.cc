#include "testing/fake_launcher_driver.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace allot {

FakeLauncherDriver::FakeLauncherDriver(Machine machine, SchedulerOptions options)
    : machine_(std::move(machine)),
      options_(options),
      scheduler_(std::make_unique<Scheduler>(&clock_, machine_, options_)) {}

Status FakeLauncherDriver::Submit(std::vector<TaskSpec> specs) {
  const size_t before = scheduler_->task_count();
  Status s = scheduler_->Submit(std::move(specs));
  if (!s.ok()) {
    EXPECT_TRUE(scheduler_->outbox()->empty()) << "a refused Submit emitted something";
    EXPECT_EQ(scheduler_->task_count(), before) << "a refused Submit added tasks";
  }
  Drain();
  return s;
}

Outbox FakeLauncherDriver::Turn() {
  scheduler_->Schedule();
  return Drain();
}

Outbox FakeLauncherDriver::Exit(std::string_view id, int exit_code) {
  const LaunchOrder* live = Live(id);
  if (live == nullptr) {
    ADD_FAILURE() << "Exit: task '" << id << "' has no live attempt";
    return {};
  }
  AttemptUsage usage;
  usage.exit_code = exit_code;
  return ExitExecution(live->execution, usage);
}

Outbox FakeLauncherDriver::Kill(std::string_view id, int signal) {
  const LaunchOrder* live = Live(id);
  if (live == nullptr) {
    ADD_FAILURE() << "Kill: task '" << id << "' has no live attempt";
    return {};
  }
  AttemptUsage usage;
  usage.exit_code = -1;
  usage.term_signal = signal;
  return ExitExecution(live->execution, usage);
}

Outbox FakeLauncherDriver::ExitExecution(ExecutionId execution, AttemptUsage usage) {
  live_.erase(execution);
  scheduler_->OnAttemptExited(execution, usage);
  return Drain();
}

Outbox FakeLauncherDriver::LaunchFailed(std::string_view id, const Status& why) {
  const LaunchOrder* live = Live(id);
  if (live == nullptr) {
    ADD_FAILURE() << "LaunchFailed: task '" << id << "' has no live attempt";
    return {};
  }
  ExecutionId execution = live->execution;
  live_.erase(execution);
  scheduler_->OnLaunchFailed(execution, why);
  return Drain();
}

Outbox FakeLauncherDriver::Advance(Duration d) {
  clock_.Advance(d);
  scheduler_->OnTimersDue();
  return Drain();
}

Outbox FakeLauncherDriver::Stop(bool kill_now) {
  scheduler_->Stop(kill_now);
  return Drain();
}

Status FakeLauncherDriver::Restart() { return Restart(options_); }

Status FakeLauncherDriver::Restart(SchedulerOptions options) {
  options_ = options;
  EXPECT_TRUE(scheduler_->outbox()->empty()) << "Restart with an undrained outbox";
  scheduler_ = std::make_unique<Scheduler>(&clock_, machine_, options_);
  live_.clear();
  Status s = scheduler_->Recover(submissions_, events_);
  if (s.ok()) Drain();
  return s;
}

Outbox FakeLauncherDriver::Drain() {
  Outbox turn = std::move(*scheduler_->outbox());
  scheduler_->outbox()->Clear();
  Check(turn);
  submissions_.insert(submissions_.end(), turn.submissions.begin(), turn.submissions.end());
  events_.insert(events_.end(), turn.events.begin(), turn.events.end());
  launches_.insert(launches_.end(), turn.launches.begin(), turn.launches.end());
  signals_.insert(signals_.end(), turn.signals.begin(), turn.signals.end());
  last_turn_ = turn;
  return turn;
}

void FakeLauncherDriver::Check(const Outbox& turn) {
  for (const Submission& s : turn.submissions) {
    EXPECT_EQ(s.index, tracked_.size()) << "submission '" << s.spec.id << "'";
    EXPECT_TRUE(IsInitialState(s.initial_state))
        << "submission '" << s.spec.id << "' in state " << TaskStateName(s.initial_state);
    tracked_.push_back(s.initial_state);
    tracked_attempts_.push_back(0);
  }
  std::map<TaskIndex, uint32_t> started;  // this turn: task -> attempt
  std::map<TaskIndex, std::vector<int>> started_cpus;
  for (const TaskEvent& e : turn.events) {
    if (e.task >= tracked_.size()) {
      ADD_FAILURE() << "event for unknown task " << e.task;
      continue;
    }
    const std::string& id = scheduler_->id(e.task);
    EXPECT_EQ(e.from, tracked_[e.task])
        << "task '" << id << "': event from " << TaskStateName(e.from) << " but it was "
        << TaskStateName(tracked_[e.task]);
    EXPECT_TRUE(CanTransition(e.from, e.to))
        << "task '" << id << "': " << TaskStateName(e.from) << " -> " << TaskStateName(e.to)
        << " is not in the transition table";
    if (e.to == TaskState::kRunning && e.from != TaskState::kPaused) {
      EXPECT_EQ(e.attempt, tracked_attempts_[e.task] + 1) << "task '" << id << "' started";
      tracked_attempts_[e.task] = e.attempt;
      started[e.task] = e.attempt;
      started_cpus[e.task] = e.cores;
    } else {
      EXPECT_EQ(e.attempt, tracked_attempts_[e.task])
          << "task '" << id << "': " << TaskStateName(e.from) << " -> " << TaskStateName(e.to);
    }
    tracked_[e.task] = e.to;
  }
  for (const LaunchOrder& l : turn.launches) {
    auto it = started.find(l.task);
    if (it == started.end()) {
      ADD_FAILURE() << "launch of task " << l.task << " without a -> running event";
      continue;
    }
    EXPECT_EQ(l.attempt, it->second);
    EXPECT_EQ(l.execution, MakeExecutionId(l.task, l.attempt));
    EXPECT_EQ(l.allocation.cpus, started_cpus[l.task]);
    EXPECT_EQ(live_.count(l.execution), 0u) << "execution launched twice";
    live_[l.execution] = l;
  }
  EXPECT_EQ(turn.launches.size(), started.size()) << "a -> running event without a launch";
  for (const SignalOrder& s : turn.signals) {
    EXPECT_TRUE(live_.count(s.execution))
        << "signal " << s.signal << " to execution " << s.execution << " that is not live";
  }
  ASSERT_EQ(tracked_.size(), scheduler_->task_count());
  for (TaskIndex t = 0; t < tracked_.size(); ++t) {
    EXPECT_EQ(tracked_[t], scheduler_->state(t))
        << "task '" << scheduler_->id(t) << "': the events say " << TaskStateName(tracked_[t])
        << ", the scheduler says " << TaskStateName(scheduler_->state(t));
    EXPECT_EQ(tracked_attempts_[t], scheduler_->attempts(t))
        << "task '" << scheduler_->id(t) << "'";
  }
  CheckHeld();
}

void FakeLauncherDriver::CheckHeld() {
  std::set<int> cpu_ids, gpu_ids;
  for (const Cpu& c : machine_.cpus) cpu_ids.insert(c.os_index);
  for (int g : machine_.gpus) gpu_ids.insert(g);
  std::set<int> cpus_held, gpus_held;
  int64_t memory = 0;
  std::map<std::string, int64_t> custom;
  for (const auto& [exec, l] : live_) {
    const ResourceRequest& r = scheduler_->spec(l.task).resources;
    const std::string& id = scheduler_->id(l.task);
    const int n = static_cast<int>(l.allocation.cpus.size());
    EXPECT_GE(n, r.cores.min) << "task '" << id << "'";
    EXPECT_LE(n, r.cores.max) << "task '" << id << "'";
    EXPECT_EQ(static_cast<int>(l.allocation.gpus.size()), r.gpus) << "task '" << id << "'";
    EXPECT_EQ(l.allocation.memory_bytes, r.memory_bytes) << "task '" << id << "'";
    EXPECT_EQ(l.allocation.custom, r.custom) << "task '" << id << "'";
    for (int c : l.allocation.cpus) {
      EXPECT_TRUE(cpu_ids.count(c)) << "task '" << id << "' holds unknown CPU " << c;
      EXPECT_TRUE(cpus_held.insert(c).second) << "CPU " << c << " held twice";
    }
    for (int g : l.allocation.gpus) {
      EXPECT_TRUE(gpu_ids.count(g)) << "task '" << id << "' holds unknown GPU " << g;
      EXPECT_TRUE(gpus_held.insert(g).second) << "GPU " << g << " held twice";
    }
    memory += l.allocation.memory_bytes;
    for (const auto& [name, amount] : l.allocation.custom) custom[name] += amount;
  }
  EXPECT_LE(memory, machine_.memory_bytes) << "memory oversubscribed";
  for (const auto& [name, amount] : custom) {
    auto it = machine_.custom.find(name);
    EXPECT_LE(amount, it == machine_.custom.end() ? 0 : it->second) << name << " oversubscribed";
  }
  // The pool agrees. Its attempts are the live ones plus those whose exit is not reported yet;
  // the driver reports exits synchronously, so they are the same set.
  const ResourceAmounts& free = scheduler_->pool().free();
  EXPECT_EQ(free.cores, static_cast<int>(machine_.cpus.size() - cpus_held.size()));
  EXPECT_EQ(free.gpus, static_cast<int>(machine_.gpus.size() - gpus_held.size()));
  EXPECT_EQ(free.memory_bytes, machine_.memory_bytes - memory);
  for (const auto& [name, total] : machine_.custom) {
    auto it = free.custom.find(name);
    EXPECT_EQ(it == free.custom.end() ? total : it->second, total - custom[name]) << name;
  }
  EXPECT_EQ(scheduler_->running(), live_.size());
}

TaskIndex FakeLauncherDriver::Index(std::string_view id) const {
  std::optional<TaskIndex> t = scheduler_->Find(std::string(id));
  if (!t) {
    ADD_FAILURE() << "no task '" << id << "'";
    return 0;
  }
  return *t;
}

const LaunchOrder* FakeLauncherDriver::Live(std::string_view id) const {
  std::optional<TaskIndex> t = scheduler_->Find(std::string(id));
  if (!t) return nullptr;
  for (const auto& [exec, l] : live_) {
    if (l.task == *t) return &l;
  }
  return nullptr;
}

std::vector<TaskEvent> FakeLauncherDriver::EventsOf(std::string_view id) const {
  TaskIndex t = Index(id);
  std::vector<TaskEvent> out;
  for (const TaskEvent& e : events_) {
    if (e.task == t) out.push_back(e);
  }
  return out;
}

std::vector<int> FakeLauncherDriver::SignalsTo(std::string_view id) const {
  TaskIndex t = Index(id);
  std::vector<int> out;
  for (const SignalOrder& s : signals_) {
    if (TaskOfExecution(s.execution) == t) out.push_back(s.signal);
  }
  return out;
}

std::vector<std::string> FakeLauncherDriver::LaunchedIds() const {
  std::vector<std::string> out;
  for (const LaunchOrder& l : launches_) out.push_back(scheduler_->id(l.task));
  return out;
}

std::vector<std::string> FakeLauncherDriver::IdsOf(const Outbox& turn) const {
  std::vector<std::string> out;
  for (const LaunchOrder& l : turn.launches) out.push_back(scheduler_->id(l.task));
  return out;
}

}  // namespace allot
