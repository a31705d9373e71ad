#include "core/policy/priority_backfill_policy.h"

#include <algorithm>
#include <string>

#include "common/units.h"
#include "core/policy/policy_resources.h"

namespace allot {
namespace {

using policy::CoresToTake;
using policy::Give;
using policy::Take;

std::string WhyNotFits(const ResourceRequest& r, const ResourceAmounts& free) {
  if (r.cores.min > free.cores) {
    return "needs " + Counted(r.cores.min, "core") + ", " + std::to_string(free.cores) + " free";
  }
  if (r.memory_bytes > free.memory_bytes) return "needs more memory than is free";
  if (r.gpus > free.gpus) {
    return "needs " + Counted(r.gpus, "GPU") + ", " + std::to_string(free.gpus) + " free";
  }
  for (const auto& [name, amount] : r.custom) {
    auto it = free.custom.find(name);
    int64_t have = it == free.custom.end() ? 0 : it->second;
    if (amount > have) {
      return "needs " + std::to_string(amount) + " " + name + ", " + std::to_string(have) + " free";
    }
  }
  return "waiting for resources";
}

// Tasks remembered as blocked heads; more means heads that were canceled or held while
// blocked: forget them all (the heads now blocked start their patience again).
constexpr size_t kMaxRemembered = 4096;

}  // namespace

TimePoint PriorityBackfillPolicy::BlockedSince(TaskIndex head, TimePoint now) {
  if (blocked_since_.size() >= kMaxRemembered) blocked_since_.clear();
  return blocked_since_.try_emplace(head, now).first->second;
}

bool PriorityBackfillPolicy::MayPassOver(const PolicyInput& in, TaskIndex task, TaskIndex wider) {
  if (patience_ <= 0) return false;
  // Nothing known of its run time yet (the campaign has no history): until it is.
  const std::optional<Duration> runtime = ExpectedRuntimeOf(in, task);
  if (!runtime) return true;
  // The wider task may hold the cores until its expected end: that must be within the
  // patience of the task it passes, counted from when that one was first held back.
  const std::optional<Duration> wider_runtime = ExpectedRuntimeOf(in, wider);
  if (!wider_runtime) return false;
  auto since = blocked_since_.find(task);
  const TimePoint first = since == blocked_since_.end() ? in.now : since->second;
  return in.now + *wider_runtime <=
         first + Duration(static_cast<int64_t>(patience_ * static_cast<double>(runtime->count())));
}

void PriorityBackfillPolicy::PassedOver(TaskIndex task, TimePoint now) { BlockedSince(task, now); }

void PriorityBackfillPolicy::Started(TaskIndex task) {
  if (!blocked_since_.empty()) blocked_since_.erase(task);
}

void PriorityBackfillPolicy::Choose(const PolicyInput& in, std::vector<Choice>* out,
                                    std::optional<Blocked>* blocked) {
  ResourceAmounts free = in.free;
  int slots = in.start_slots;
  auto it = in.ready->begin();
  // What starts in this pass runs too, as far as the reservation below is concerned.
  std::vector<RunningView> starting;
  // Tasks that neither start nor block the queue here: they could never fit the worker, or
  // would still run when the allocation ends (the first of those is said to wait for that).
  std::optional<TaskIndex> too_late;
  auto never_fits_task = [&in, &too_late](TaskIndex t) {
    const ResourceRequest& r = in.spec(t).resources;
    if (OtherExecutor(in, t)) return true;
    if (in.capacity && !ResourcePool::FitsIn(r, r.cores.min, *in.capacity)) return true;
    if (MultiNodeElsewhere(in, t, r)) return true;
    if (EndsTooLate(in, t)) {
      if (!too_late) too_late = t;
      return true;
    }
    return false;
  };
  auto report_too_late = [&too_late, blocked] {
    if (too_late && !*blocked) {
      *blocked = Blocked{*too_late, "would not end before the allocation ends"};
    }
  };
  // A multi-node task that fits here is held, not started (SchedulingPolicy::Choose): its share
  // stays out of this pass, and it keeps its place as held back (its patience runs on).
  auto hold = [&](TaskIndex task, const ResourceRequest& r, int cores) {
    out->push_back({task, cores, /*hold=*/true});
    Take(r, cores, &free);
    BlockedSince(task, in.now);
  };
  auto start = [&](TaskIndex task, const ResourceRequest& r, int cores) {
    if (r.nodes > 1) return hold(task, r, cores);
    out->push_back({task, cores});
    Started(task);
    Take(r, cores, &free);
    --slots;
    RunningView& v = starting.emplace_back();
    v.held.cores = cores;
    v.held.memory_bytes = r.memory_bytes;
    v.held.gpus = r.gpus;
    v.held.custom = r.custom;
    if (auto runtime = ExpectedRuntimeOf(in, task)) v.expected_end = in.now + *runtime;
  };
  // Step 1: start tasks in order while they fit; cores free together go to a wider task of
  // the same priority first (packing).
  std::vector<TaskIndex> packed;  // started ahead of their turn in this pass
  auto is_packed = [&packed](TaskIndex t) {
    return !packed.empty() && std::find(packed.begin(), packed.end(), t) != packed.end();
  };
  int pack_budget = kPackLookahead;
  for (; it != in.ready->end() && slots > 0 && free.cores > 0; ++it) {
    TaskIndex task = ReadyQueue::TaskOf(*it);
    if (is_packed(task)) continue;
    const TaskSpec& spec = in.spec(task);
    const ResourceRequest& r = spec.resources;
    if (never_fits_task(task)) continue;
    if (pack_budget > 0 && r.cores.max < free.cores && patience_ > 0) {
      auto wider = it;
      for (++wider; wider != in.ready->end() && pack_budget > 0; ++wider, --pack_budget) {
        if (ReadyQueue::PriorityKeyOf(*wider) != ReadyQueue::PriorityKeyOf(*it)) {
          pack_budget = 0;  // only among equals: the rest of this pass would stop here too
          break;
        }
        const TaskIndex w = ReadyQueue::TaskOf(*wider);
        const ResourceRequest& wr = in.spec(w).resources;
        if (never_fits_task(w)) continue;
        if (wr.cores.min <= r.cores.max) continue;  // not wider
        if (wr.nodes > 1) continue;  // held, not started: no packing
        if (is_packed(w)) continue;
        const int cores = CoresToTake(wr, free);
        if (cores == 0) {
          pack_budget = 0;  // it will wait; nothing behind it may pass it either
          break;
        }
        if (!MayPassOver(in, task, w)) break;
        PassedOver(task, in.now);
        start(w, wr, cores);
        packed.push_back(w);
        break;
      }
      if (slots <= 0 || free.cores <= 0) break;
    }
    int cores = CoresToTake(r, free);
    if (cores == 0) break;
    start(task, r, cores);
  }
  while (it != in.ready->end() && (is_packed(ReadyQueue::TaskOf(*it)) ||
                                   never_fits_task(ReadyQueue::TaskOf(*it)))) {
    ++it;
  }
  if (it == in.ready->end()) {
    report_too_late();
    return;
  }
  TaskIndex head = ReadyQueue::TaskOf(*it);
  if (slots <= 0) {
    *blocked = Blocked{head, "the limit on running tasks (--max-workers) is reached"};
    return;
  }
  const ResourceRequest& need = in.spec(head).resources;
  *blocked = Blocked{head, WhyNotFits(need, free)};
  if (free.cores <= 0) return;

  // Step 2: the head's reservation.
  std::vector<const RunningView*> ending;
  bool known = true;
  const std::vector<RunningView> running = in.running ? in.running() : std::vector<RunningView>();
  for (const std::vector<RunningView>* views :
       {&running, const_cast<const std::vector<RunningView>*>(&starting)}) {
    for (const RunningView& r : *views) {
      if (!r.expected_end) known = false;
      ending.push_back(&r);
    }
  }
  std::optional<TimePoint> shadow;
  ResourceAmounts extra;  // what backfill may use without touching the reservation
  if (known) {
    std::sort(ending.begin(), ending.end(),
              [](auto* a, auto* b) { return *a->expected_end < *b->expected_end; });
    ResourceAmounts at_shadow = free;
    for (const RunningView* r : ending) {
      Give(r->held, &at_shadow);
      if (ResourcePool::FitsIn(need, need.cores.min, at_shadow)) {
        shadow = *r->expected_end;
        break;
      }
    }
    if (shadow) {
      extra = at_shadow;
      Take(need, need.cores.min, &extra);
    }
  }
  if (!shadow) {
    // Unknown shadow time: the head keeps everything free now, up to its need.
    extra = free;
    extra.cores = std::max(0, free.cores - need.cores.min);
    extra.memory_bytes = std::max<int64_t>(0, free.memory_bytes - need.memory_bytes);
    extra.gpus = std::max(0, free.gpus - need.gpus);
    for (const auto& [name, amount] : need.custom) {
      extra.custom[name] = std::max<int64_t>(0, free.custom[name] - amount);
    }
  }

  // The reservation time: the shadow time, or later by the head's patience.
  std::optional<TimePoint> reserved_at = shadow;
  if (patience_ > 0) {
    if (std::optional<Duration> runtime = ExpectedRuntimeOf(in, head)) {
      const TimePoint latest =
          BlockedSince(head, in.now) +
          Duration(static_cast<int64_t>(patience_ * static_cast<double>(runtime->count())));
      if (!reserved_at || latest > *reserved_at) reserved_at = latest;
    }
  }

  // Step 3: backfill behind the head.
  ++it;
  for (int looked = 0;
       it != in.ready->end() && looked < backfill_depth_ && slots > 0 && free.cores > 0;
       ++it, ++looked) {
    TaskIndex task = ReadyQueue::TaskOf(*it);
    if (is_packed(task) || never_fits_task(task)) continue;
    const TaskSpec& spec = in.spec(task);
    const ResourceRequest& r = spec.resources;
    std::optional<Duration> bound = ExpectedRuntimeOf(in, task);
    int cores = 0;
    bool ends_in_time = reserved_at && bound && in.now + *bound <= *reserved_at;
    if (ends_in_time) {
      cores = CoresToTake(r, free);
    } else {
      ResourceAmounts usable = extra;
      usable.cores = std::min(extra.cores, free.cores);
      usable.memory_bytes = std::min(extra.memory_bytes, free.memory_bytes);
      usable.gpus = std::min(extra.gpus, free.gpus);
      for (auto& [name, amount] : usable.custom) amount = std::min(amount, free.custom[name]);
      cores = CoresToTake(r, usable);
      if (cores > 0) Take(r, cores, &extra);
    }
    if (cores == 0) continue;
    if (r.nodes > 1) {
      hold(task, r, cores);
      continue;
    }
    out->push_back({task, cores});
    Started(task);
    Take(r, cores, &free);
    --slots;
  }
}

}  // namespace allot
