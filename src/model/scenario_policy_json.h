// The scenario policy (model/scenario_policy_spec.h) as compact JSON, for the journal's meta
// table: a campaign resumed with --resume gets back the policy it was started with.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/scenario_policy_spec.h"

namespace allot {

// The journal's meta key of the campaign's policy (this JSON).
inline constexpr std::string_view kScenarioPolicyMetaKey = "scenario_policy";

// The spec in the keys of the workflow file's `scenarios:` block, e.g.
//   {"policy":"asha","mode":"min","metric":"loss","reduction_factor":3,"grace":1,
//    "action":"stop"}
// Every key of the spec's policy is written, defaults included (max_step only when set);
// those of the other policy are not. Numbers round-trip exactly.
std::string ScenarioPolicyToJson(const ScenarioPolicySpec& spec);

// Reads ScenarioPolicyToJson's text back, checked as the block is (model/
// scenario_policy_parser.h). InvalidArgument "scenario policy: N problems: <first>" carrying
// the problems as diagnostics (file "scenario policy", no line) when the text is not JSON or
// not a valid block.
Result<ScenarioPolicySpec> ScenarioPolicyFromJson(std::string_view text);

}  // namespace allot
