// The last words of an attempt's stderr, for its reason when the shell could not run its
// command (exit 126 or 127): "sh: 1: ./simulate.sh: not found" belongs in the summary and in
// `allot status`, not only in <workdir>/<id>/stderr.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace allot {

// The last `max_lines` non-empty lines of `text` (blanks trimmed at both ends), joined with
// " | ", invisible and control characters escaped (common/utf8.h EscapeForDisplay), and at most
// `max_bytes` long: a longer tail keeps its end, after "...". Empty when `text` has no
// non-blank line.
std::string FormatStderrTail(std::string_view text, size_t max_lines = 3,
                             size_t max_bytes = 200);

// FormatStderrTail of the last 4 KiB of the file at `path`; empty when it cannot be read.
std::string ReadStderrTail(const std::string& path, size_t max_lines = 3);

}  // namespace allot
