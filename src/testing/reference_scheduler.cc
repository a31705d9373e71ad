#include "testing/reference_scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <utility>

namespace allot {
namespace {

bool IsBad(TaskState s) {
  return s == TaskState::kFailed || s == TaskState::kSkipped || s == TaskState::kCanceled;
}

std::multiset<std::pair<ExecutionId, int>> SignalSet(const Outbox& turn) {
  std::multiset<std::pair<ExecutionId, int>> out;
  for (const SignalOrder& s : turn.signals) out.insert({s.execution, s.signal});
  return out;
}

std::string Describe(const std::multiset<std::pair<ExecutionId, int>>& signals) {
  std::string out;
  for (const auto& [exec, sig] : signals) {
    out += "(task " + std::to_string(TaskOfExecution(exec)) + " attempt " +
           std::to_string(AttemptOfExecution(exec)) + " sig " + std::to_string(sig) + ") ";
  }
  return out.empty() ? "none" : out;
}

}  // namespace

ReferenceScheduler::ReferenceScheduler(Machine machine, SchedulerOptions options)
    : machine_(std::move(machine)), options_(options) {
  capacity_.cores = static_cast<int>(machine_.cpus.size());
  capacity_.memory_bytes = machine_.memory_bytes;
  capacity_.gpus = static_cast<int>(machine_.gpus.size());
  capacity_.custom = machine_.custom;
}

bool ReferenceScheduler::WouldAccept(const std::vector<TaskSpec>& specs) const {
  std::map<std::string, size_t> batch;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (index_.count(specs[i].id) || !batch.emplace(specs[i].id, i).second) return false;
    const ResourceRequest& r = specs[i].resources;
    if (r.cores.min > capacity_.cores || r.memory_bytes > capacity_.memory_bytes ||
        r.gpus > capacity_.gpus) {
      return false;
    }
    for (const auto& [name, amount] : r.custom) {
      auto it = capacity_.custom.find(name);
      if (it == capacity_.custom.end() || it->second < amount) return false;
    }
  }
  for (const TaskSpec& s : specs) {
    for (const std::string& d : s.depends_on) {
      if (!index_.count(d) && !batch.count(d)) return false;
    }
  }
  // A cycle can only run through the batch: depth-first search over it.
  std::vector<int> mark(specs.size(), 0);  // 0 new, 1 on the path, 2 done
  std::function<bool(size_t)> acyclic = [&](size_t i) {
    if (mark[i] == 1) return false;
    if (mark[i] == 2) return true;
    mark[i] = 1;
    for (const std::string& d : specs[i].depends_on) {
      auto it = batch.find(d);
      if (it != batch.end() && !acyclic(it->second)) return false;
    }
    mark[i] = 2;
    return true;
  };
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!acyclic(i)) return false;
  }
  return true;
}

void ReferenceScheduler::Submitted(const std::vector<TaskSpec>& specs, const Outbox& turn) {
  const TaskIndex first = static_cast<TaskIndex>(tasks_.size());
  for (const TaskSpec& s : specs) {
    index_[s.id] = static_cast<TaskIndex>(tasks_.size());
    ids_.push_back(s.id);
    Task& t = tasks_.emplace_back();
    t.spec = s;
  }
  for (TaskIndex i = first; i < tasks_.size(); ++i) {
    for (const std::string& d : tasks_[i].spec.depends_on) {
      TaskIndex dep = index_.at(d);
      tasks_[i].deps.push_back(dep);
      tasks_[dep].dependents.push_back(i);
    }
  }
  EXPECT_EQ(turn.submissions.size(), specs.size());
  for (TaskIndex i = first; i < tasks_.size(); ++i) {
    Task& t = tasks_[i];
    t.state = DepsSucceeded(t) ? TaskState::kReady : TaskState::kWaiting;
    if (i - first < turn.submissions.size()) {
      EXPECT_EQ(turn.submissions[i - first].initial_state, t.state) << "task '" << ids_[i] << "'";
    }
  }
  PropagateSkips(&turn);
  EXPECT_TRUE(turn.launches.empty());
  EXPECT_TRUE(turn.signals.empty());
}

void ReferenceScheduler::Scheduled(const Outbox& turn, const ResourceAmounts& free_after,
                                   TimePoint now) {
  if (stopping_) {
    EXPECT_TRUE(turn.launches.empty()) << "a launch while stopping";
    EXPECT_TRUE(turn.events.empty());
    return;
  }
  std::vector<TaskIndex> queue;
  for (TaskIndex i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].state == TaskState::kReady) queue.push_back(i);
  }
  std::stable_sort(queue.begin(), queue.end(), [this](TaskIndex a, TaskIndex b) {
    return tasks_[a].spec.priority > tasks_[b].spec.priority;
  });
  EXPECT_EQ(turn.events.size(), turn.launches.size()) << "a Schedule() turn only starts tasks";
  std::set<TaskIndex> launched;
  for (const LaunchOrder& l : turn.launches) {
    ASSERT_LT(l.task, tasks_.size());
    Task& t = tasks_[l.task];
    const std::string& id = ids_[l.task];
    EXPECT_EQ(t.state, TaskState::kReady) << "launched '" << id << "' was not ready";
    EXPECT_TRUE(DepsSucceeded(t)) << "launched '" << id << "' before its dependencies succeeded";
    EXPECT_EQ(l.attempt, t.attempts + 1) << "task '" << id << "'";
    launched.insert(l.task);
    t.state = TaskState::kRunning;
    t.attempts = l.attempt;
    t.live = true;
    t.started = now;
    t.limit_fired = t.term_sent = t.timed_out = t.stop_sent = false;
    t.kill_due.clear();
  }
  // Priority: the first ready task in queue order that did not start must not fit in what is
  // left (a task behind it may start only by backfilling, which never makes the head fit).
  size_t running = 0;
  for (const Task& t : tasks_) running += t.live ? 1 : 0;
  const bool slots_left =
      options_.max_running <= 0 || running < static_cast<size_t>(options_.max_running);
  for (TaskIndex i : queue) {
    if (launched.count(i)) continue;
    if (slots_left) {
      const ResourceRequest& r = tasks_[i].spec.resources;
      EXPECT_FALSE(ResourcePool::FitsIn(r, r.cores.min, free_after))
          << "'" << ids_[i] << "' (priority " << tasks_[i].spec.priority
          << ") heads the queue, fits in what is free, and was left waiting";
    }
    break;
  }
}

void ReferenceScheduler::Exited(ExecutionId execution, const AttemptUsage& usage, TimePoint now,
                                const Outbox& turn) {
  EndAttempt(TaskOfExecution(execution), usage, false, now, turn);
}

void ReferenceScheduler::LaunchFailed(ExecutionId execution, TimePoint now, const Outbox& turn) {
  AttemptUsage usage;
  usage.exit_code = 127;
  EndAttempt(TaskOfExecution(execution), usage, true, now, turn);
}

void ReferenceScheduler::EndAttempt(TaskIndex i, const AttemptUsage& usage, bool launch_failed,
                                    TimePoint now, const Outbox& turn) {
  ASSERT_LT(i, tasks_.size());
  Task& t = tasks_[i];
  const std::string& id = ids_[i];
  ASSERT_TRUE(t.live) << "task '" << id << "' has no live attempt";
  const bool timed_out = usage.timed_out || t.timed_out;
  const bool clean = usage.exit_code == 0 && usage.term_signal == 0 && !timed_out && !launch_failed;
  const bool stop_sent = t.stop_sent;
  EndLive(t);
  const TaskEvent* e = FirstEventOf(turn, i);
  ASSERT_NE(e, nullptr) << "the end of an attempt of '" << id << "' emitted no event";
  EXPECT_EQ(e->from, TaskState::kRunning);
  ASSERT_TRUE(e->usage.has_value()) << "task '" << id << "': the attempt's end has no usage";
  EXPECT_EQ(e->usage->timed_out, timed_out) << "task '" << id << "'";
  EXPECT_EQ(e->usage->exit_code, usage.exit_code);
  if (stop_sent) {
    t.state = TaskState::kPreempted;
    ++t.crashes;
  } else if (clean) {
    t.state = TaskState::kSucceeded;
    for (TaskIndex d : t.dependents) {
      if (tasks_[d].state == TaskState::kWaiting && DepsSucceeded(tasks_[d])) {
        tasks_[d].state = TaskState::kReady;
      }
    }
  } else {
    ++t.failures;
    if (t.failures <= t.spec.max_retries) {
      const Duration delay = t.spec.retry_backoff.DelayBeforeRetry(t.failures);
      if (delay <= Duration(0)) {
        t.state = TaskState::kReady;
      } else {
        t.state = TaskState::kWaiting;
        t.retry_due = now + delay;
      }
      const std::string retry =
          "retry " + std::to_string(t.failures) + " of " + std::to_string(t.spec.max_retries);
      EXPECT_NE(e->reason.find(retry), std::string::npos)
          << "task '" << id << "': reason '" << e->reason << "' lacks '" << retry << "'";
    } else {
      t.state = TaskState::kFailed;
      PropagateSkips(&turn);
    }
  }
  EXPECT_EQ(e->to, t.state) << "task '" << id << "'";
  EXPECT_TRUE(turn.launches.empty());
}

void ReferenceScheduler::TimersDue(TimePoint now, const Outbox& turn) {
  std::multiset<std::pair<ExecutionId, int>> expected;
  for (TaskIndex i = 0; i < tasks_.size(); ++i) {
    Task& t = tasks_[i];
    if (t.live) {
      const ExecutionId exec = MakeExecutionId(i, t.attempts);
      // SIGKILL timers set before this check (those set by it are not due in it).
      while (!t.kill_due.empty() && *t.kill_due.begin() <= now) {
        t.kill_due.erase(t.kill_due.begin());
        expected.insert({exec, SIGKILL});
      }
      if (t.spec.time_limit && !t.limit_fired && t.started + *t.spec.time_limit <= now) {
        t.limit_fired = true;
        if (!t.term_sent) {
          t.term_sent = t.timed_out = true;
          expected.insert({exec, SIGTERM});
          t.kill_due.insert(now + t.spec.grace_period);
        }
      }
    }
    if (t.retry_due && *t.retry_due <= now) {
      t.retry_due.reset();
      if (t.state == TaskState::kWaiting && !stopping_) t.state = TaskState::kReady;
    }
  }
  EXPECT_EQ(SignalSet(turn), expected)
      << "signals sent: " << Describe(SignalSet(turn)) << "; expected: " << Describe(expected);
  EXPECT_TRUE(turn.launches.empty());
}

void ReferenceScheduler::Stopped(bool kill_now, TimePoint now, const Outbox& turn) {
  const bool first = !stopping_;
  stopping_ = true;
  std::multiset<std::pair<ExecutionId, int>> expected;
  for (TaskIndex i = 0; i < tasks_.size(); ++i) {
    Task& t = tasks_[i];
    if (!t.live) continue;
    const ExecutionId exec = MakeExecutionId(i, t.attempts);
    t.stop_sent = true;
    if (kill_now) {
      expected.insert({exec, SIGKILL});
    } else if (first) {
      if (!t.term_sent) expected.insert({exec, SIGTERM});
      t.term_sent = true;
      t.kill_due.insert(now + t.spec.grace_period);
    }
  }
  EXPECT_EQ(SignalSet(turn), expected)
      << "signals sent: " << Describe(SignalSet(turn)) << "; expected: " << Describe(expected);
  EXPECT_TRUE(turn.events.empty());
  EXPECT_TRUE(turn.launches.empty());
}

void ReferenceScheduler::Restarted(const Outbox& turn) {
  ApplyRecovery();
  PropagateSkips(&turn);
  EXPECT_TRUE(turn.launches.empty());
  EXPECT_TRUE(turn.signals.empty());
}

void ReferenceScheduler::ApplyRecovery() {
  stopping_ = false;
  for (Task& t : tasks_) {
    t.retry_due.reset();
    t.limit_fired = false;
    if (t.live) EndLive(t);
    if (t.state == TaskState::kRunning || t.state == TaskState::kPaused) {
      t.state = TaskState::kLost;
      ++t.crashes;
    }
    if (t.state == TaskState::kLost || t.state == TaskState::kPreempted) {
      t.state = t.crashes > options_.crash_limit ? TaskState::kFailed : TaskState::kReady;
    } else if (t.state == TaskState::kWaiting && DepsSucceeded(t)) {
      t.state = TaskState::kReady;
    }
  }
  PropagateSkips(nullptr);
}

void ReferenceScheduler::EndLive(Task& t) {
  t.live = false;
  t.kill_due.clear();
  t.limit_fired = t.term_sent = t.timed_out = t.stop_sent = false;
}

const TaskEvent* ReferenceScheduler::FirstEventOf(const Outbox& turn, TaskIndex t) const {
  for (const TaskEvent& e : turn.events) {
    if (e.task == t) return &e;
  }
  return nullptr;
}

bool ReferenceScheduler::DepsSucceeded(const Task& t) const {
  for (TaskIndex d : t.deps) {
    if (tasks_[d].state != TaskState::kSucceeded) return false;
  }
  return true;
}

void ReferenceScheduler::PropagateSkips(const Outbox* turn) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (TaskIndex i = 0; i < tasks_.size(); ++i) {
      Task& t = tasks_[i];
      if (t.state != TaskState::kWaiting && t.state != TaskState::kReady) continue;
      bool bad = false;
      for (TaskIndex d : t.deps) bad = bad || IsBad(tasks_[d].state);
      if (!bad) continue;
      t.state = TaskState::kSkipped;
      t.retry_due.reset();
      changed = true;
    }
  }
  if (turn == nullptr) return;
  for (const TaskEvent& e : turn->events) {
    if (e.to != TaskState::kSkipped || e.task >= tasks_.size()) continue;
    const Task& t = tasks_[e.task];
    bool named = false;
    for (TaskIndex d : t.deps) {
      const std::string expected =
          "dependency '" + ids_[d] + "' " + std::string(TaskStateName(tasks_[d].state));
      named = named || (IsBad(tasks_[d].state) && e.reason == expected);
    }
    EXPECT_TRUE(named) << "task '" << ids_[e.task] << "' skipped with reason '" << e.reason
                       << "', which names no failed, skipped or canceled dependency";
  }
}

std::vector<ExecutionId> ReferenceScheduler::Live() const {
  std::vector<ExecutionId> out;
  for (TaskIndex i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].live) out.push_back(MakeExecutionId(i, tasks_[i].attempts));
  }
  return out;
}

bool ReferenceScheduler::AllTerminal() const {
  for (const Task& t : tasks_) {
    if (!IsTerminal(t.state)) return false;
  }
  return true;
}

void ReferenceScheduler::ExpectMatches(const Scheduler& real) const {
  ASSERT_EQ(real.task_count(), tasks_.size());
  for (TaskIndex i = 0; i < tasks_.size(); ++i) {
    EXPECT_EQ(real.state(i), tasks_[i].state)
        << "task '" << ids_[i] << "': the scheduler says " << TaskStateName(real.state(i))
        << ", the reference " << TaskStateName(tasks_[i].state);
    EXPECT_EQ(real.attempts(i), tasks_[i].attempts) << "task '" << ids_[i] << "'";
  }
}

void ReferenceScheduler::ExpectRecoveredMatches(const Scheduler& recovered) const {
  ReferenceScheduler copy = *this;
  copy.ApplyRecovery();
  copy.ExpectMatches(recovered);
}

}  // namespace allot
