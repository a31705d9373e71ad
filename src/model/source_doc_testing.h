// Test helper: the line of a value of a SourceDoc named by a "/tasks/0/cores"-style path.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

#include "model/source_doc.h"

namespace allot::testing {

// Array elements by index, object members by key; -1 when the path names nothing.
inline int LineAt(const SourceDoc& doc, std::string_view path) {
  SourceValue v(doc);
  while (!path.empty()) {
    path.remove_prefix(1);  // '/'
    size_t slash = path.find('/');
    std::string part(path.substr(0, slash));
    path = slash == std::string_view::npos ? "" : path.substr(slash);
    if (v.json().is_array()) {
      size_t i = std::strtoul(part.c_str(), nullptr, 10);
      if (i >= v.size()) return -1;
      v = v.Child(i);
    } else {
      std::optional<SourceValue> member = v.Find(part);
      if (!member) return -1;
      v = *member;
    }
  }
  return v.line();
}

}  // namespace allot::testing
