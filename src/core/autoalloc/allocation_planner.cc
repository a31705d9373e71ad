#include "core/autoalloc/allocation_planner.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/units.h"

namespace allot {
namespace {

using std::chrono::duration_cast;
using Seconds = std::chrono::duration<double>;

// What the waiting work amounts to for one queue.
struct Demand {
  int64_t tasks = 0;
  int64_t cores = 0;
  double core_seconds = 0;
  int64_t other_queue = 0, too_big = 0, too_long = 0;
};

Demand Count(const AllocQueueConfig& q, std::span<const WaitingTask> waiting, Duration usable) {
  Demand d;
  for (const WaitingTask& t : waiting) {
    if (!t.queue.empty() && t.queue != q.name) {
      ++d.other_queue;
      continue;
    }
    if (t.cores > q.cores_per_worker || t.gpus > q.gpus_per_worker ||
        (q.memory_per_worker > 0 && t.memory_bytes > q.memory_per_worker)) {
      ++d.too_big;
      continue;
    }
    const Duration expected = t.expected > Duration::zero() ? t.expected : std::chrono::minutes(1);
    if (expected > usable) {
      ++d.too_long;
      continue;
    }
    ++d.tasks;
    d.cores += t.cores;
    d.core_seconds += t.cores * Seconds(expected).count();
  }
  return d;
}

std::string Describe(const Demand& d, const AllocQueueConfig& q, Duration usable) {
  const bool none = d.tasks + d.too_long + d.too_big + d.other_queue == 0;
  std::string s = none         ? "no task is waiting"
                  : d.tasks == 0 ? "no waiting task fits it"
                               : fmt::format("{} waiting ({} cores, {:.1f} core-hours)",
                                             Counted(d.tasks, "task"), d.cores,
                                             d.core_seconds / 3600);
  std::vector<std::string> others;
  if (d.too_long > 0) {
    others.push_back(fmt::format("{} longer than the {} an allocation can run them",
                                 Counted(d.too_long, "task"), FormatDuration(usable)));
  }
  if (d.too_big > 0) {
    others.push_back(fmt::format("{} larger than a worker ({} cores{}{})",
                                 Counted(d.too_big, "task"), q.cores_per_worker,
                                 q.memory_per_worker > 0 ? ", " + FormatSize(q.memory_per_worker)
                                                         : "",
                                 q.gpus_per_worker > 0
                                     ? fmt::format(", {} GPUs", q.gpus_per_worker)
                                     : ""));
  }
  if (d.other_queue > 0) others.push_back(Counted(d.other_queue, "task") + " for other queues");
  if (!others.empty()) s += fmt::format(" (not counted: {})", fmt::join(others, "; "));
  return s;
}

}  // namespace

AllocPlan PlanAllocations(TimePoint now, const AllocQueueConfig& q,
                          std::span<const AllocSnapshot> allocations,
                          std::span<const WaitingTask> waiting, const SubmitFailures& failures,
                          bool paused_by_user) {
  AllocPlan plan;
  const int per_alloc = std::max(1, q.workers_per_alloc);
  const Duration usable = std::max(Duration::zero(), q.time_limit - q.end_margin);
  const Duration replace_before =
      q.replace_before > Duration::zero()
          ? q.replace_before
          : std::max<Duration>(std::chrono::minutes(2), q.time_limit / 10);
  const Demand demand = Count(q, waiting, usable);

  int pending_allocs = 0, pending_workers = 0, workers = 0;
  for (const AllocSnapshot& a : allocations) {
    workers += a.workers;
    if (!a.running) {
      ++pending_allocs;
      pending_workers += a.workers;
    }
  }

  // 6. Idle allocations go, unless the pool needs them or work waits.
  int after_release = workers;
  for (const AllocSnapshot& a : allocations) {
    if (!a.running || !a.idle_since || demand.tasks > 0) continue;
    if (now - *a.idle_since < q.idle_timeout) continue;
    if (after_release - a.workers < q.min_workers) continue;
    plan.release.push_back(a.job_id);
    after_release -= a.workers;
  }
  std::string released;
  if (!plan.release.empty()) {
    released = fmt::format("; releasing {} idle for {} or more",
                           fmt::join(plan.release, ", "), FormatDuration(q.idle_timeout));
  }

  // 1. Paused, or backing off after failures.
  if (paused_by_user) {
    plan.reason = "not submitting: the queue is paused (allot alloc resume " + q.name + ")";
    plan.reason += released;
    return plan;
  }
  if (q.pause_after_failures > 0 && failures.consecutive >= q.pause_after_failures) {
    plan.paused = true;
    plan.reason = fmt::format("not submitting: paused after {} failed submissions in a row "
                              "(last: {}); allot alloc resume {} tries again",
                              failures.consecutive, failures.last_error, q.name);
    plan.reason += released;
    return plan;
  }
  if (failures.consecutive > 0 && failures.last) {
    const Duration wait = q.backoff * (int64_t{1} << std::min(failures.consecutive - 1, 20));
    if (now < *failures.last + wait) {
      plan.reason = fmt::format("not submitting: backing off for {} after {} (last: {})",
                                FormatDuration(*failures.last + wait - now),
                                Counted(failures.consecutive, "failed submission"),
                                failures.last_error);
      plan.reason += released;
      return plan;
    }
  }

  // The room left under the limits.
  const int total = after_release;
  auto room = [&](int allocs_planned) {
    const int by_pending = q.max_pending - pending_allocs - allocs_planned;
    const int by_workers = (q.max_workers - total - allocs_planned * per_alloc) / per_alloc;
    return std::max(0, std::min(by_pending, by_workers));
  };
  std::vector<std::string> why;

  // 4. The minimum pool.
  if (total < q.min_workers) {
    const int want = (q.min_workers - total + per_alloc - 1) / per_alloc;
    const int n = std::min(want, room(0));
    plan.submit += n;
    why.push_back(fmt::format("the pool has {} of its minimum {}",
                              Counted(total, "worker"), q.min_workers));
  }

  // 3. The work.
  int wanted = 0;
  if (demand.tasks > 0 && usable > Duration::zero()) {
    const double capacity = q.cores_per_worker * Seconds(usable).count();
    const int by_time = static_cast<int>(std::ceil(demand.core_seconds / capacity));
    const int by_width =
        static_cast<int>((demand.cores + q.cores_per_worker - 1) / q.cores_per_worker);
    wanted = std::max(1, std::min(by_time, by_width));
  }
  const int coming = pending_workers + plan.submit * per_alloc;
  if (wanted > coming) {
    const int need = (wanted - coming + per_alloc - 1) / per_alloc;
    const int n = std::min(need, room(plan.submit));
    if (n > 0 && q.min_utilization > 0) {
      const double busy = demand.core_seconds /
                          ((coming + n * per_alloc) * q.cores_per_worker * Seconds(usable).count());
      if (busy < q.min_utilization) {
        why.push_back(fmt::format("{}, but it would keep new workers only {:.0f}% busy "
                                  "(--min-utilization {:.0f}%)",
                                  Describe(demand, q, usable), 100 * busy,
                                  100 * q.min_utilization));
        wanted = 0;
      }
    }
    if (wanted > 0) {
      plan.submit += n;
      why.push_back(fmt::format("{} need {}; {} pending", Describe(demand, q, usable),
                                Counted(wanted, "worker"), Counted(pending_workers, "worker")));
      if (n < need) {
        why.push_back(fmt::format("{} more held back by the limits (max {} pending, {} workers)",
                                  Counted(need - n, "allocation"), q.max_pending,
                                  q.max_workers));
      }
    }
  } else if (demand.tasks > 0) {
    why.push_back(fmt::format("{} need {}, and {} {} there or coming already",
                              Describe(demand, q, usable), Counted(wanted, "worker"),
                              Counted(coming, "worker"), coming == 1 ? "is" : "are"));
  } else {
    why.push_back(Describe(demand, q, usable));
  }

  // 5. Replacements before the end. A replacement takes over the slot of the allocation it
  // replaces, whose workers leave at its end: under max_workers its workers are not counted
  // (so a queue at its limit is still replaced); max_pending holds as for any submission.
  int handed_over = 0;
  if (demand.tasks > 0) {
    for (const AllocSnapshot& a : allocations) {
      if (!a.running || a.replaced || !a.ends_at || *a.ends_at - now > replace_before) continue;
      const int by_pending = q.max_pending - pending_allocs - plan.submit;
      const int by_workers =
          (q.max_workers - total + handed_over + a.workers - plan.submit * per_alloc) / per_alloc;
      if (std::min(by_pending, by_workers) <= 0) {
        why.push_back("no room to replace " + a.job_id + " before it ends");
        continue;
      }
      ++plan.submit;
      handed_over += a.workers;
      plan.replacing.push_back(a.job_id);
      why.push_back(fmt::format("replacing {}, which ends in {}", a.job_id,
                                FormatDuration(*a.ends_at - now)));
    }
  }

  plan.reason = fmt::format("{}: {}", plan.submit > 0
                                          ? "submitting " + Counted(plan.submit, "allocation")
                                          : std::string("not submitting"),
                            fmt::join(why, "; "));
  plan.reason += released;
  return plan;
}

}  // namespace allot
