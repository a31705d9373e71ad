// The one place where a Status becomes an HTTP error (docs/CLUSTER.md, "HTTP API"). The client
// side (client/api_client.cc) maps the codes back.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace allot {

// InvalidArgument 400, NotFound 404, FailedPrecondition and AlreadyExists 409, Unavailable
// 503, anything else 500. REQUIRES: !status.ok()
int HttpStatusFor(const Status& status);

// {"error": first line of the message} plus {"problems": [every further line]} when the
// message has several lines (empty lines dropped).
nlohmann::json ErrorBody(const Status& status);

}  // namespace allot
