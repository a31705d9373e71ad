#include "study/pareto.h"

#include <algorithm>

namespace allot {

bool Dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<Goal>& goals) {
  bool better = false;
  for (size_t i = 0; i < goals.size(); ++i) {
    const double x = goals[i] == Goal::kMinimize ? a[i] : -a[i];
    const double y = goals[i] == Goal::kMinimize ? b[i] : -b[i];
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

std::vector<size_t> ParetoFront(const std::vector<std::vector<double>>& points,
                                const std::vector<Goal>& goals) {
  std::vector<size_t> front;
  for (size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j) {
      dominated = j != i && Dominates(points[j], points[i], goals);
    }
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](size_t a, size_t b) {
    for (size_t k = 0; k < goals.size(); ++k) {
      const double x = goals[k] == Goal::kMinimize ? points[a][k] : -points[a][k];
      const double y = goals[k] == Goal::kMinimize ? points[b][k] : -points[b][k];
      if (x != y) return x < y;
    }
    return a < b;
  });
  return front;
}

}  // namespace allot
