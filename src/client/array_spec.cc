#include "client/array_spec.h"

#include <charconv>
#include <string>
#include <unordered_set>

#include <fmt/format.h>

namespace allot {
namespace {

bool ParseIndex(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out >= 0;
}

Status Malformed(std::string_view item) {
  return Status::InvalidArgument(fmt::format(
      "--array: '{}' is not an index, a range A-B or a stepped range A-B:S (e.g. 1-100:2)",
      item));
}

}  // namespace

Result<std::vector<int64_t>> ParseArraySpec(std::string_view spec) {
  std::vector<int64_t> out;
  std::unordered_set<int64_t> seen;
  if (spec.empty()) return Malformed(spec);
  while (true) {
    size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    int64_t first = 0, last = 0, step = 1;
    size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      if (!ParseIndex(item, &first)) return Malformed(item);
      last = first;
    } else {
      std::string_view rest = item.substr(dash + 1);
      size_t colon = rest.find(':');
      if (!ParseIndex(item.substr(0, dash), &first) ||
          !ParseIndex(rest.substr(0, colon), &last) ||
          (colon != std::string_view::npos && !ParseIndex(rest.substr(colon + 1), &step))) {
        return Malformed(item);
      }
      if (last < first) {
        return Status::InvalidArgument(
            fmt::format("--array: range '{}' ends before it starts", item));
      }
      if (step < 1) {
        return Status::InvalidArgument(fmt::format("--array: step in '{}' must be >= 1", item));
      }
    }
    for (int64_t i = first; i <= last; i += step) {
      if (out.size() == kMaxArrayIndices) {
        return Status::InvalidArgument(
            fmt::format("--array: more than {} indices", kMaxArrayIndices));
      }
      if (!seen.insert(i).second) {
        return Status::InvalidArgument(fmt::format("--array: index {} appears twice", i));
      }
      out.push_back(i);
      if (last - i < step) break;  // no overflow past INT64_MAX
    }
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace allot
