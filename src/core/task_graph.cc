#include "core/task_graph.h"

#include <algorithm>

namespace allot {

std::optional<size_t> TaskGraph::FindCycle(TaskIndex base, const BatchDeps& batch) {
  // Kahn's algorithm over the batch, with the in-batch edges in two flat arrays (dependents of
  // i: edge[first[i] .. first[i + 1])).
  const size_t n = batch.first.size() - 1;
  std::vector<uint32_t> unmet(n, 0);
  std::vector<uint32_t> first(n + 1, 0);
  size_t in_batch = 0;
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t k = batch.first[i]; k < batch.first[i + 1]; ++k) {
      const TaskIndex dep = batch.deps[k];
      if (dep >= base) {
        ++unmet[i];
        ++first[dep - base + 1];
        ++in_batch;
      }
    }
  }
  if (in_batch == 0) return std::nullopt;
  for (size_t i = 0; i < n; ++i) first[i + 1] += first[i];
  std::vector<uint32_t> edge(in_batch);
  {
    std::vector<uint32_t> fill(first.begin(), first.end() - 1);
    for (size_t i = 0; i < n; ++i) {
      for (uint32_t k = batch.first[i]; k < batch.first[i + 1]; ++k) {
        const TaskIndex dep = batch.deps[k];
        if (dep >= base) edge[fill[dep - base]++] = static_cast<uint32_t>(i);
      }
    }
  }
  std::vector<uint32_t> order;
  order.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (unmet[i] == 0) order.push_back(static_cast<uint32_t>(i));
  }
  for (size_t k = 0; k < order.size(); ++k) {
    for (uint32_t e = first[order[k]]; e < first[order[k] + 1]; ++e) {
      if (--unmet[edge[e]] == 0) order.push_back(edge[e]);
    }
  }
  if (order.size() == n) return std::nullopt;
  // Every task left has an unmet dependency left: walk those until one repeats.
  size_t i = 0;
  while (unmet[i] == 0) ++i;
  std::vector<bool> seen(n, false);
  while (!seen[i]) {
    seen[i] = true;
    for (uint32_t k = batch.first[i]; k < batch.first[i + 1]; ++k) {
      const TaskIndex dep = batch.deps[k];
      if (dep >= base && unmet[dep - base] > 0) {
        i = dep - base;
        break;
      }
    }
  }
  return i;
}

void TaskGraph::AddBatch(const BatchDeps& batch, const std::function<bool(TaskIndex)>& met) {
  const TaskIndex base = static_cast<TaskIndex>(unmet_.size());
  const size_t n = batch.first.size() - 1;
  unmet_.resize(base + n, 0);
  dependents_.resize(base + n);
  for (size_t i = 0; i < n; ++i) {
    const TaskIndex t = base + static_cast<TaskIndex>(i);
    for (uint32_t k = batch.first[i]; k < batch.first[i + 1]; ++k) {
      const TaskIndex dep = batch.deps[k];
      dependents_[dep].push_back(t);
      if (dep >= base || !met(dep)) ++unmet_[t];
    }
  }
}

void TaskGraph::Relink(TaskIndex t, const std::vector<TaskIndex>& deps,
                       const std::function<bool(TaskIndex)>& met) {
  uint32_t unmet = 0;
  for (size_t i = 0; i < deps.size(); ++i) {
    const TaskIndex d = deps[i];
    const auto wanted = std::count(deps.begin(), deps.end(), d);
    std::vector<TaskIndex>& list = dependents_[d];
    for (auto have = std::count(list.begin(), list.end(), t); have < wanted; ++have) {
      list.push_back(t);
    }
    if (!met(d)) ++unmet;
  }
  unmet_[t] = unmet;
}

void TaskGraph::Satisfy(TaskIndex t, std::vector<TaskIndex>* freed) {
  for (TaskIndex d : dependents_[t]) {
    if (--unmet_[d] == 0 && freed != nullptr) freed->push_back(d);
  }
}

}  // namespace allot
