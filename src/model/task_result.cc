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

namespace {

json ParseDeps(const std::string& dep_results) {
  json deps = json::parse(dep_results.empty() ? "{}" : dep_results, nullptr, false);
  return deps.is_object() ? deps : json::object();
}

// KEY of the first result that is an object with it; NotFound naming the dependencies.
Result<const json*> FindDepResult(const json& deps, const std::string& key) {
  for (const auto& [id, result] : deps.items()) {
    if (result.is_object() && result.contains(key)) return &result[key];
  }
  std::string ids;
  for (const auto& [id, result] : deps.items()) ids += (ids.empty() ? "" : ", ") + id;
  return Status::NotFound("{dep.result." + key + "}: no result of its dependencies has '" + key +
                          "' (" + (ids.empty() ? "none has a result" : "results of " + ids) + ")");
}

std::string AsText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// `text` with each placeholder replaced by `render` of its value.
template <typename Render>
Result<std::string> Fill(const std::string& text, const json& deps, Render render) {
  const std::string open = "{" + std::string(kDepResultPrefix);
  size_t at = text.find(open);
  if (at == std::string::npos) return text;
  std::string out;
  size_t from = 0;
  for (; at != std::string::npos; at = text.find(open, from)) {
    const size_t close = text.find('}', at);
    if (close == std::string::npos) break;
    const std::string key = text.substr(at + open.size(), close - at - open.size());
    ALLOT_ASSIGN_OR_RETURN(const json* found, FindDepResult(deps, key));
    out += text.substr(from, at - from);
    out += render(*found);
    from = close + 1;
  }
  out += text.substr(from);
  return out;
}

Status FillStrings(json* j, const json& deps) {
  if (j->is_string()) {
    const std::string& s = j->get_ref<const std::string&>();
    const std::string open = "{" + std::string(kDepResultPrefix);
    if (s.starts_with(open) && s.ends_with("}") && s.find('}') == s.size() - 1) {
      const std::string key = s.substr(open.size(), s.size() - open.size() - 1);
      ALLOT_ASSIGN_OR_RETURN(const json* found, FindDepResult(deps, key));
      *j = *found;
      return Status::Ok();
    }
    ALLOT_ASSIGN_OR_RETURN(std::string filled, Fill(s, deps, AsText));
    *j = std::move(filled);
  } else if (j->is_structured()) {
    for (auto& member : *j) ALLOT_RETURN_IF_ERROR(FillStrings(&member, deps));
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> FillDepResults(const std::string& command, const std::string& dep_results) {
  if (command.find("{" + std::string(kDepResultPrefix)) == std::string::npos) return command;
  return Fill(command, ParseDeps(dep_results),
              [](const json& v) { return QuoteShellWord(AsText(v)); });
}

Result<std::string> FillDepResultsInJson(const std::string& json_text,
                                         const std::string& dep_results) {
  if (json_text.find("{" + std::string(kDepResultPrefix)) == std::string::npos) return json_text;
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return json_text;
  ALLOT_RETURN_IF_ERROR(FillStrings(&j, ParseDeps(dep_results)));
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace allot
