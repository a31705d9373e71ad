// Times as `allot report` reads and writes them. Pure (apart from the local time zone, read by
// the C library); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace allot {

// --since: a date, "2024-05-01" or "2024-05-01T08:30[:00]" (also with a space for the T), in
// local time, or in UTC with a trailing "Z"; or a duration back from `now_us` ("3d", "12h",
// "90min", see ParseDuration). Unix microseconds. InvalidArgument saying what is accepted.
Result<int64_t> ParseSince(std::string_view text, int64_t now_us);

// "2024-05-01T08:30:00Z" (whole seconds, UTC): the machine formats (CSV, JSON).
std::string FormatUtcTimestamp(int64_t unix_us);
// "2024-05-01 10:30:00 CEST" (whole seconds, local time with its zone), as the CLI prints
// times: what people read (the table, the HTML page).
std::string FormatLocalTimestamp(int64_t unix_us);

}  // namespace allot
