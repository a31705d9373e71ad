#include "common/diagnostic.h"

#include "common/utf8.h"

namespace allot {

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += (out.empty() ? "line " : ":") + std::to_string(line);
  }
  if (!out.empty()) out += ": ";
  // Ids and field names come from the input: shown so that they cannot disguise the line.
  if (!task_id.empty()) out += "task '" + EscapeForDisplay(task_id) + "': ";
  if (!field.empty()) out += "field '" + EscapeForDisplay(field) + "': ";
  out += message;
  return out;
}

}  // namespace allot
