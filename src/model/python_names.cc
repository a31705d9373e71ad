#include "model/python_names.h"

#include <string>

namespace allot {
namespace {

bool IsLetter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

}  // namespace

bool IsPythonIdentifier(std::string_view name) {
  if (name.empty() || !IsLetter(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (!IsLetter(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsDottedPythonName(std::string_view name) {
  size_t from = 0;
  while (true) {
    size_t dot = name.find('.', from);
    if (!IsPythonIdentifier(name.substr(from, dot == std::string_view::npos ? dot : dot - from))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    from = dot + 1;
  }
}

bool IsPythonModulePath(std::string_view module) {
  return module.size() > 3 && module.ends_with(".py") &&
         module.find('\0') == std::string_view::npos;
}

Status CheckContainerMount(std::string_view mount) {
  const std::string shown = "'" + std::string(mount) + "'";
  const size_t first = mount.find(':');
  if (first == std::string_view::npos || first == 0) {
    return Status::InvalidArgument(shown + " must be \"HOST:CONTAINER\" or "
                                   "\"HOST:CONTAINER:ro\"");
  }
  std::string_view rest = mount.substr(first + 1);
  const size_t second = rest.find(':');
  std::string_view target = rest.substr(0, second);
  if (target.empty() || target[0] != '/') {
    return Status::InvalidArgument(shown + ": the path in the container must be absolute");
  }
  if (second != std::string_view::npos) {
    std::string_view mode = rest.substr(second + 1);
    if (mode != "ro" && mode != "rw") {
      return Status::InvalidArgument(shown + ": the mode after the second ':' must be ro or rw "
                                     "(got '" + std::string(mode) + "')");
    }
  }
  return Status::Ok();
}

}  // namespace allot
