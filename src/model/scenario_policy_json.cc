#include "model/scenario_policy_json.h"

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "model/diagnostic_sink.h"
#include "model/scenario_policy_parser.h"
#include "model/source_doc.h"

namespace allot {
namespace {

constexpr const char* kWhat = "scenario policy";

Status Invalid(std::vector<Diagnostic> problems) {
  std::string message = std::string(kWhat) + ": ";
  if (problems.size() > 1) message += std::to_string(problems.size()) + " problems: ";
  if (!problems.empty()) {
    const Diagnostic& first = problems.front();
    message += (first.field.empty() ? "" : "field '" + first.field + "': ") + first.message;
  }
  return Status::InvalidArgument(std::move(message)).WithDiagnostics(std::move(problems));
}

}  // namespace

std::string ScenarioPolicyToJson(const ScenarioPolicySpec& spec) {
  OrderedJson j = OrderedJson::object();
  const bool asha = spec.kind == ScenarioPolicySpec::Kind::kAsha;
  j["policy"] = asha ? "asha" : "promise";
  j["mode"] = spec.maximize ? "max" : "min";
  if (asha) {
    j["metric"] = spec.metric;
    j["reduction_factor"] = spec.reduction_factor;
    j["grace"] = spec.grace;
    if (spec.max_step) j["max_step"] = *spec.max_step;
    j["action"] = spec.action == ScenarioPolicySpec::Action::kStop ? "stop" : "deprioritize";
  } else {
    OrderedJson score = OrderedJson::object();
    for (const auto& [metric, weight] : spec.score) score[metric] = weight;
    j["score"] = std::move(score);
    j["priority_range"] = spec.priority_range;
  }
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

Result<ScenarioPolicySpec> ScenarioPolicyFromJson(std::string_view text) {
  OrderedJson j = OrderedJson::parse(text, nullptr, /*allow_exceptions=*/false);
  Diagnostic d;
  d.file = kWhat;
  if (j.is_discarded()) {
    d.message = "not JSON: " + std::string(text.substr(0, 80));
    return Invalid({std::move(d)});
  }
  if (j.is_null()) {
    d.message = "null: no policy";
    return Invalid({std::move(d)});
  }
  DiagnosticSink sink(kWhat);
  std::optional<ScenarioPolicySpec> spec =
      ParseScenarioPolicy(SourceValue(j, /*lines=*/nullptr, /*fallback_line=*/0), &sink);
  if (spec) return *std::move(spec);
  std::vector<Diagnostic> problems;
  sink.Finish(&problems);
  return Invalid(std::move(problems));
}

}  // namespace allot
