#include "model/source_doc.h"

namespace allot {

void AppendPathSegment(std::string* path, std::string_view key) {
  path->push_back('/');
  for (char c : key) {
    if (c == '~') {
      path->append("~0");
    } else if (c == '/') {
      path->append("~1");
    } else {
      path->push_back(c);
    }
  }
}

std::string ChildPath(std::string_view parent, std::string_view key) {
  std::string path(parent);
  AppendPathSegment(&path, key);
  return path;
}

std::string ChildPath(std::string_view parent, size_t index) {
  std::string path(parent);
  path.push_back('/');
  path.append(std::to_string(index));
  return path;
}

int LineMap::Set(std::string path, int line) {
  auto [it, inserted] = lines_.try_emplace(std::move(path), line);
  if (inserted) return 0;
  int first = it->second;
  it->second = line;
  return first;
}

int LineMap::Find(std::string_view path) const {
  while (true) {
    if (auto it = lines_.find(path); it != lines_.end()) return it->second;
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return 0;
    path = path.substr(0, slash);
  }
}

}  // namespace allot
