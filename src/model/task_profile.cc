#include "model/task_profile.h"

#include <cctype>

namespace allot {
namespace {

bool IsSeparatorOrDigit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == ':' || c == '@' || c == '+' || c == '=' || c == ',';
}

}  // namespace

std::string DerivedProfileName(std::string_view task_id) {
  size_t end = task_id.size();
  while (end > 0 && IsSeparatorOrDigit(task_id[end - 1])) --end;
  if (end == 0) return std::string(task_id);
  return std::string(task_id.substr(0, end));
}

std::string TaskProfileName(const TaskSpec& spec) {
  auto it = spec.tags.find("profile");
  if (it != spec.tags.end() && !it->second.empty()) return it->second;
  return DerivedProfileName(spec.id);
}

}  // namespace allot
