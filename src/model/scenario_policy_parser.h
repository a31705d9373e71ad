// Reading the `scenarios:` block of a workflow file (model/scenario_policy_spec.h) into a
// ScenarioPolicySpec, with every problem as a diagnostic naming the line and the key:
//   tasks.yaml:4: field 'scenarios.reduction_factor': must be a number >= 2 (got 1)
//   tasks.yaml:3: field 'scenarios.policy': must be asha or promise (got "ahsa") (did you mean
//   'asha'?)
//
// Keys and what they accept:
//   policy            asha | promise; required
//   mode              min | max; default min
//   metric            asha, required: a metric name (1 to 64 characters of [A-Za-z0-9_.:/-],
//                     starting with a letter or '_', as model/metric_point.h)
//   reduction_factor  asha: a number >= 2 (default 3)
//   grace             asha: an integer >= 1 (default 1): the first rung's step. Not 0: rung
//                     steps are grace * eta^k, so 0 would put every rung at step 0.
//   max_step          asha: an integer >= grace; default none (rungs without end)
//   action            asha: stop | deprioritize; default stop
//   score             promise, required: a non-empty mapping of metric name -> finite number
//   priority_range    promise: an integer from 1 to 1000000 (default 100)
// A key of the other policy is a problem ("belongs to policy promise, not asha"), as is an
// unknown key (with a did-you-mean). null means "not written", as everywhere in task files; a
// null block is no block.
// No shared state: calls on different sinks may run concurrently.
#pragma once

#include <optional>
#include <string_view>

#include "model/diagnostic_sink.h"
#include "model/scenario_policy_spec.h"
#include "model/source_doc.h"

namespace allot {

// The name of the block in a workflow file, and the prefix of its diagnostics' fields.
inline constexpr std::string_view kScenariosKey = "scenarios";

// The spec `block` (the value of `scenarios:`) describes, or nullopt with the problems added to
// `sink` (fields "scenarios.<key>", task id empty). nullopt without a problem when the block is
// null.
std::optional<ScenarioPolicySpec> ParseScenarioPolicy(const SourceValue& block,
                                                      DiagnosticSink* sink);

}  // namespace allot
