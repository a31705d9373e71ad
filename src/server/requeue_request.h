// POST /api/v1/requeue {refs: [id or glob], failed: bool}: exactly one of a non-empty `refs`
// or `failed: true` (every failed task).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace allot {

struct RequeueRequest {
  std::vector<std::string> refs;
  bool failed = false;
};

// InvalidArgument naming the field for a malformed body.
Result<RequeueRequest> ParseRequeueBody(std::string_view body);

}  // namespace allot
