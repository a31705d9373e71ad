// UTF-8 decoding for validating untrusted text (task files, ids). Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace allot {

// Decodes the code point starting at text[*pos] and advances *pos past it. Returns false (and
// leaves *pos) on an ill-formed sequence: a stray continuation byte, a truncated sequence, an
// overlong encoding, a surrogate, or a value above U+10FFFF. REQUIRES: *pos < text.size().
bool DecodeUtf8(std::string_view text, size_t* pos, char32_t* code_point);

// The byte offset of the first ill-formed sequence in `text`, or npos when it is valid UTF-8.
size_t FindInvalidUtf8(std::string_view text);

// True for code points that are invisible or change how text around them is displayed, which
// make an identifier look like another one: C0 and C1 controls, DEL, Unicode spaces and line
// separators other than U+0020, zero-width and bidirectional formatting characters, the byte
// order mark, soft hyphen, tag characters and interlinear annotation characters.
bool IsInvisibleOrControl(char32_t code_point);

// `text` as it may be shown on a terminal: each invisible or control code point (above) as
// <U+XXXX> and each byte of an ill-formed sequence as <XX>, the rest unchanged. A quoted id
// can then neither hide characters nor reorder the line it is printed on.
std::string EscapeForDisplay(std::string_view text);

}  // namespace allot
