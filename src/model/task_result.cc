#include "model/task_result.h"

#include <nlohmann/json.hpp>

#include "common/units.h"
#include "model/shell_quote.h"
#include "model/string_template.h"

namespace allot {

using json = nlohmann::ordered_json;  // dependencies in depends_on order

Result<std::string> ParseTaskResult(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // JSON lines: the last non-empty one.
    size_t end = text.size();
    while (end > 0) {
      size_t start = text.rfind('\n', end - 1);
      start = start == std::string_view::npos ? 0 : start + 1;
      std::string_view line = text.substr(start, end - start);
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
        j = json::parse(line, nullptr, false);
        if (j.is_discarded()) {
          std::string shown(line.substr(0, 60));
          return Status::InvalidArgument("its result is not JSON (last line: '" + shown +
                                         (line.size() > 60 ? "...'" : "'") + ")");
        }
        break;
      }
      end = start == 0 ? 0 : start - 1;
    }
    if (j.is_discarded()) return Status::InvalidArgument("its result file is empty");
  }
  std::string compact = j.dump();
  if (static_cast<int64_t>(compact.size()) > kMaxResultBytes) {
    return Status::InvalidArgument("its result is " + FormatSize(compact.size()) +
                                   ", over the cap of " + FormatSize(kMaxResultBytes) +
                                   " (write large data to files and declare them as outputs)");
  }
  return compact;
}

std::string DepResultsJson(const std::vector<std::pair<std::string, std::string>>& results) {
  json o = json::object();
  for (const auto& [id, text] : results) {
    json v = json::parse(text, nullptr, false);
    o[id] = v.is_discarded() ? json(text) : std::move(v);
  }
  return o.dump();
}

Result<std::string> FillDepResults(const std::string& command, const std::string& dep_results) {
  const std::string open = "{" + std::string(kDepResultPrefix);
  size_t at = command.find(open);
  if (at == std::string::npos) return command;
  json deps = json::parse(dep_results.empty() ? "{}" : dep_results, nullptr, false);
  if (!deps.is_object()) deps = json::object();
  std::string out;
  size_t from = 0;
  for (; at != std::string::npos; at = command.find(open, from)) {
    const size_t close = command.find('}', at);
    if (close == std::string::npos) break;
    const std::string key = command.substr(at + open.size(), close - at - open.size());
    const json* found = nullptr;
    for (const auto& [id, result] : deps.items()) {
      if (result.is_object() && result.contains(key)) {
        found = &result[key];
        break;
      }
    }
    if (found == nullptr) {
      std::string ids;
      for (const auto& [id, result] : deps.items()) ids += (ids.empty() ? "" : ", ") + id;
      return Status::NotFound("{dep.result." + key + "}: no result of its dependencies has '" +
                              key + "' (" + (ids.empty() ? "none has a result" : "results of " + ids) +
                              ")");
    }
    out += command.substr(from, at - from);
    out += QuoteShellWord(found->is_string() ? found->get<std::string>() : found->dump());
    from = close + 1;
  }
  out += command.substr(from);
  return out;
}

}  // namespace allot
