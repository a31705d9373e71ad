#include "model/diagnostic_json.h"

#include <string>

namespace allot {
namespace {

using Json = nlohmann::json;

Json TextOrNull(const std::string& text) { return text.empty() ? Json() : Json(text); }
Json NumberOrNull(int n) { return n > 0 ? Json(n) : Json(); }

std::string TextAt(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int NumberAt(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return 0;
  const int64_t n = it->get<int64_t>();
  return n > 0 && n <= INT32_MAX ? static_cast<int>(n) : 0;
}

}  // namespace

Json DiagnosticToJson(const Diagnostic& d) {
  return Json{{"file", TextOrNull(d.file)},       {"line", NumberOrNull(d.line)},
              {"column", NumberOrNull(d.column)}, {"task", TextOrNull(d.task_id)},
              {"field", TextOrNull(d.field)},     {"message", d.message},
              {"text", d.ToString()}};
}

Diagnostic DiagnosticFromJson(const Json& j) {
  Diagnostic d;
  if (!j.is_object()) {
    d.message = j.is_string() ? j.get<std::string>() : j.dump();
    return d;
  }
  d.file = TextAt(j, "file");
  d.line = NumberAt(j, "line");
  d.column = NumberAt(j, "column");
  d.task_id = TextAt(j, "task");
  d.field = TextAt(j, "field");
  d.message = TextAt(j, "message");
  return d;
}

}  // namespace allot
