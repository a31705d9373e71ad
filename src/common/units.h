// Parsing and printing of the human units users write in task files and flags:
// durations ("90", "90s", "10min", "1h30m", "2d", "01:30:00") and sizes ("2G", "512MiB").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace allot {

// Accepts a bare number of seconds (integer or decimal), a sequence of <number><unit> with
// units ms, s, sec, m, min, h, hr, d (e.g. "1h30m", "10min", "1.5h"), or [[D-]HH:]MM:SS.
// Rejects negative values and empty input with a message saying what is accepted.
Result<Duration> ParseDuration(std::string_view text);

// Accepts a bare number of bytes or <number><unit> with units K, M, G, T (binary: 1G = 2^30),
// optionally followed by "B" or "iB", case-insensitive ("2G", "512MiB", "1.5g").
Result<int64_t> ParseSize(std::string_view text);

// "1h 02m 03s"-style short form: "45ms", "12.3s", "4m05s", "2h01m", "3d04h".
std::string FormatDuration(Duration d);
// "1.5 GiB"-style short form.
std::string FormatSize(int64_t bytes);
// "1 core", "2 cores", "0 GPUs": `n` and `noun`, with an "s" unless n is 1.
std::string Counted(int64_t n, std::string_view noun);

}  // namespace allot
