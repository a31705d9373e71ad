// SortedTaskIds: HeldTaskIds over a list of ids kept sorted, for callers that have the ids at
// hand (tests, tools). Contains is a binary search; ForEachWithPrefix visits the ids sharing
// the prefix only. Immutable after construction, so safe for concurrent use.
#pragma once

#include <string>
#include <vector>

#include "model/held_task_ids.h"

namespace allot {

class SortedTaskIds : public HeldTaskIds {
 public:
  // Sorts `ids` (duplicates are harmless).
  explicit SortedTaskIds(std::vector<std::string> ids);

  bool Contains(std::string_view id) const override;
  void ForEachWithPrefix(std::string_view prefix,
                         const std::function<void(std::string_view)>& visit) const override;

 private:
  std::vector<std::string> ids_;  // sorted
};

}  // namespace allot
