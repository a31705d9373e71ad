// The JSON of a Diagnostic, wherever one leaves the process as data: the `diagnostics` of an
// HTTP error body (docs/CLUSTER.md) and the lines of `--diagnostics-json` (README):
//   {"file": "t.yaml", "line": 12, "column": null, "task": "sim-1", "field": "coers",
//    "message": "unknown field (did you mean 'cores'?)",
//    "text": "t.yaml:12: task 'sim-1': field 'coers': unknown field (did you mean 'cores'?)"}
// Every key is always there; what is unknown (line or column 0, an empty file, task or field)
// is null. `text` is Diagnostic::ToString, for readers that only print. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "common/diagnostic.h"

namespace allot {

nlohmann::json DiagnosticToJson(const Diagnostic& diagnostic);

// The inverse, leniently: a missing, null or mistyped key is left at its default (`text` is
// not read). A value that is not an object gives a Diagnostic whose message is its dump.
Diagnostic DiagnosticFromJson(const nlohmann::json& json);

}  // namespace allot
