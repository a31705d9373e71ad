#include "study/study_spec.h"

#include <cmath>
#include <vector>

#include "model/diagnostic.h"
#include "study/study_spec_parser.h"

namespace allot {

std::string_view ParameterTypeName(ParameterType t) {
  switch (t) {
    case ParameterType::kFloat: return "float";
    case ParameterType::kInt: return "int";
    case ParameterType::kChoice: return "choice";
  }
  return "float";
}

std::string_view GoalName(Goal g) { return g == Goal::kMinimize ? "minimize" : "maximize"; }

std::string_view SamplerName(SamplerKind s) {
  switch (s) {
    case SamplerKind::kSobol: return "sobol";
    case SamplerKind::kRandom: return "random";
    case SamplerKind::kGrid: return "grid";
  }
  return "sobol";
}

std::string StudySpecToJson(const StudySpec& spec) {
  OrderedJson j = OrderedJson::object();
  j["study"] = spec.name;
  OrderedJson space = OrderedJson::object();
  for (const StudyParameter& p : spec.space) {
    OrderedJson d = OrderedJson::object();
    d["type"] = std::string(ParameterTypeName(p.type));
    if (p.type == ParameterType::kChoice) {
      d["values"] = OrderedJson(p.values);
    } else if (p.type == ParameterType::kInt) {
      d["low"] = static_cast<int64_t>(std::llround(p.low));
      d["high"] = static_cast<int64_t>(std::llround(p.high));
      d["log"] = p.log;
    } else {
      d["low"] = p.low;
      d["high"] = p.high;
      d["log"] = p.log;
    }
    space[p.name] = std::move(d);
  }
  j["space"] = std::move(space);
  OrderedJson objectives = OrderedJson::array();
  for (const StudyObjective& o : spec.objectives) {
    objectives.push_back({{"name", o.name}, {"goal", std::string(GoalName(o.goal))}});
  }
  j["objectives"] = std::move(objectives);
  j["sampler"] = std::string(SamplerName(spec.sampler));
  j["seed"] = spec.seed;
  j["trials"] = spec.trials;
  if (spec.sampler == SamplerKind::kGrid) j["points"] = spec.points;
  j["parallel"] = spec.parallel;
  j["trial"] = spec.trial;
  if (!spec.scenarios.is_null()) j["scenarios"] = spec.scenarios;
  return j.dump();
}

Result<StudySpec> StudySpecFromJson(std::string_view text) {
  std::vector<Diagnostic> problems;
  Result<StudySpec> spec = ParseStudySpec("study.json", text, &problems, nullptr);
  if (!spec.ok()) {
    return Status::InvalidArgument("not a normalized study spec: " +
                                   (problems.empty() ? spec.status().message()
                                                     : problems.front().ToString()));
  }
  return spec;
}

}  // namespace allot
