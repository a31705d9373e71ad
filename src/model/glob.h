// Shell-style patterns for depends_on: '*' matches any run of characters (also none), '?'
// exactly one; everything else matches itself.
#pragma once

#include <string_view>

namespace allot {

bool IsGlobPattern(std::string_view text);

// True when `pattern` matches all of `text`. Linear in |pattern| * |text| at worst.
bool GlobMatch(std::string_view pattern, std::string_view text);

// The part of `pattern` before its first wildcard: every match starts with it.
std::string_view GlobLiteralPrefix(std::string_view pattern);

}  // namespace allot
