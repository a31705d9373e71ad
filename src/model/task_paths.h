// Where the relative paths written in a task file point: at the task file's own directory, so
// that a file runs the same from any directory (the rule of Snakemake's script: and of CWL) and
// the journal records absolute paths. Two things are paths there:
//   - a task's `workdir` (a task that names none runs where allot was started), and
//   - the program of its `command`, when it is a relative path with a '/' (./sim, bin/sim).
// Arguments are left alone (they are relative to the task's working directory, as in a shell),
// and so are bare names (python3: a PATH lookup) and programs the shell computes. Pure
// functions.
#pragma once

#include <string>
#include <string_view>

namespace allot {

// `path` joined to the absolute directory `dir` when relative, lexically normalized (no ".",
// ".." or empty segments, no trailing '/'). Absolute paths, and relative ones when `dir` is
// empty, are only normalized.
std::string ResolvePath(std::string_view dir, std::string_view path);

// Rewrites `*command` with its program resolved against `dir` (ResolvePath) when the program is a
// relative path with a '/': the first word, up to a blank or one of ; & | < >, made only of
// letters, digits, bytes >= 0x80 and . _ - + / @ % , : ^. Anything the shell would expand or
// treat specially (quotes, $, ~, =, globs, a leading '(' or '{', a word followed by '(') leaves
// the command unchanged. A resolved path with characters the shell would treat specially is
// single-quoted. An empty `dir` changes nothing. Returns whether it changed the command (it
// allocates only then: a million tasks are loaded at once).
bool ResolveCommandProgram(std::string_view dir, std::string* command);

}  // namespace allot
