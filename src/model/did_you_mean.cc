#include "model/did_you_mean.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace allot {

int EditDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  const size_t n = a.size(), m = b.size();
  // Three rows: i-2, i-1, i.
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= m; ++j) {
      int cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates) {
  if (word.empty()) return "";
  int limit = std::max<int>(1, static_cast<int>(word.size()) / 3);
  int best = limit + 1;
  std::string_view choice;
  for (std::string_view c : candidates) {
    int d = EditDistance(word, c);
    if (d < best) {
      best = d;
      choice = c;
    }
  }
  if (!choice.empty()) return std::string(choice);
  if (word.size() >= 3) {
    for (std::string_view c : candidates) {
      if (c.size() > word.size() && EditDistance(word, c.substr(0, word.size())) == 0) {
        return std::string(c);
      }
    }
  }
  return "";
}

}  // namespace allot
