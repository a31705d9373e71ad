#include "model/sorted_task_ids.h"

#include <algorithm>

namespace allot {

SortedTaskIds::SortedTaskIds(std::vector<std::string> ids) : ids_(std::move(ids)) {
  std::sort(ids_.begin(), ids_.end());
}

bool SortedTaskIds::Contains(std::string_view id) const {
  return std::binary_search(ids_.begin(), ids_.end(), id, std::less<>());
}

void SortedTaskIds::ForEachWithPrefix(std::string_view prefix,
                                      const std::function<void(std::string_view)>& visit) const {
  auto it = std::lower_bound(ids_.begin(), ids_.end(), prefix, std::less<>());
  for (; it != ids_.end() && std::string_view(*it).substr(0, prefix.size()) == prefix; ++it) {
    visit(*it);
  }
}

}  // namespace allot
