#include "exec/executable_lookup.h"

#include <sys/stat.h>
#include <unistd.h>

namespace allot {
namespace {

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

// path = dir + "/" + name, made relative to cwd when dir is relative.
void JoinInto(std::string_view cwd, std::string_view dir, std::string_view name,
              std::string* path) {
  path->clear();
  if (!dir.empty() && dir.front() == '/') {
    path->append(dir);
  } else {
    path->append(cwd.empty() ? "." : cwd);
    if (!dir.empty()) path->append("/").append(dir);
  }
  path->append("/").append(name);
}

}  // namespace

bool FindEnvValue(const std::vector<std::string>& env, std::string_view name,
                  std::string_view* value) {
  for (const std::string& entry : env) {
    if (entry.size() > name.size() && entry[name.size()] == '=' &&
        std::string_view(entry).substr(0, name.size()) == name) {
      *value = std::string_view(entry).substr(name.size() + 1);
      return true;
    }
  }
  return false;
}

std::string_view DefaultSearchPath() {
  static const std::string* const kPath = [] {
    size_t size = confstr(_CS_PATH, nullptr, 0);
    auto* path = new std::string(size > 0 ? size - 1 : 0, '\0');
    if (size > 0) confstr(_CS_PATH, path->data(), size);
    if (path->empty()) *path = "/bin:/usr/bin";
    return path;
  }();
  return *kPath;
}

bool FindExecutable(std::string_view word, std::string_view search_path, std::string_view cwd,
                    std::string* path) {
  if (word.empty()) return false;
  if (word.find('/') != std::string_view::npos) {
    if (word.front() == '/') {
      path->assign(word);
    } else {
      JoinInto(cwd, "", word, path);
    }
    return IsExecutableFile(*path);
  }
  size_t start = 0;
  while (start <= search_path.size()) {
    size_t end = search_path.find(':', start);
    if (end == std::string_view::npos) end = search_path.size();
    JoinInto(cwd, search_path.substr(start, end - start), word, path);
    if (IsExecutableFile(*path)) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace allot
