#include "server/http_request_parser.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/source_doc.h"

namespace allot {
namespace {

using Json = nlohmann::json;

std::string Accepted(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

Status CheckKnownParams(const QueryParams& params, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : params) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || key == k;
    if (!ok) {
      return Status::InvalidArgument(
          fmt::format("query parameter '{}': unknown (accepted: {})", key, Accepted(known)));
    }
  }
  return Status::Ok();
}

std::vector<std::string> ListParam(const QueryParams& params, const std::string& key) {
  std::vector<std::string> out;
  auto [begin, end] = params.equal_range(key);
  for (auto it = begin; it != end; ++it) {
    std::string_view rest = it->second;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

// The last occurrence of `key`, or null when it is absent.
const std::string* ScalarParam(const QueryParams& params, const std::string& key) {
  auto [begin, end] = params.equal_range(key);
  if (begin == end) return nullptr;
  return &std::prev(end)->second;
}

Status IntParam(const QueryParams& params, const std::string& key, int64_t min, int64_t max,
                int64_t* out) {
  const std::string* text = ScalarParam(params, key);
  if (!text) return Status::Ok();
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || value < min || value > max) {
    std::string range = max == std::numeric_limits<int64_t>::max()
                            ? fmt::format("an integer >= {}", min)
                            : fmt::format("an integer from {} to {}", min, max);
    return Status::InvalidArgument(
        fmt::format("query parameter '{}': expected {}, got '{}'", key, range, *text));
  }
  *out = value;
  return Status::Ok();
}

Status SecondsParam(const QueryParams& params, const std::string& key, double max, double* out) {
  const std::string* text = ScalarParam(params, key);
  if (!text) return Status::Ok();
  char* end = nullptr;
  double value = text->empty() ? NAN : std::strtod(text->c_str(), &end);
  if (text->empty() || end != text->c_str() + text->size() || !std::isfinite(value) ||
      value < 0 || value > max) {
    return Status::InvalidArgument(fmt::format(
        "query parameter '{}': expected seconds from 0 to {}, got '{}'", key, max, *text));
  }
  *out = value;
  return Status::Ok();
}

Result<Json> ParseObject(std::string_view body, std::initializer_list<std::string_view> known) {
  Json json;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    json = Json::object();
  } else {
    // Bounded like task files: nesting is refused before it gets deep, and the parser's
    // message (which quotes the last token read, maybe the whole body) is cut short.
    struct TooDeep {};
    auto bounded = [](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxSourceDepth) throw TooDeep{};
      return true;
    };
    try {
      json = Json::parse(body, bounded);
    } catch (const TooDeep&) {
      return Status::InvalidArgument(fmt::format(
          "body: arrays and objects nested more than {} levels deep", kMaxSourceDepth));
    } catch (const Json::exception& e) {
      std::string what = e.what();
      if (what.size() > 200) {
        size_t cut = 200;  // at a character boundary
        while (cut > 0 && (static_cast<unsigned char>(what[cut]) & 0xC0) == 0x80) --cut;
        what = what.substr(0, cut) + "...";
      }
      return Status::InvalidArgument("body: malformed JSON: " + what);
    }
  }
  if (!json.is_object()) {
    return Status::InvalidArgument(
        fmt::format("body: expected a JSON object, got {}", json.type_name()));
  }
  for (const auto& [key, value] : json.items()) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || key == k;
    if (!ok) {
      return Status::InvalidArgument(
          fmt::format("body field '{}': unknown (accepted: {})", key, Accepted(known)));
    }
  }
  return json;
}

Status StringField(const Json& body, const char* key, bool required, std::string* out) {
  auto it = body.find(key);
  if (it == body.end()) {
    return required ? Status::InvalidArgument(fmt::format("body field '{}': missing", key))
                    : Status::Ok();
  }
  if (!it->is_string()) {
    return Status::InvalidArgument(
        fmt::format("body field '{}': expected a string, got {}", key, it->type_name()));
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

}  // namespace

Status CheckNoQueryParams(const QueryParams& params) { return CheckKnownParams(params, {}); }

Result<TaskQuery> ParseTaskQuery(const QueryParams& params) {
  ALLOT_RETURN_IF_ERROR(CheckKnownParams(params, {"refs", "states", "limit"}));
  TaskQuery query;
  query.refs = ListParam(params, "refs");
  for (const std::string& name : ListParam(params, "states")) {
    std::optional<TaskState> state = ParseTaskState(name);
    if (!state) {
      return Status::InvalidArgument(
          fmt::format("query parameter 'states': unknown state '{}'", name));
    }
    query.states.push_back(*state);
  }
  ALLOT_RETURN_IF_ERROR(
      IntParam(params, "limit", 0, std::numeric_limits<int64_t>::max(), &query.limit));
  return query;
}

Result<WaitRequest> ParseWaitQuery(const QueryParams& params) {
  ALLOT_RETURN_IF_ERROR(CheckKnownParams(params, {"refs", "timeout_s", "since"}));
  WaitRequest request;
  request.refs = ListParam(params, "refs");
  ALLOT_RETURN_IF_ERROR(
      SecondsParam(params, "timeout_s", WaitRequest::kMaxTimeoutS, &request.timeout_s));
  if (const std::string* since = ScalarParam(params, "since")) {
    request.since = ParseWaitMark(*since);
    if (!request.since) {
      return Status::InvalidArgument(fmt::format(
          "query parameter 'since': expected the `since` of a wait's answer (<n>.<n>.<n>), "
          "got '{}'",
          *since));
    }
  }
  return request;
}

Result<EventsRequest> ParseEventsQuery(const QueryParams& params) {
  ALLOT_RETURN_IF_ERROR(
      CheckKnownParams(params, {"after", "timeout_s", "limit", "after_metric", "after_decision"}));
  EventsRequest request;
  if (ScalarParam(params, "after_metric") != nullptr) {
    int64_t after_metric = 0;
    ALLOT_RETURN_IF_ERROR(IntParam(params, "after_metric", 0,
                                   std::numeric_limits<int64_t>::max(), &after_metric));
    request.after_metric = after_metric;
  }
  if (ScalarParam(params, "after_decision") != nullptr) {
    int64_t after_decision = 0;
    ALLOT_RETURN_IF_ERROR(IntParam(params, "after_decision", 0,
                                   std::numeric_limits<int64_t>::max(), &after_decision));
    request.after_decision = after_decision;
  }
  ALLOT_RETURN_IF_ERROR(
      IntParam(params, "after", 0, std::numeric_limits<int64_t>::max(), &request.after));
  ALLOT_RETURN_IF_ERROR(
      SecondsParam(params, "timeout_s", WaitRequest::kMaxTimeoutS, &request.timeout_s));
  ALLOT_RETURN_IF_ERROR(IntParam(params, "limit", 1, EventsRequest::kMaxLimit, &request.limit));
  return request;
}

Result<LogRequest> ParseLogQuery(const std::string& ref, const QueryParams& params) {
  ALLOT_RETURN_IF_ERROR(CheckKnownParams(params, {"stream", "offset"}));
  LogRequest request;
  request.ref = ref;
  if (const std::string* stream = ScalarParam(params, "stream")) {
    std::optional<LogStream> parsed = ParseLogStream(*stream);
    if (!parsed) {
      return Status::InvalidArgument(fmt::format(
          "query parameter 'stream': expected stdout or stderr, got '{}'", *stream));
    }
    request.stream = *parsed;
  }
  ALLOT_RETURN_IF_ERROR(
      IntParam(params, "offset", 0, std::numeric_limits<int64_t>::max(), &request.offset));
  return request;
}

Result<StopServerRequest> ParseStopServerBody(std::string_view body) {
  ALLOT_ASSIGN_OR_RETURN(Json json, ParseObject(body, {"kill"}));
  StopServerRequest request;
  auto it = json.find("kill");
  if (it != json.end()) {
    if (!it->is_boolean()) {
      return Status::InvalidArgument(
          fmt::format("body field 'kill': expected true or false, got {}", it->type_name()));
    }
    request.kill = it->get<bool>();
  }
  return request;
}

Result<SubmitRequest> ParseSubmitBody(std::string_view body) {
  ALLOT_ASSIGN_OR_RETURN(Json json, ParseObject(body, {"name", "text", "base_dir", "file_dir"}));
  SubmitRequest request;
  ALLOT_RETURN_IF_ERROR(StringField(json, "name", true, &request.name));
  ALLOT_RETURN_IF_ERROR(StringField(json, "text", true, &request.text));
  ALLOT_RETURN_IF_ERROR(StringField(json, "base_dir", true, &request.base_dir));
  if (request.name.empty()) return Status::InvalidArgument("body field 'name': empty");
  if (request.base_dir.empty() || request.base_dir[0] != '/') {
    return Status::InvalidArgument(fmt::format(
        "body field 'base_dir': expected an absolute path, got '{}'", request.base_dir));
  }
  ALLOT_RETURN_IF_ERROR(StringField(json, "file_dir", false, &request.file_dir));
  if (json.contains("file_dir") && (request.file_dir.empty() || request.file_dir[0] != '/')) {
    return Status::InvalidArgument(fmt::format(
        "body field 'file_dir': expected an absolute path, got '{}'", request.file_dir));
  }
  return request;
}

Result<ControlRequest> ParseControlBody(std::string_view body) {
  ALLOT_ASSIGN_OR_RETURN(Json json, ParseObject(body, {"action", "refs"}));
  ControlRequest request;
  std::string action;
  ALLOT_RETURN_IF_ERROR(StringField(json, "action", true, &action));
  std::optional<ControlAction> parsed = ParseControlAction(action);
  if (!parsed) {
    return Status::InvalidArgument(fmt::format(
        "body field 'action': unknown action '{}' (accepted: cancel, pause, resume, skip)",
        action));
  }
  request.action = *parsed;
  auto refs = json.find("refs");
  if (refs == json.end()) return Status::InvalidArgument("body field 'refs': missing");
  if (!refs->is_array() || refs->empty()) {
    return Status::InvalidArgument("body field 'refs': expected a non-empty list of task refs");
  }
  for (const Json& ref : *refs) {
    if (!ref.is_string() || ref.get_ref<const std::string&>().empty()) {
      return Status::InvalidArgument(
          fmt::format("body field 'refs': expected task refs (strings), got {}", ref.dump()));
    }
    request.refs.push_back(ref.get<std::string>());
  }
  return request;
}

}  // namespace allot
