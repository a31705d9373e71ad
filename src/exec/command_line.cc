#include "exec/command_line.h"

#include <algorithm>
#include <array>

namespace allot {
namespace {

// Characters that may appear unquoted in a plain word. Everything else that is printable ASCII
// means shell syntax; bytes >= 0x80 (UTF-8) are plain, as in the shell.
bool IsPlainChar(unsigned char c) {
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-_./,:+@%^=").find(static_cast<char>(c)) != std::string_view::npos;
}

// Characters a "..." string may not contain to be taken literally.
bool IsSpecialInDoubleQuotes(char c) { return c == '$' || c == '`' || c == '\\'; }

}  // namespace

bool IsShellOnlyWord(std::string_view word) {
  static constexpr std::array<std::string_view, 51> kWords = {
      // Reserved words.
      "!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if",
      "in", "select", "then", "time", "until", "while", "[[", "]]",
      // Special and regular builtins that act on the shell itself or have no program.
      ".", ":", "alias", "bg", "break", "cd", "command", "continue", "eval", "exec", "exit",
      "export", "fg", "getopts", "hash", "jobs", "local", "read", "readonly", "return", "set",
      "shift", "source", "trap", "type", "ulimit", "umask", "unalias", "unset", "wait"};
  return std::find(kWords.begin(), kWords.end(), word) != kWords.end();
}

bool SplitPlainCommand(std::string_view command, std::vector<std::string>* words) {
  size_t count = 0;
  size_t i = 0;
  const size_t n = command.size();
  while (true) {
    while (i < n && (command[i] == ' ' || command[i] == '\t')) ++i;
    if (i == n) break;
    if (count == words->size()) words->emplace_back();
    std::string& word = (*words)[count++];
    word.clear();
    while (i < n && command[i] != ' ' && command[i] != '\t') {
      char c = command[i];
      if (c == '\'' || c == '"') {
        size_t close = command.find(c, i + 1);
        if (close == std::string_view::npos) return false;
        std::string_view inner = command.substr(i + 1, close - i - 1);
        for (char q : inner) {
          if (static_cast<unsigned char>(q) < 0x20 && q != '\t') return false;
          if (c == '"' && IsSpecialInDoubleQuotes(q)) return false;
        }
        word.append(inner);
        i = close + 1;
        continue;
      }
      if (!IsPlainChar(static_cast<unsigned char>(c))) return false;
      if (c == '=' && count == 1) return false;  // FOO=1 cmd: an assignment
      word.push_back(c);
      ++i;
    }
    // Quoting makes a reserved word plain but a builtin stays a builtin: check both ways.
    if (count == 1 && IsShellOnlyWord(word)) return false;
  }
  words->resize(count);
  return count > 0;
}

}  // namespace allot
