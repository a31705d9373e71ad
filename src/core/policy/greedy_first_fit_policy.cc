#include "core/policy/greedy_first_fit_policy.h"

#include "core/policy/policy_resources.h"

namespace allot {

void GreedyFirstFitPolicy::Choose(const PolicyInput& in, std::vector<Choice>* out,
                                  std::optional<Blocked>* blocked) {
  ResourceAmounts free = in.free;
  int slots = in.start_slots;
  int looked = 0;
  for (auto it = in.ready->begin();
       it != in.ready->end() && slots > 0 && free.cores > 0 && (depth_ == 0 || looked < depth_);
       ++it, ++looked) {
    const TaskIndex task = ReadyQueue::TaskOf(*it);
    const ResourceRequest& r = in.spec(task).resources;
    if (OtherExecutor(in, task) || EndsTooLate(in, task) || MultiNodeElsewhere(in, task, r)) {
      continue;
    }
    const int cores = policy::CoresToTake(r, free);
    if (cores == 0) {
      if (!*blocked && !(in.capacity && !ResourcePool::FitsIn(r, r.cores.min, *in.capacity))) {
        *blocked = Blocked{task, "waiting for resources"};
      }
      continue;
    }
    const bool hold = IsMultiNode(in, task);
    out->push_back({task, cores, hold});
    policy::Take(r, cores, &free);
    if (!hold) --slots;
  }
}

}  // namespace allot
