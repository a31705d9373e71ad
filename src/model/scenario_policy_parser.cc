#include "model/scenario_policy_parser.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "model/did_you_mean.h"
#include "model/value_readers.h"

namespace allot {
namespace {

const std::vector<std::string_view> kKeys = {"policy", "mode",   "metric",
                                             "reduction_factor", "grace", "max_step",
                                             "action", "score",  "priority_range"};
const std::vector<std::string_view> kAshaKeys = {"metric", "reduction_factor", "grace",
                                                 "max_step", "action"};
const std::vector<std::string_view> kPromiseKeys = {"score", "priority_range"};

// What other tools call our keys and values, for the did-you-mean of an unknown one.
std::string_view Alias(std::string_view word) {
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"eta", "reduction_factor"},   {"min_resource", "grace"}, {"grace_period", "grace"},
      {"max_resource", "max_step"},  {"max_t", "max_step"},     {"weights", "score"},
      {"minimize", "min"},           {"maximize", "max"},       {"prune", "stop"},
      {"successive_halving", "asha"}};
  for (const auto& [from, to] : kAliases) {
    if (word == from) return to;
  }
  return {};
}

std::string Hint(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string hint(Alias(word));
  if (hint.empty()) hint = DidYouMean(word, candidates);
  return hint.empty() ? "" : " (did you mean '" + hint + "'?)";
}

bool Contains(const std::vector<std::string_view>& keys, std::string_view key) {
  for (std::string_view k : keys) {
    if (k == key) return true;
  }
  return false;
}

// "" for a valid metric name (model/metric_point.h), else what is wrong with it.
std::string MetricNameProblem(std::string_view name) {
  const std::string shown = DescribeValue(OrderedJson(std::string(name)));
  if (name.empty()) return "a metric name must not be empty";
  if (name.size() > 64) {
    return "metric name " + shown + " is " + std::to_string(name.size()) +
           " characters (at most 64)";
  }
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(name[0]) && name[0] != '_') {
    return "metric name " + shown + " must start with a letter or '_'";
  }
  for (char c : name) {
    const bool ok = letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
                    c == '/' || c == '-';
    if (!ok) {
      return "metric name " + shown + ": " + DescribeValue(OrderedJson(std::string(1, c))) +
             " is not allowed (letters, digits and _ . : / - are)";
    }
  }
  return "";
}

// DescribeValue, but a number that is not finite (YAML's .inf, .nan) as itself, not "null".
std::string Describe(const OrderedJson& v) {
  if (v.is_number_float() && !std::isfinite(v.get<double>())) {
    const double d = v.get<double>();
    return std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf";
  }
  return DescribeValue(v);
}

// One of `choices` (written "a or b"), with a did-you-mean.
std::optional<std::string> ReadChoice(const OrderedJson& v,
                                      const std::vector<std::string_view>& choices,
                                      std::string* problem) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (Contains(choices, s)) return s;
  }
  std::string expected;
  for (size_t i = 0; i < choices.size(); ++i) {
    expected += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + std::string(choices[i]);
  }
  *problem = "must be " + expected + " (got " + DescribeValue(v) + ")" +
             (v.is_string() ? Hint(v.get_ref<const std::string&>(), choices) : "");
  return std::nullopt;
}

}  // namespace

std::optional<ScenarioPolicySpec> ParseScenarioPolicy(const SourceValue& block,
                                                      DiagnosticSink* sink) {
  const std::string prefix = std::string(kScenariosKey) + ".";
  const OrderedJson& j = block.json();
  if (j.is_null()) return std::nullopt;
  if (!j.is_object()) {
    sink->Add(block.line(), "", std::string(kScenariosKey),
              "must be a mapping with policy (asha or promise) and its settings (got " +
                  DescribeValue(j) + ")");
    return std::nullopt;
  }
  ScenarioPolicySpec spec;
  bool ok = true;
  auto error = [&](const SourceValue& at, const std::string& field, const std::string& message) {
    sink->Add(at.line(), "", prefix + field, message);
    ok = false;
  };
  std::optional<ScenarioPolicySpec::Kind> kind;
  bool policy_written = false;
  bool grace_ok = true;
  std::optional<SourceValue> max_step;
  bool metric_written = false;
  bool score_written = false;
  for (size_t i = 0; i < block.size(); ++i) {
    const std::string& key = block.KeyAt(i);
    const SourceValue member = block.Child(i);
    const OrderedJson& v = member.json();
    if (!Contains(kKeys, key)) {
      error(member, key,
            "unknown key; expected policy, mode, metric, reduction_factor, grace, max_step, "
            "action, score, priority_range" + Hint(key, kKeys));
      continue;
    }
    if (v.is_null()) continue;  // not written
    std::string problem;
    if (key == "policy") {
      policy_written = true;
      if (std::optional<std::string> p = ReadChoice(v, {"asha", "promise"}, &problem)) {
        kind = *p == "asha" ? ScenarioPolicySpec::Kind::kAsha : ScenarioPolicySpec::Kind::kPromise;
      }
    } else if (key == "mode") {
      if (std::optional<std::string> m = ReadChoice(v, {"min", "max"}, &problem)) {
        spec.maximize = *m == "max";
      }
    } else if (key == "metric") {
      if (!v.is_string()) {
        problem = "must be a metric name such as loss (got " + DescribeValue(v) + ")";
      } else if (problem = MetricNameProblem(v.get_ref<const std::string&>()); problem.empty()) {
        spec.metric = v.get<std::string>();
      }
      metric_written = true;
    } else if (key == "reduction_factor") {
      if (v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 2) {
        spec.reduction_factor = v.get<double>();
      } else {
        problem = "must be a number >= 2 (got " + Describe(v) + ")";
      }
    } else if (key == "grace") {
      Result<int64_t> n =
          ReadInteger(v, 1, std::numeric_limits<int64_t>::max(), "an integer >= 1");
      n.ok() ? void(spec.grace = *n) : void(problem = n.status().message());
      grace_ok = n.ok();
    } else if (key == "max_step") {
      max_step = member;  // checked against grace below, wherever grace is written
    } else if (key == "action") {
      if (std::optional<std::string> a = ReadChoice(v, {"stop", "deprioritize"}, &problem)) {
        spec.action = *a == "stop" ? ScenarioPolicySpec::Action::kStop
                                   : ScenarioPolicySpec::Action::kDeprioritize;
      }
    } else if (key == "score") {
      score_written = true;
      if (!v.is_object()) {
        problem = "must be a mapping of metric names to weights, e.g. {accuracy: 1, loss: -0.5} "
                  "(got " + DescribeValue(v) + ")";
      } else if (v.empty()) {
        problem = "must name at least one metric with its weight, e.g. {accuracy: 1}";
      }
      for (size_t k = 0; v.is_object() && k < member.size(); ++k) {
        const std::string& name = member.KeyAt(k);
        const SourceValue weight = member.Child(k);
        if (std::string bad = MetricNameProblem(name); !bad.empty()) {
          error(weight, key + "." + name, bad);
        } else if (!weight.json().is_number() || !std::isfinite(weight.json().get<double>())) {
          error(weight, key + "." + name,
                "must be a finite number: the metric's weight (got " +
                    Describe(weight.json()) + ")");
        } else {
          spec.score[name] = weight.json().get<double>();
        }
      }
    } else if (key == "priority_range") {
      Result<int64_t> n = ReadInteger(v, 1, 1000000, "an integer from 1 to 1000000");
      n.ok() ? void(spec.priority_range = static_cast<int>(*n))
             : void(problem = n.status().message());
    }
    if (!problem.empty()) error(member, key, problem);
  }
  if (max_step) {
    const std::optional<int64_t> n = AsInteger(max_step->json());
    const int64_t least = grace_ok ? spec.grace : 1;
    if (!n || *n < least) {
      error(*max_step, "max_step",
            "must be an integer >= grace (" + std::to_string(least) + ") (got " +
                DescribeValue(max_step->json()) + ")");
    } else {
      spec.max_step = *n;
    }
  }
  // A required key that is absent, or null, is missing (at its line when written as null).
  auto missing = [&](const char* key, const std::string& message) {
    const std::optional<SourceValue> at = block.Find(key);
    error(at ? *at : block, key, message);
  };
  if (!policy_written) {
    missing("policy", "missing 'policy': asha (successive halving on one metric) or promise "
                      "(priority by a weighted score)");
  }
  if (kind) {
    spec.kind = *kind;
    const bool asha = *kind == ScenarioPolicySpec::Kind::kAsha;
    for (size_t i = 0; i < block.size(); ++i) {
      const std::string& key = block.KeyAt(i);
      if (block.Child(i).json().is_null()) continue;
      if (Contains(asha ? kPromiseKeys : kAshaKeys, key)) {
        error(block.Child(i), key,
              asha ? "belongs to policy promise, not asha" : "belongs to policy asha, not promise");
      }
    }
    if (asha && !metric_written) {
      missing("metric", "missing 'metric': the metric ASHA compares at each rung");
    }
    if (!asha && !score_written) {
      missing("score",
              "missing 'score': the weights of the metrics, e.g. {accuracy: 1, loss: -0.5}");
    }
  }
  if (!ok) return std::nullopt;
  return spec;
}

}  // namespace allot
