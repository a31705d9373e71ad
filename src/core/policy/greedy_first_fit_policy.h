// GreedyFirstFitPolicy: walks the ready queue in order and starts every task that fits into
// what is free, skipping those that do not; nothing is ever reserved. What an allocation
// pilot's "start whatever fits" loop does (e.g. pilot.py): the best packing without estimates,
// but a wide task can wait as long as narrow ones keep coming. For comparisons
// (bench/policy_bench.cc) and for campaigns that want it; the default is
// PriorityBackfillPolicy.
//
// Looks at most `depth` tasks per pass (0: the whole queue). Stateless; not thread-safe.
#pragma once

#include "core/policy/scheduling_policy.h"

namespace allot {

class GreedyFirstFitPolicy final : public SchedulingPolicy {
 public:
  explicit GreedyFirstFitPolicy(int depth = 0) : depth_(depth) {}
  void Choose(const PolicyInput& input, std::vector<Choice>* out,
              std::optional<Blocked>* blocked) override;

 private:
  int depth_;
};

}  // namespace allot
