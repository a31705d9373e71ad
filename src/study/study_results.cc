#include "study/study_results.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "study/pareto.h"
#include "study/study_workflow.h"

namespace allot {
namespace {

struct TaskFold {
  TaskState state = TaskState::kWaiting;
  uint32_t attempts = 0;
  size_t succeeded_at = 0;  // the event's index
  std::string result;       // compact JSON; empty: none
  std::string reason;
};

bool BetterThan(double a, double b, Goal goal) { return goal == Goal::kMinimize ? a < b : a > b; }

TrialState StateOf(const std::vector<const TaskFold*>& tasks) {
  bool any_running = false, any_failed = false, any_stopped = false, any_started = false;
  bool all_succeeded = !tasks.empty();
  for (const TaskFold* t : tasks) {
    if (t == nullptr) {  // not submitted (yet)
      all_succeeded = false;
      continue;
    }
    switch (t->state) {
      case TaskState::kRunning:
      case TaskState::kPaused: any_running = true; break;
      case TaskState::kFailed: any_failed = true; break;
      case TaskState::kCanceled:
      case TaskState::kSkipped: any_stopped = true; break;
      default: break;
    }
    if (t->state != TaskState::kSucceeded) all_succeeded = false;
    if (t->attempts > 0) any_started = true;
  }
  if (any_running) return TrialState::kRunning;
  if (all_succeeded) return TrialState::kDone;
  if (any_failed) return TrialState::kFailed;
  if (any_stopped) return TrialState::kStopped;
  return any_started ? TrialState::kRunning : TrialState::kPending;
}

}  // namespace

std::string_view TrialStateName(TrialState s) {
  switch (s) {
    case TrialState::kPending: return "pending";
    case TrialState::kRunning: return "running";
    case TrialState::kDone: return "done";
    case TrialState::kNoResult: return "no_result";
    case TrialState::kFailed: return "failed";
    case TrialState::kStopped: return "stopped";
  }
  return "pending";
}

StudyResults BuildStudyResults(const StudySpec& spec, const std::vector<TrialPoint>& trials,
                               std::span<const Submission> submissions,
                               std::span<const TaskEvent> events) {
  // Which (trial, local task) each of the study's ids is.
  const std::vector<std::string> locals = TrialTaskIds(spec);
  std::unordered_map<std::string, std::pair<size_t, size_t>> slot_of;
  for (size_t t = 0; t < trials.size(); ++t) {
    for (size_t l = 0; l < locals.size(); ++l) {
      slot_of[TrialTaskId(trials[t].name, locals[l])] = {t, l};
    }
  }
  std::vector<TaskFold> folds(submissions.size());
  std::vector<std::vector<const TaskFold*>> by_trial(trials.size(),
                                                     std::vector<const TaskFold*>(locals.size()));
  std::vector<bool> ours(submissions.size(), false);
  for (const Submission& s : submissions) {
    if (s.index >= folds.size()) continue;
    folds[s.index].state = s.initial_state;
    auto it = slot_of.find(s.spec.id);
    if (it == slot_of.end()) continue;
    ours[s.index] = true;
    by_trial[it->second.first][it->second.second] = &folds[s.index];
  }
  for (size_t i = 0; i < events.size(); ++i) {
    const TaskEvent& e = events[i];
    if (e.task >= folds.size() || !ours[e.task]) continue;
    TaskFold& f = folds[e.task];
    f.state = e.to;
    f.attempts = std::max(f.attempts, e.attempt);
    if (!e.reason.empty()) f.reason = e.reason;
    if (e.to == TaskState::kSucceeded) {
      f.succeeded_at = i;
      f.result = e.usage ? e.usage->result : "";
    }
  }

  StudyResults out;
  for (TrialState s : kAllTrialStates) out.counts[s] = 0;
  std::vector<size_t> done;
  for (size_t t = 0; t < trials.size(); ++t) {
    TrialOutcome o;
    o.name = trials[t].name;
    o.params = trials[t].values;
    o.state = StateOf(by_trial[t]);
    std::vector<const TaskFold*> succeeded;
    for (const TaskFold* f : by_trial[t]) {
      if (f == nullptr) continue;
      o.attempts += static_cast<int>(f->attempts);
      if (f->state == TaskState::kSucceeded) succeeded.push_back(f);
      if ((f->state == TaskState::kFailed || f->state == TaskState::kCanceled ||
           f->state == TaskState::kSkipped) && o.reason.empty()) {
        o.reason = f->reason;
      }
    }
    std::sort(succeeded.begin(), succeeded.end(),
              [](const TaskFold* a, const TaskFold* b) {
                return a->succeeded_at < b->succeeded_at;
              });
    for (const TaskFold* f : succeeded) {
      if (f->result.empty()) continue;
      OrderedJson r = OrderedJson::parse(f->result, nullptr, /*allow_exceptions=*/false);
      if (!r.is_object()) continue;
      for (auto it = r.begin(); it != r.end(); ++it) o.result[it.key()] = it.value();
    }
    for (const StudyObjective& objective : spec.objectives) {
      auto it = o.result.find(objective.name);
      if (it != o.result.end() && it->is_number() && std::isfinite(it->get<double>())) {
        o.objectives.push_back(it->get<double>());
      } else {
        o.objectives.push_back(std::nullopt);
        o.missing.push_back(objective.name);
      }
    }
    if (o.state == TrialState::kDone && !o.missing.empty()) o.state = TrialState::kNoResult;
    if (o.state == TrialState::kDone) done.push_back(t);
    ++out.counts[o.state];
    out.trials.push_back(std::move(o));
  }
  if (spec.objectives.size() == 1) {
    const Goal goal = spec.objectives[0].goal;
    for (size_t t : done) {
      if (!out.best || BetterThan(*out.trials[t].objectives[0],
                                  *out.trials[*out.best].objectives[0], goal)) {
        out.best = t;
      }
    }
  } else if (!done.empty()) {
    std::vector<std::vector<double>> points;
    std::vector<Goal> goals;
    for (const StudyObjective& o : spec.objectives) goals.push_back(o.goal);
    for (size_t t : done) {
      std::vector<double> p;
      for (const std::optional<double>& v : out.trials[t].objectives) p.push_back(*v);
      points.push_back(std::move(p));
    }
    for (size_t i : ParetoFront(points, goals)) out.pareto_front.push_back(done[i]);
  }
  return out;
}

std::vector<std::optional<double>> BestSoFar(const StudySpec& spec, const StudyResults& results) {
  std::vector<std::optional<double>> out;
  std::optional<double> best;
  for (const TrialOutcome& t : results.trials) {
    if (t.state == TrialState::kDone && !spec.objectives.empty()) {
      const double v = *t.objectives[0];
      if (!best || BetterThan(v, *best, spec.objectives[0].goal)) best = v;
    }
    out.push_back(best);
  }
  return out;
}

OrderedJson StudyResultsToJson(const StudySpec& spec, const StudyResults& results) {
  auto params_of = [&](const TrialOutcome& t) {
    OrderedJson p = OrderedJson::object();
    for (size_t d = 0; d < spec.space.size() && d < t.params.size(); ++d) {
      p[spec.space[d].name] = t.params[d];
    }
    return p;
  };
  auto objectives_of = [&](const TrialOutcome& t) {
    OrderedJson o = OrderedJson::object();
    for (size_t k = 0; k < spec.objectives.size(); ++k) {
      o[spec.objectives[k].name] = t.objectives[k] ? OrderedJson(*t.objectives[k]) : OrderedJson();
    }
    return o;
  };
  OrderedJson j = OrderedJson::object();
  j["study"] = spec.name;
  j["sampler"] = std::string(SamplerName(spec.sampler));
  OrderedJson objectives = OrderedJson::array();
  for (const StudyObjective& o : spec.objectives) {
    objectives.push_back({{"name", o.name}, {"goal", std::string(GoalName(o.goal))}});
  }
  j["objectives"] = std::move(objectives);
  OrderedJson trials = OrderedJson::array();
  for (const TrialOutcome& t : results.trials) {
    OrderedJson r = {{"trial", t.name}, {"state", std::string(TrialStateName(t.state))},
                     {"attempts", t.attempts}};
    r["params"] = params_of(t);
    r["objectives"] = objectives_of(t);
    if (t.state == TrialState::kNoResult) r["missing"] = t.missing;
    if (!t.reason.empty()) r["reason"] = t.reason;
    trials.push_back(std::move(r));
  }
  j["trials"] = std::move(trials);
  OrderedJson counts = OrderedJson::object();
  counts["total"] = results.trials.size();
  for (TrialState s : kAllTrialStates) {
    counts[std::string(TrialStateName(s))] = results.counts.at(s);
  }
  j["counts"] = std::move(counts);
  if (spec.objectives.size() == 1) {
    if (results.best) {
      const TrialOutcome& b = results.trials[*results.best];
      j["best"] = {{"trial", b.name}, {"value", *b.objectives[0]}};
      j["best"]["params"] = params_of(b);
    } else {
      j["best"] = nullptr;
    }
  } else {
    OrderedJson front = OrderedJson::array();
    for (size_t i : results.pareto_front) {
      const TrialOutcome& t = results.trials[i];
      OrderedJson r = {{"trial", t.name}};
      r["objectives"] = objectives_of(t);
      r["params"] = params_of(t);
      front.push_back(std::move(r));
    }
    j["pareto_front"] = std::move(front);
  }
  return j;
}

}  // namespace allot
