#include "model/shell_quote.h"

namespace allot {
namespace {

bool Literal(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("_@%+=:,./-").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::string QuoteShellWord(std::string_view word) {
  bool plain = !word.empty();
  for (unsigned char c : word) plain = plain && Literal(c);
  if (plain) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

std::string JoinShellWords(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string quoted = QuoteShellWord(words[i]);
    if (i == 0 && quoted == words[i] && quoted.find('=') != std::string::npos) {
      quoted = "'" + quoted + "'";
    }
    if (i > 0) out += ' ';
    out += quoted;
  }
  return out;
}

}  // namespace allot
