#include "model/task_paths.h"

#include <filesystem>

namespace allot {
namespace {

bool IsPlainPathByte(unsigned char c) {
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '.': case '_': case '-': case '+': case '/': case '@': case '%': case ',': case ':':
    case '^':
      return true;
    default:
      return false;
  }
}

bool EndsWord(char c) {
  switch (c) {
    case ' ': case '\t': case '\n': case ';': case '&': case '|': case '<': case '>': case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

// True when joining and normalizing `path` could change it: ".", ".." or empty segments, or a
// trailing '/'.
bool NeedsNormalizing(std::string_view path) {
  if (path.empty() || path.back() == '/' || path.front() == '.') return true;
  return path.find("//") != std::string_view::npos || path.find("/.") != std::string_view::npos;
}

std::string ShellQuoted(const std::string& path) {
  bool plain = true;
  for (unsigned char c : path) plain = plain && IsPlainPathByte(c);
  if (plain) return path;
  std::string out = "'";
  for (char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string ResolvePath(std::string_view dir, std::string_view path) {
  const bool relative = path.empty() || path.front() != '/';
  // Most paths are plain: join them without building filesystem paths.
  if (!NeedsNormalizing(path) &&
      (!relative || dir.empty() || !NeedsNormalizing(dir) || dir == "/")) {
    if (!relative || dir.empty()) return std::string(path);
    std::string out(dir);
    if (out != "/") out += '/';
    return out.append(path);
  }
  namespace fs = std::filesystem;
  fs::path p(path);
  if (relative && !dir.empty()) p = fs::path(dir) / p;
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

bool ResolveCommandProgram(std::string_view dir, std::string* command_text) {
  const std::string_view command = *command_text;
  size_t start = command.find_first_not_of(" \t");
  if (dir.empty() || start == std::string_view::npos) return false;
  size_t end = start;
  while (end < command.size() && !EndsWord(command[end])) ++end;
  const std::string_view word = command.substr(start, end - start);
  if (word.empty() || word.front() == '/' || word.find('/') == std::string_view::npos ||
      (end < command.size() && command[end] == '(')) {
    return false;
  }
  for (unsigned char c : word) {
    if (!IsPlainPathByte(c)) return false;
  }
  std::string program = ShellQuoted(ResolvePath(dir, word));
  command_text->replace(start, end - start, program);
  return true;
}

}  // namespace allot
