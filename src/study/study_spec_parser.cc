#include "study/study_spec_parser.h"

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "model/diagnostic_sink.h"
#include "model/did_you_mean.h"
#include "model/json_source.h"
#include "model/scenario_policy_parser.h"
#include "model/value_readers.h"
#include "model/yaml_source.h"
#include "study/grid_sampler.h"

namespace allot {
namespace {

const std::vector<std::string_view> kTopKeys = {"study",    "space",  "objectives", "sampler",
                                                "seed",     "trials", "points",     "parallel",
                                                "trial",    "scenarios"};
const std::vector<std::string_view> kParameterKeys = {"type", "low", "high", "log", "values"};
const std::vector<std::string_view> kObjectiveKeys = {"name", "goal"};
// Fields of a task that a study sets itself, per trial.
const std::vector<std::string_view> kTrialBodyForbidden = {"id", "depends_on", "sweep"};

constexpr int kMaxTrials = 100000;

// What other tools call our keys and values, for the did-you-mean of an unknown one.
std::string_view Alias(std::string_view word) {
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"params", "space"},        {"parameters", "space"},     {"search_space", "space"},
      {"objective", "objectives"}, {"metrics", "objectives"},  {"n_trials", "trials"},
      {"budget", "trials"},        {"n_jobs", "parallel"},     {"concurrency", "parallel"},
      {"name", "study"},           {"min", "minimize"},        {"max", "maximize"},
      {"direction", "goal"},       {"mode", "goal"},           {"categorical", "choice"},
      {"choices", "values"},       {"integer", "int"},         {"real", "float"},
      {"double", "float"},         {"lower", "low"},           {"upper", "high"},
      {"quasirandom", "sobol"},    {"qmc", "sobol"},           {"uniform", "random"}};
  for (const auto& [from, to] : kAliases) {
    if (word == from) return to;
  }
  return {};
}

std::string Hint(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string hint(Alias(word));
  bool listed = false;
  for (std::string_view c : candidates) listed = listed || c == hint;
  if (!listed) hint = DidYouMean(word, candidates);
  return hint.empty() ? "" : " (did you mean '" + hint + "'?)";
}

std::string Join(const std::vector<std::string_view>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + std::string(words[i]);
  }
  return out;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(s[0])) return false;
  for (char c : s) {
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsName(std::string_view s, std::string_view extra) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    extra.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

class Parser {
 public:
  explicit Parser(DiagnosticSink* sink) : sink_(sink) {}

  bool Parse(const SourceValue& root, StudySpec* spec) {
    if (!root.json().is_object()) {
      Error(root, "", "a study file is a mapping with study, space, objectives, trials and "
                      "trial (got " + DescribeValue(root.json()) + ")");
      return false;
    }
    std::optional<SourceValue> trials, points, trial, space, objectives;
    bool grid = false;
    for (size_t i = 0; i < root.size(); ++i) {
      const std::string& key = root.KeyAt(i);
      const SourceValue v = root.Child(i);
      if (!Contains(kTopKeys, key)) {
        Error(v, key, "unknown key; expected " + Join(kTopKeys) + Hint(key, kTopKeys));
        continue;
      }
      if (v.json().is_null()) continue;
      if (key == "study") {
        if (!v.json().is_string() || !IsName(v.json().get_ref<const std::string&>(), "_.-")) {
          Error(v, key, "must be a name of 1 to 64 letters, digits and _ . - (got " +
                            DescribeValue(v.json()) + ")");
        } else {
          spec->name = v.json().get<std::string>();
        }
      } else if (key == "space") {
        space = v;
      } else if (key == "objectives") {
        objectives = v;
      } else if (key == "sampler") {
        const std::vector<std::string_view> kinds = {"sobol", "random", "grid"};
        std::string s = v.json().is_string() ? v.json().get<std::string>() : "";
        if (s == "sobol") {
          spec->sampler = SamplerKind::kSobol;
        } else if (s == "random") {
          spec->sampler = SamplerKind::kRandom;
        } else if (s == "grid") {
          spec->sampler = SamplerKind::kGrid;
          grid = true;
        } else {
          Error(v, key, "must be sobol, random or grid (got " + DescribeValue(v.json()) + ")" +
                            (v.json().is_string() ? Hint(s, kinds) : ""));
        }
      } else if (key == "seed") {
        Result<int64_t> n = ReadInteger(v.json(), 0, INT64_MAX, "an integer >= 0");
        n.ok() ? void(spec->seed = static_cast<uint64_t>(*n)) : Error(v, key, n.status().message());
      } else if (key == "trials") {
        trials = v;
      } else if (key == "points") {
        points = v;
      } else if (key == "parallel") {
        Result<int64_t> n = ReadInteger(v.json(), 1, 10000, "an integer from 1 to 10000");
        n.ok() ? void(spec->parallel = static_cast<int>(*n)) : Error(v, key, n.status().message());
      } else if (key == "trial") {
        trial = v;
      } else if (key == "scenarios") {
        ParseScenarioPolicy(v, sink_);
        if (sink_->count() == errors_) spec->scenarios = v.json();
        errors_ = sink_->count();
      }
    }
    if (spec->name.empty() && !Seen(root, "study")) Missing(root, "study", "the study's name");
    if (space) {
      ParseSpace(*space, spec);
    } else {
      Missing(root, "space", "the parameters, e.g. {x: {type: float, low: 0, high: 1}}");
    }
    if (objectives) {
      ParseObjectives(*objectives, spec);
    } else {
      Missing(root, "objectives",
              "the result keys to optimize, e.g. [{name: loss, goal: minimize}]");
    }
    if (trial) {
      ParseTrial(*trial, spec);
    } else {
      Missing(root, "trial", "what a trial runs, e.g. {command: ./sim --x {x}}");
    }
    if (points) {
      if (!grid) {
        Error(*points, "points", "only for sampler: grid (points per float parameter)");
      } else {
        Result<int64_t> n = ReadInteger(points->json(), 2, 1000, "an integer from 2 to 1000");
        n.ok() ? void(spec->points = static_cast<int>(*n))
               : Error(*points, "points", n.status().message());
      }
    }
    const bool space_ok = errors_ == sink_->count();
    if (grid) {
      if (space_ok && space) {
        const uint64_t n = GridPointCount(*spec);
        if (n > kMaxTrials) {
          Error(*space, "space", "the grid has " + std::to_string(n) + " points (at most " +
                                     std::to_string(kMaxTrials) + ")");
        } else {
          spec->trials = static_cast<int>(n);
          if (trials && !trials->json().is_null() &&
              AsInteger(trials->json()) != std::optional<int64_t>(n)) {
            Error(*trials, "trials",
                  "the grid has " + std::to_string(n) + " points, so " + std::to_string(n) +
                      " trials (got " + DescribeValue(trials->json()) +
                      "); leave trials out for a grid");
          }
        }
      }
    } else if (trials) {
      Result<int64_t> n = ReadInteger(trials->json(), 1, kMaxTrials,
                                      "an integer from 1 to " + std::to_string(kMaxTrials));
      n.ok() ? void(spec->trials = static_cast<int>(*n))
             : Error(*trials, "trials", n.status().message());
    } else {
      Missing(root, "trials", "the budget: how many trials to run");
    }
    return sink_->count() == 0;
  }

 private:
  static bool Contains(const std::vector<std::string_view>& keys, std::string_view key) {
    for (std::string_view k : keys) {
      if (k == key) return true;
    }
    return false;
  }
  static bool Seen(const SourceValue& v, std::string_view key) { return v.Find(key).has_value(); }

  void Error(const SourceValue& at, const std::string& field, const std::string& message) {
    sink_->Add(at.line(), "", field, message);
    errors_ = sink_->count();
  }
  void Missing(const SourceValue& root, const std::string& field, const std::string& what) {
    Error(root, field, "required: " + what);
  }

  void ParseSpace(const SourceValue& space, StudySpec* spec) {
    if (!space.json().is_object() || space.json().empty()) {
      Error(space, "space", "must be a non-empty mapping of parameter names to "
                            "{type: float|int|choice, ...} (got " +
                                DescribeValue(space.json()) + ")");
      return;
    }
    for (size_t i = 0; i < space.size(); ++i) {
      const std::string& name = space.KeyAt(i);
      const SourceValue v = space.Child(i);
      const std::string field = "space." + name;
      if (!IsIdentifier(name) || name == "trial" || name == "dep") {
        Error(v, field, "a parameter name is a letter or _ then letters, digits or _ (at most "
                        "64), and not trial or dep (those are taken by the study's templates)");
        continue;
      }
      if (!v.json().is_object()) {
        Error(v, field, "must be a mapping such as {type: float, low: 0, high: 1} (got " +
                            DescribeValue(v.json()) + ")");
        continue;
      }
      StudyParameter p;
      p.name = name;
      ParseParameter(v, field, &p);
      spec->space.push_back(std::move(p));
    }
  }

  void ParseParameter(const SourceValue& v, const std::string& field, StudyParameter* p) {
    std::optional<SourceValue> low, high, log, values;
    std::optional<ParameterType> type;
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string& key = v.KeyAt(i);
      const SourceValue m = v.Child(i);
      if (!Contains(kParameterKeys, key)) {
        Error(m, field + "." + key,
              "unknown key; expected " + Join(kParameterKeys) + Hint(key, kParameterKeys));
      } else if (key == "type") {
        const std::string s = m.json().is_string() ? m.json().get<std::string>() : "";
        if (s == "float") {
          type = ParameterType::kFloat;
        } else if (s == "int") {
          type = ParameterType::kInt;
        } else if (s == "choice") {
          type = ParameterType::kChoice;
        } else {
          Error(m, field + ".type", "must be float, int or choice (got " +
                                        DescribeValue(m.json()) + ")" +
                                        Hint(s, {"float", "int", "choice"}));
          return;
        }
      } else if (key == "low") {
        low = m;
      } else if (key == "high") {
        high = m;
      } else if (key == "log") {
        log = m;
      } else {
        values = m;
      }
    }
    if (!type) {
      Error(v, field + ".type", "required: float, int or choice");
      return;
    }
    p->type = *type;
    if (*type == ParameterType::kChoice) {
      for (const auto& [o, name] : {std::pair{low, "low"}, {high, "high"}, {log, "log"}}) {
        if (o) Error(*o, field + "." + name, "not for a choice (it has values)");
      }
      if (!values || !values->json().is_array() || values->json().empty()) {
        Error(values.value_or(v), field + ".values",
              "required for a choice: a non-empty list such as [lead, tungsten]");
        return;
      }
      std::set<std::string> seen;
      for (size_t k = 0; k < values->size(); ++k) {
        const SourceValue e = values->Child(k);
        const OrderedJson& j = e.json();
        const std::string f = field + ".values[" + std::to_string(k) + "]";
        if (!(j.is_string() || j.is_number() || j.is_boolean()) ||
            (j.is_number_float() && !std::isfinite(j.get<double>()))) {
          Error(e, f, "must be a string, a finite number or a boolean (got " + DescribeValue(j) +
                          ")");
        } else if (!seen.insert(j.dump()).second) {
          Error(e, f, "repeats " + DescribeValue(j));
        } else {
          p->values.push_back(j);
        }
      }
      return;
    }
    if (values) Error(*values, field + ".values", "only for type: choice");
    auto number = [&](const std::optional<SourceValue>& o, const char* name, double* out) {
      if (!o || o->json().is_null()) {
        Error(o.value_or(v), field + "." + name, std::string("required for a ") +
                                                     std::string(ParameterTypeName(*type)));
        return false;
      }
      const OrderedJson& j = o->json();
      if (*type == ParameterType::kInt) {
        Result<int64_t> n = ReadInteger(j, -(int64_t{1} << 53), int64_t{1} << 53, "a whole number");
        if (!n.ok()) {
          Error(*o, field + "." + name, n.status().message());
          return false;
        }
        *out = static_cast<double>(*n);
        return true;
      }
      if (!j.is_number() || !std::isfinite(j.get<double>())) {
        Error(*o, field + "." + name, "must be a finite number (got " + DescribeValue(j) + ")");
        return false;
      }
      *out = j.get<double>();
      return true;
    };
    const bool low_ok = number(low, "low", &p->low);
    const bool high_ok = number(high, "high", &p->high);
    if (log && !log->json().is_null()) {
      if (!log->json().is_boolean()) {
        Error(*log, field + ".log",
              "must be true or false (got " + DescribeValue(log->json()) + ")");
      } else {
        p->log = log->json().get<bool>();
      }
    }
    if (!low_ok || !high_ok) return;
    if (*type == ParameterType::kFloat ? !(p->low < p->high) : !(p->low <= p->high)) {
      Error(*high, field + ".high",
            std::string("must be ") + (*type == ParameterType::kFloat ? "above" : "at least") +
                " low (" + DescribeValue(low->json()) + "; got " + DescribeValue(high->json()) +
                ")");
    } else if (p->log && p->low <= 0) {
      Error(*low, field + ".low", "must be above 0 with log: true (got " +
                                      DescribeValue(low->json()) + ")");
    }
  }

  void ParseObjectives(const SourceValue& list, StudySpec* spec) {
    if (!list.json().is_array() || list.json().empty()) {
      Error(list, "objectives", "must be a non-empty list such as [{name: loss, goal: minimize}] "
                                "(got " + DescribeValue(list.json()) + ")");
      return;
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const SourceValue o = list.Child(i);
      const std::string field = "objectives[" + std::to_string(i) + "]";
      if (!o.json().is_object()) {
        Error(o, field, "must be a mapping {name: KEY, goal: minimize|maximize} (got " +
                            DescribeValue(o.json()) + ")");
        continue;
      }
      StudyObjective objective;
      bool named = false;
      bool has_goal = false;
      for (size_t k = 0; k < o.size(); ++k) {
        const std::string& key = o.KeyAt(k);
        const SourceValue m = o.Child(k);
        if (!Contains(kObjectiveKeys, key)) {
          Error(m, field + "." + key,
                "unknown key; expected name or goal" + Hint(key, kObjectiveKeys));
        } else if (key == "name") {
          if (!m.json().is_string() || m.json().get_ref<const std::string&>().empty()) {
            Error(m, field + ".name", "must be a result key such as loss (got " +
                                          DescribeValue(m.json()) + ")");
          } else if (!seen.insert(m.json().get<std::string>()).second) {
            Error(m, field + ".name", "repeats objective " + DescribeValue(m.json()));
          } else {
            objective.name = m.json().get<std::string>();
            named = true;
          }
        } else {
          has_goal = true;
          const std::string s = m.json().is_string() ? m.json().get<std::string>() : "";
          if (s == "minimize" || s == "maximize") {
            objective.goal = s == "minimize" ? Goal::kMinimize : Goal::kMaximize;
          } else {
            Error(m, field + ".goal", "must be minimize or maximize (got " +
                                          DescribeValue(m.json()) + ")" +
                                          Hint(s, {"minimize", "maximize"}));
          }
        }
      }
      if (!named && !o.Find("name")) Error(o, field + ".name", "required: a result key");
      if (!has_goal) Error(o, field + ".goal", "required: minimize or maximize");
      if (named) spec->objectives.push_back(std::move(objective));
    }
  }

  // The fields the study merges its own keys into must be mappings when written.
  void CheckMergedFields(const SourceValue& task, const std::string& field) {
    for (const char* key : {"tags", "resources"}) {
      std::optional<SourceValue> m = task.Find(key);
      if (m && !m->json().is_null() && !m->json().is_object()) {
        Error(*m, field + "." + key, "must be a mapping (got " + DescribeValue(m->json()) + ")");
      }
    }
  }

  static std::map<std::string, int> KeyLines(const SourceValue& task) {
    std::map<std::string, int> lines;
    for (size_t i = 0; task.json().is_object() && i < task.size(); ++i) {
      lines[task.KeyAt(i)] = task.Child(i).line();
    }
    return lines;
  }

  void ParseTrial(const SourceValue& trial, StudySpec* spec) {
    spec->trial_line = trial.line();
    if (!trial.json().is_object() || trial.json().empty()) {
      Error(trial, "trial", "must be a task body such as {command: ./sim --x {x}} or {tasks: "
                            "[...]} (got " + DescribeValue(trial.json()) + ")");
      return;
    }
    std::optional<SourceValue> tasks = trial.Find("tasks");
    if (!tasks) {
      for (std::string_view key : kTrialBodyForbidden) {
        if (std::optional<SourceValue> m = trial.Find(key)) {
          Error(*m, "trial." + std::string(key),
                "set by the study for each trial (ids are the trial's: t0000, t0001, ...); "
                "for several steps write trial: {tasks: [...]}");
        }
      }
      CheckMergedFields(trial, "trial");
      spec->trial_key_lines.push_back(KeyLines(trial));
      spec->trial = trial.json();
      return;
    }
    if (trial.size() != 1) {
      for (size_t i = 0; i < trial.size(); ++i) {
        if (trial.KeyAt(i) != "tasks") {
          Error(trial.Child(i), "trial." + trial.KeyAt(i),
                "beside tasks: a trial is either a task body or {tasks: [...]} (put shared "
                "fields in each task)");
        }
      }
    }
    if (!tasks->json().is_array() || tasks->json().empty()) {
      Error(*tasks, "trial.tasks", "must be a non-empty list of tasks (got " +
                                       DescribeValue(tasks->json()) + ")");
      return;
    }
    std::set<std::string> ids;
    for (size_t i = 0; i < tasks->size(); ++i) {
      const SourceValue t = tasks->Child(i);
      const std::string field = "trial.tasks[" + std::to_string(i) + "]";
      spec->trial_task_lines.push_back(t.line());
      spec->trial_key_lines.push_back(KeyLines(t));
      if (!t.json().is_object()) {
        Error(t, field, "must be a task (a mapping with id and what it runs; got " +
                            DescribeValue(t.json()) + ")");
        continue;
      }
      std::optional<SourceValue> id = t.Find("id");
      if (!id || !id->json().is_string() ||
          !IsName(id->json().get_ref<const std::string&>(), "_.")) {
        Error(id.value_or(t), field + ".id",
              "required: a local id of letters, digits, _ and . (the task's id is then "
              "t0000-ID; got " + (id ? DescribeValue(id->json()) : std::string("none")) + ")");
      } else if (!ids.insert(id->json().get<std::string>()).second) {
        Error(*id, field + ".id", "repeats id " + DescribeValue(id->json()));
      }
      CheckMergedFields(t, field);
      if (std::optional<SourceValue> sweep = t.Find("sweep")) {
        Error(*sweep, field + ".sweep", "a trial's tasks are swept by the study; no sweep here");
      }
      if (std::optional<SourceValue> deps = t.Find("depends_on")) {
        const OrderedJson& d = deps->json();
        bool ok = d.is_null() || d.is_string();
        if (d.is_array()) {
          ok = true;
          for (const OrderedJson& e : d) ok = ok && e.is_string();
        }
        if (!ok) {
          Error(*deps, field + ".depends_on",
                "must be a local id or a list of them (got " + DescribeValue(d) + ")");
        }
      }
    }
    spec->trial = trial.json();
  }

  DiagnosticSink* sink_;
  int errors_ = 0;
};

}  // namespace

Result<StudySpec> ParseStudySpec(std::string_view file_name, std::string_view text,
                                 std::vector<Diagnostic>* diagnostics,
                                 std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink{std::string(file_name)};
  SourceDoc doc;
  SourceError error;
  const bool json = file_name.size() >= 5 && file_name.substr(file_name.size() - 5) == ".json";
  const bool parsed =
      json ? ParseJsonSource(text, &doc, &error) : ParseYamlSource(text, &doc, &error);
  StudySpec spec;
  if (!parsed) {
    sink.Add(error.line, "", "", (json ? "JSON" : "YAML") + std::string(" syntax error: ") +
                                     error.message, error.column);
  } else {
    for (const SourceError& dup : doc.duplicate_keys) sink.Add(dup.line, "", "", dup.message);
    Parser(&sink).Parse(SourceValue(doc), &spec);
  }
  const int problems = sink.count();
  if (problems > 0) {
    std::vector<Diagnostic> found;
    sink.Finish(&found);
    if (diagnostics != nullptr) *diagnostics = found;
    return Status::InvalidArgument(std::string(file_name) + ": " + std::to_string(problems) +
                                   (problems == 1 ? " problem" : " problems"))
        .WithDiagnostics(std::move(found));
  }
  if (warnings != nullptr) sink.TakeWarnings(warnings);
  return spec;
}

}  // namespace allot
