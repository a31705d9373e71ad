// Deciding how a task's command line runs: exec'd directly (split into argv here) when it is
// plain words, else handed to /bin/sh -c. Direct exec saves the shell's start-up (about a third
// of the cost of an empty task) and keeps the task's pid the one that the launcher tracks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace allot {

// Splits `command` into words when the shell would run it as one simple command whose meaning
// does not depend on the shell: words of plain characters separated by spaces or tabs, with
// '...' (taken literally) and "..." (without $, ` or \ inside) quoting, concatenated as in
// `a'b c'd`. Returns false (the caller must use /bin/sh -c) for anything else: expansions and
// operators ($ ` | & ; < > ( ) * ? [ ] { } ~ # ! \ and newlines or other control characters),
// an unterminated quote, a first word that assigns a variable (contains =) or names a shell
// keyword or a builtin with no program of the same name (cd, exit, export, if, ...), and an
// empty command. `words` is overwritten; its strings' capacity is reused.
bool SplitPlainCommand(std::string_view command, std::vector<std::string>* words);

// True for shell reserved words and for builtins that have no standalone program or whose
// program would behave differently (they change the shell itself).
bool IsShellOnlyWord(std::string_view word);

}  // namespace allot
