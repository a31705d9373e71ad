// The one place where a Status becomes an HTTP error (docs/CLUSTER.md, "HTTP API"). The client
// side (client/api_client.cc) maps the codes back.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace allot {

// InvalidArgument 400, NotFound 404, FailedPrecondition and AlreadyExists 409, Unavailable
// 503, anything else 500. REQUIRES: !status.ok()
int HttpStatusFor(const Status& status);

// {"error": first line of the message}, plus, when there is more:
//   "problems": every further line of the message (empty lines dropped), then each of the
//               status's diagnostics as text (Diagnostic::ToString), for clients that print;
//   "diagnostics": the status's diagnostics as objects (model/diagnostic_json.h), for
//               clients that need the place: file, line, column, task, field, message.
nlohmann::json ErrorBody(const Status& status);

}  // namespace allot
