#include "common/diagnostic.h"

namespace allot {

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += (out.empty() ? "line " : ":") + std::to_string(line);
  }
  if (!out.empty()) out += ": ";
  if (!task_id.empty()) out += "task '" + task_id + "': ";
  if (!field.empty()) out += "field '" + field + "': ";
  out += message;
  return out;
}

}  // namespace allot
