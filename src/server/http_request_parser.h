// Parsing and validating the query parameters and JSON bodies of the HTTP API into the
// request structs of server/api_requests.h. Pure functions, no HTTP library types.
//
// Every error is InvalidArgument naming the parameter or body field, e.g.
//   query parameter 'limit': expected a non-negative integer, got 'ten'
//   query parameter 'states': unknown state 'runing'
//   query parameter 'colour': unknown (accepted: refs, states, limit)
//   body: malformed JSON: [json.exception.parse_error.101] ...
//   body field 'text': missing
//   body field 'action': unknown action 'stop' (accepted: cancel, pause, resume, skip)
// A parameter may be repeated; list parameters (refs, states) are comma-separated, and their
// values from every occurrence are concatenated; empty items are ignored.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/api_requests.h"

namespace allot {

// Decoded query parameters (the same type as httplib::Params).
using QueryParams = std::multimap<std::string, std::string>;

// For endpoints that take no parameters: InvalidArgument naming the first one given.
Status CheckNoQueryParams(const QueryParams& params);

Result<TaskQuery> ParseTaskQuery(const QueryParams& params);
Result<WaitRequest> ParseWaitQuery(const QueryParams& params);
Result<EventsRequest> ParseEventsQuery(const QueryParams& params);
Result<LogRequest> ParseLogQuery(const std::string& ref, const QueryParams& params);

// An empty body means {}.
Result<StopServerRequest> ParseStopServerBody(std::string_view body);
Result<SubmitRequest> ParseSubmitBody(std::string_view body);
Result<ControlRequest> ParseControlBody(std::string_view body);

}  // namespace allot
