#include "core/profile/profile_learner.h"

#include <algorithm>

#include "model/task_profile.h"

namespace allot {

void ProfileLearner::Record(const TaskSpec& spec, int cores, int64_t memory_bytes,
                            const AttemptUsage& usage, bool succeeded) {
  AttemptSample sample;
  sample.profile = TaskProfileName(spec);
  sample.cores_allocated = cores;
  sample.wall = usage.wall;
  sample.cpu = usage.user_cpu + usage.sys_cpu;
  sample.peak_rss_bytes = usage.max_rss_bytes;
  sample.memory_requested_bytes = memory_bytes;
  sample.succeeded = succeeded;
  sample.oom_killed = usage.memory_exceeded;
  sample.timed_out = usage.timed_out;
  ++recorded_;
  const ProfileStats& stats = store_.Record(sample);
  Entry& entry = entries_[sample.profile];
  entry.stats = &stats;
}

const std::optional<LearnedRequest>& ProfileLearner::Learned(Entry& entry) {
  const int64_t attempts = entry.stats->attempts();
  const int64_t every = std::max<int64_t>(1, entry.stats->window_successes() / 32);
  if (entry.learned_at < 0 || attempts - entry.learned_at >= every) {
    entry.learned = LearnRequest(*entry.stats);
    entry.learned_at = attempts;
  }
  return entry.learned;
}

std::optional<Duration> ProfileLearner::PooledEstimate() {
  const int64_t every = std::max<int64_t>(1, std::min<int64_t>(recorded_, 1024) / 32);
  if (pooled_at_ < 0 || recorded_ - pooled_at_ >= every) {
    pooled_ = store_.PooledEstimate();
    pooled_at_ = recorded_;
  }
  return pooled_;
}

void ProfileLearner::Apply(TaskSpec* spec, bool learn_estimate, int64_t largest_memory) {
  const bool auto_memory = spec->resources.memory_auto && spec->resources.memory_bytes == 0;
  if ((!auto_memory && !learn_estimate) || entries_.empty()) return;
  auto it = entries_.find(TaskProfileName(*spec));
  if (it == entries_.end()) return;
  const std::optional<LearnedRequest>& learned = Learned(it->second);
  if (!learned) return;
  if (auto_memory && learned->memory_bytes) {
    int64_t memory = *learned->memory_bytes;
    if (spec->memory_max_bytes > 0) memory = std::min(memory, spec->memory_max_bytes);
    // Never more than some worker can give: a learned value must not make a task unplaceable.
    if (largest_memory > 0) memory = std::min(memory, largest_memory);
    spec->resources.memory_bytes = memory;
  }
  if (learn_estimate) spec->time_estimate = learned->time_estimate;
}

}  // namespace allot
