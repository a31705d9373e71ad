#include "learn/campaign_history.h"

#include <unordered_map>

#include "report/attempt_record.h"
#include "model/task_attempt.h"
#include "model/task_profile.h"

namespace allot {

std::string ProfileOf(const TaskSpec& spec) { return TaskProfileName(spec); }

ProfileStore LearnProfiles(const JournalContents& contents) {
  ProfileStore store;
  for (const AttemptRecord& r : EndedAttempts(contents)) {
    // What the scheduler learns from, no more: lost, preempted and canceled attempts say
    // nothing about what the work needs.
    if (r.task >= contents.submissions.size() || !r.TeachesProfile()) continue;
    const TaskSpec& spec = contents.submissions[r.task].spec;
    AttemptSample s;
    s.profile = ProfileOf(spec);
    s.cores_allocated = r.cores;
    s.wall = r.Wall();
    s.cpu = r.Cpu();
    s.peak_rss_bytes = r.usage ? r.usage->max_rss_bytes : 0;
    s.memory_requested_bytes = r.memory_bytes;
    s.succeeded = r.succeeded();
    s.oom_killed = r.usage && r.usage->memory_exceeded;
    s.timed_out = r.usage && r.usage->timed_out;
    store.Record(s);
  }
  return store;
}

Result<UnfinishedWork> CollectUnfinished(const JournalContents& contents,
                                         const std::vector<int>& worker_cores, int64_t now_us) {
  if (worker_cores.empty()) return Status::InvalidArgument("no workers to forecast on");
  const size_t n = contents.submissions.size();
  std::vector<TaskState> state(n);
  for (size_t i = 0; i < n; ++i) state[i] = contents.submissions[i].initial_state;
  UnfinishedWork work;
  AttemptFold attempts;
  for (const TaskEvent& e : contents.events) {
    if (e.task >= n) continue;
    if (work.first_event_us == 0) work.first_event_us = e.wall_time_us;
    attempts.Apply(e);
    state[e.task] = e.to;
  }
  for (const TaskAttempt& a : attempts.ended()) {
    if (a.usage) {
      work.spent_core_seconds += static_cast<double>(a.cores.size()) *
                                 std::chrono::duration<double>(a.usage->wall).count();
    }
  }
  for (int cores : worker_cores) work.input.workers.push_back({cores});
  std::unordered_map<std::string, int32_t> forecast_index;
  for (size_t i = 0; i < n; ++i) {
    if (IsTerminal(state[i])) continue;
    forecast_index[contents.submissions[i].spec.id] = static_cast<int32_t>(work.tasks.size());
    work.tasks.push_back(static_cast<TaskIndex>(i));
  }
  for (TaskIndex t : work.tasks) {
    const TaskSpec& spec = contents.submissions[t].spec;
    ForecastTask& f = work.input.tasks.emplace_back();
    f.profile = ProfileOf(spec);
    f.cores = spec.resources.cores.min;
    f.cores_max = spec.resources.cores.max;
    f.priority = spec.priority;
    f.time_estimate = spec.time_estimate;
    f.time_limit = spec.time_limit;
    for (const std::string& d : spec.depends_on) {
      auto it = forecast_index.find(d);
      if (it != forecast_index.end()) f.deps.push_back(it->second);
    }
    if (const TaskAttempt* running = attempts.open(t); running != nullptr && IsActive(state[t])) {
      f.state = ForecastTaskState::kRunning;
      f.elapsed = std::chrono::microseconds(std::max<int64_t>(0, now_us - running->started_us));
      if (!running->cores.empty()) f.cores = static_cast<int>(running->cores.size());
    }
  }
  return work;
}

}  // namespace allot
