// Small helpers shared by the client's tables: a JSON value as table cell text, and the
// "N tasks: 3 running, 1 failed" line.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace allot {

// null or absent -> "-", strings as they are, numbers and booleans as JSON writes them.
std::string CellText(const nlohmann::json& value);
// The member `key` of `object` as cell text ("-" when `object` is not an object or lacks it).
std::string CellText(const nlohmann::json& object, const char* key);

// "12 tasks: 3 running, 8 ready, 1 failed" from {state: n}, in the order of the task state
// machine (model/task_state.h), states with 0 left out; other keys follow in their order.
std::string CountsLine(const nlohmann::json& counts);

}  // namespace allot
