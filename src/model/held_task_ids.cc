#include "model/held_task_ids.h"

#include <algorithm>

#include "model/glob.h"

namespace allot {

Result<HeldAnswer> HeldTaskIds::Lookup(const HeldQuery& query) const {
  HeldAnswer answer;
  answer.held.reserve(query.ids.size());
  for (std::string_view id : query.ids) answer.held.push_back(Contains(id));
  answer.matches.resize(query.patterns.size());
  for (size_t i = 0; i < query.patterns.size(); ++i) {
    const std::string_view pattern = query.patterns[i];
    std::vector<std::string>& matches = answer.matches[i];
    ForEachWithPrefix(GlobLiteralPrefix(pattern), [&](std::string_view id) {
      if (GlobMatch(pattern, id)) matches.emplace_back(id);
    });
    std::sort(matches.begin(), matches.end());
  }
  return answer;
}

}  // namespace allot
