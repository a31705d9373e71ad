#include "model/task_profile.h"

#include <cctype>

namespace allot {
namespace {

bool IsSeparator(char c) {
  return c == '-' || c == '_' || c == '.' || c == ':' || c == '@' || c == '+' || c == '=' ||
         c == ',';
}

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string DerivedProfileName(std::string_view task_id) {
  // Drops trailing separators, then trailing parts (between separators) holding a digit —
  // what a sweep substitutes ("3", "1.5", "L1", "s2", "T300") — but never the first part.
  size_t end = task_id.size();
  while (end > 0 && IsSeparator(task_id[end - 1])) --end;
  while (end > 0) {
    size_t start = end;
    while (start > 0 && !IsSeparator(task_id[start - 1])) --start;
    const std::string_view part = task_id.substr(start, end - start);
    bool has_digit = false;
    for (char c : part) has_digit = has_digit || IsDigit(c);
    if (!has_digit || start == 0) break;
    end = start;
    while (end > 0 && IsSeparator(task_id[end - 1])) --end;
  }
  // Nothing but a first part of digits: the id itself ("42").
  bool all_digits = end > 0;
  for (size_t i = 0; i < end; ++i) all_digits = all_digits && IsDigit(task_id[i]);
  if (end == 0 || (all_digits && end < task_id.size())) return std::string(task_id);
  return std::string(task_id.substr(0, end));
}

std::string TaskProfileName(const TaskSpec& spec) {
  auto it = spec.tags.find("profile");
  if (it != spec.tags.end() && !it->second.empty()) return it->second;
  return DerivedProfileName(spec.id);
}

}  // namespace allot
