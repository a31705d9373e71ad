#include "client/table_text.h"

#include <fmt/format.h>

#include "model/task_state.h"

namespace allot {

std::string CellText(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string CellText(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "-";
  auto it = object.find(key);
  return it == object.end() ? "-" : CellText(*it);
}

std::string CountsLine(const nlohmann::json& counts) {
  int64_t total = 0;
  std::string parts;
  auto add = [&](const std::string& name, const nlohmann::json& n) {
    if (!n.is_number_integer() || n.get<int64_t>() == 0) return;
    total += n.get<int64_t>();
    parts += fmt::format(" {} {},", n.get<int64_t>(), name);
  };
  if (counts.is_object()) {
    for (int i = 0; i < kTaskStateCount; ++i) {
      std::string name(TaskStateName(TaskState(i)));
      if (counts.contains(name)) add(name, counts[name]);
    }
    for (const auto& [name, n] : counts.items()) {
      if (!ParseTaskState(name)) add(name, n);
    }
  }
  if (!parts.empty()) parts.pop_back();
  return fmt::format("{} task{}:{}", total, total == 1 ? "" : "s", parts.empty() ? " none" : parts);
}

}  // namespace allot
