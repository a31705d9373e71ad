// Finding the program a directly exec'd command names, the way the shell would for the task:
// with the task's own PATH and relative to the task's working directory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace allot {

// The value of NAME in a "KEY=VALUE" environment; nullptr-free: returns false when absent.
bool FindEnvValue(const std::vector<std::string>& env, std::string_view name,
                  std::string_view* value);

// Resolves `word` (argv[0]) to a path that execve can run from the task's `cwd`:
// a word containing '/' is used as is when it names a regular file (relative to `cwd` when
// not absolute); otherwise the directories of `search_path` (an empty entry means the current
// directory, as in POSIX) are tried in order for a regular file with an execute bit. Returns
// false when nothing is found; the caller then lets the shell run the command, which reports
// "not found" (exit 127) or "permission denied" (126) exactly as users know it.
// `path` is overwritten (its capacity reused).
bool FindExecutable(std::string_view word, std::string_view search_path, std::string_view cwd,
                    std::string* path);

// The PATH a task gets when its environment has none (confstr(_CS_PATH)).
std::string_view DefaultSearchPath();

}  // namespace allot
