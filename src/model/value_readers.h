// Typed reads of one value of a task file, with the message to show when it does not fit.
// Messages are phrased to follow "field 'x': ", e.g. "must be a positive integer (got \"four\")".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/time.h"
#include "model/source_doc.h"

namespace allot {

// A short rendering of `v` for messages: "\"four\"", "3.5", "a list", "a mapping", "null".
std::string DescribeValue(const OrderedJson& v);

// `v` as an integer when it is an integer-valued number (4 or 4.0).
std::optional<int64_t> AsInteger(const OrderedJson& v);

// An integer in [min, max]; `expected` names what is accepted ("a positive integer").
Result<int64_t> ReadInteger(const OrderedJson& v, int64_t min, int64_t max,
                            const std::string& expected);

// A duration: a string for ParseDuration or a number of seconds. Never negative; zero only
// when `allow_zero`.
Result<Duration> ReadDuration(const OrderedJson& v, bool allow_zero);

// A size: a string for ParseSize ("2G") or a non-negative number of bytes.
Result<int64_t> ReadSize(const OrderedJson& v);

// A string, or a number or bool written out as text (integers as digits, floats in their
// shortest round-trip form). Anything else is an error.
Result<std::string> ReadText(const OrderedJson& v);

}  // namespace allot
