// Joining command words into one shell command line that /bin/sh splits back into exactly
// those words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace allot {

// The word as is when it is non-empty and made only of characters the shell takes literally
// (letters, digits and _ @ % + = : , . / -), else in single quotes, with each ' written '\''.
std::string QuoteShellWord(std::string_view word);

// The quoted words separated by single spaces. A first word with '=' is quoted too, so that
// the shell does not take it for a variable assignment.
std::string JoinShellWords(const std::vector<std::string>& words);

}  // namespace allot
