// ProfileLearner: the scheduler's side of profiles. Every ended attempt is recorded in its
// task's profile (model/task_profile.h names it); a task about to be ready takes its profile's
// learned memory (`memory: auto`, not yet set) and time estimate (when it has none of its own)
// once the profile has enough history (core/profile/learned_request.h).
//
// The learned values of a profile are cached and recomputed after max(1, S / 32) newer
// attempts, where S is the number of successes in its window: exact while a profile has fewer
// than 64 successes, and at most ~3% of its window stale after that. This keeps a campaign of
// a million short tasks from re-deriving quantiles on every ready transition.
//
// Deterministic: the same attempts in the same order give the same values. Not thread-safe:
// owned by the scheduler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/profile/learned_request.h"
#include "core/profile/profile_store.h"
#include "model/task_event.h"
#include "model/task_spec.h"

namespace allot {

class ProfileLearner {
 public:
  // Records an ended attempt of `spec` that held `cores` cores and `memory_bytes` of memory.
  void Record(const TaskSpec& spec, int cores, int64_t memory_bytes, const AttemptUsage& usage,
              bool succeeded);

  // Gives `spec` what its profile learned: memory (when `memory: auto` and not yet set; at
  // most memory_max and `largest_memory`, the most any worker has, when that is > 0) and the
  // time estimate (when `learn_estimate`). Changes nothing without enough history.
  void Apply(TaskSpec* spec, bool learn_estimate, int64_t largest_memory);

  // ProfileStore::PooledEstimate, cached and recomputed after max(1, min(N, 1024) / 32) newer
  // attempts (N: attempts recorded), as profiles' learned values are: what the policy assumes of a task that declares no estimate and whose own profile has
  // not learned one yet (a campaign of ids that share no profile, "m1", "m2", ...). Only the
  // policy uses it; no spec is changed.
  std::optional<Duration> PooledEstimate();

  const ProfileStore& store() const { return store_; }

 private:
  struct Entry {
    const ProfileStats* stats = nullptr;  // owned by store_; map nodes do not move
    std::optional<LearnedRequest> learned;
    int64_t learned_at = -1;  // stats->attempts() when `learned` was computed
  };
  const std::optional<LearnedRequest>& Learned(Entry& entry);

  ProfileStore store_;
  std::unordered_map<std::string, Entry> entries_;
  int64_t recorded_ = 0;             // attempts recorded
  int64_t pooled_at_ = -1;           // recorded_ when pooled_ was computed
  std::optional<Duration> pooled_;
};

}  // namespace allot
