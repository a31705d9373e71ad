#include "core/plan/campaign_plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "model/task_profile.h"

namespace allot {
namespace {

std::optional<Duration> ExpectedOf(const TaskSpec& t) {
  if (t.time_estimate) return t.time_estimate;
  return t.time_limit;
}

}  // namespace

Result<CampaignPlan> PlanCampaign(const std::vector<TaskSpec>& tasks) {
  const size_t n = tasks.size();
  CampaignPlan plan;
  plan.tasks = static_cast<int64_t>(n);
  std::unordered_map<std::string, size_t> index;
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) index.emplace(tasks[i].id, i);

  // Kahn's order over the dependencies: dependents of each task, and how many of a task's
  // dependencies are still unplaced.
  std::vector<std::vector<size_t>> dependents(n);
  std::vector<size_t> waiting(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& dep : tasks[i].depends_on) {
      auto it = index.find(dep);
      if (it == index.end()) {
        return Status::InvalidArgument("task '" + tasks[i].id + "': depends on '" + dep +
                                       "', which is not in the list");
      }
      dependents[it->second].push_back(i);
      ++waiting[i];
    }
  }
  std::vector<size_t> order;
  order.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) order.push_back(i);
  }
  for (size_t k = 0; k < order.size(); ++k) {
    for (size_t d : dependents[order[k]]) {
      if (--waiting[d] == 0) order.push_back(d);
    }
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i) {
      if (waiting[i] > 0) {
        return Status::InvalidArgument("task '" + tasks[i].id +
                                       "': its dependencies form a cycle");
      }
    }
  }

  // Longest chain by expected run time ending at each task (finish), and by count (depth).
  std::vector<Duration> finish(n, Duration(0));
  std::vector<int64_t> depth(n, 0);
  std::vector<size_t> previous(n, n);
  for (size_t i : order) {
    Duration start(0);
    for (const std::string& dep : tasks[i].depends_on) {
      const size_t d = index.at(dep);
      if (finish[d] > start || previous[i] == n) {
        if (finish[d] > start) start = finish[d];
        previous[i] = d;
      }
      depth[i] = std::max(depth[i], depth[d] + 1);
    }
    const std::optional<Duration> expected = ExpectedOf(tasks[i]);
    finish[i] = start + expected.value_or(Duration(0));
  }
  size_t last = n;
  for (size_t i = 0; i < n; ++i) {
    if (last == n || finish[i] > finish[last]) last = i;
  }
  if (last != n) {
    plan.critical_path = finish[last];
    for (size_t i = last; i != n; i = previous[i]) plan.critical_chain.push_back(tasks[i].id);
    std::reverse(plan.critical_chain.begin(), plan.critical_chain.end());
  }

  // Stages: the tasks of one profile.
  std::map<std::string, size_t> stage_of;  // profile -> index into plan.stages
  std::vector<size_t> first_task;
  std::vector<std::set<std::string>> after;
  std::vector<std::string> profile_of(n);
  for (size_t i = 0; i < n; ++i) {
    const TaskSpec& t = tasks[i];
    profile_of[i] = TaskProfileName(t);
    auto [it, added] = stage_of.emplace(profile_of[i], plan.stages.size());
    if (added) {
      PlanStage s;
      s.profile = profile_of[i];
      s.cores_min = t.resources.cores.min;
      s.cores_max = t.resources.cores.max;
      s.depth = depth[i];
      plan.stages.push_back(std::move(s));
      first_task.push_back(i);
      after.emplace_back();
    }
    PlanStage& s = plan.stages[it->second];
    ++s.tasks;
    s.cores_min = std::min(s.cores_min, t.resources.cores.min);
    s.cores_max = std::max(s.cores_max, t.resources.cores.max);
    s.depth = std::min(s.depth, depth[i]);
    if (const std::optional<Duration> expected = ExpectedOf(t)) {
      ++s.with_expected;
      s.expected_total += *expected;
      plan.core_seconds +=
          t.resources.cores.min * std::chrono::duration<double>(*expected).count();
    } else {
      ++plan.without_expected;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& dep : tasks[i].depends_on) {
      const std::string& from = profile_of[index.at(dep)];
      if (from != profile_of[i]) after[stage_of.at(profile_of[i])].insert(from);
    }
  }
  for (size_t s = 0; s < plan.stages.size(); ++s) {
    plan.stages[s].after.assign(after[s].begin(), after[s].end());
  }
  std::vector<size_t> by(plan.stages.size());
  for (size_t s = 0; s < by.size(); ++s) by[s] = s;
  std::stable_sort(by.begin(), by.end(), [&](size_t a, size_t b) {
    if (plan.stages[a].depth != plan.stages[b].depth) {
      return plan.stages[a].depth < plan.stages[b].depth;
    }
    return first_task[a] < first_task[b];
  });
  std::vector<PlanStage> sorted;
  sorted.reserve(by.size());
  for (size_t s : by) sorted.push_back(std::move(plan.stages[s]));
  plan.stages = std::move(sorted);
  return plan;
}

}  // namespace allot
