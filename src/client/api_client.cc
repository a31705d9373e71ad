#include "client/api_client.h"

#include <httplib.h>

#include <chrono>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "model/diagnostic_json.h"
#include "protocol/access_file.h"

namespace allot {
namespace {

using Json = nlohmann::json;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr double kConnectTimeoutS = 5;
constexpr double kReadTimeoutS = 60;
constexpr double kLongPollSlackS = 30;
constexpr double kWriteTimeoutS = 60;
// httplib's timeouts are in whole milliseconds.
constexpr double kClockSlackS = 0.01;

using Steady = std::chrono::steady_clock;

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

std::string Encode(const std::string& text, bool keep_commas) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (Unreserved(c) || (keep_commas && c == ',')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::string Seconds(double s) { return fmt::format("{}", s); }

// Calls set(seconds, microseconds), as httplib's timeout setters take them.
template <typename Setter>
void SetTimeout(double seconds, Setter set) {
  double whole = std::floor(seconds);
  set(static_cast<time_t>(whole), static_cast<time_t>((seconds - whole) * 1e6));
}

// The Status for an HTTP error answer: the code mapped back, the server's message and problems,
// and its diagnostics as they were.
Status ErrorStatus(int http_status, const std::string& body, const std::string& url,
                   const std::string& access_path) {
  std::string message;
  std::vector<Diagnostic> diagnostics;
  Json json = Json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error") && json["error"].is_string()) {
    message = json["error"].get<std::string>();
    if (json.contains("problems") && json["problems"].is_array()) {
      for (const Json& p : json["problems"]) {
        message += '\n';
        message += p.is_string() ? p.get<std::string>() : p.dump();
      }
    }
    if (json.contains("diagnostics") && json["diagnostics"].is_array()) {
      for (const Json& d : json["diagnostics"]) diagnostics.push_back(DiagnosticFromJson(d));
    }
  } else {
    message = fmt::format("HTTP {} from {}: {}", http_status, url, body.substr(0, 200));
  }
  auto status = [&]() -> Status {
    switch (http_status) {
      case 400: return Status::InvalidArgument(message);
      case 401:
        return Status::FailedPrecondition(fmt::format(
            "the allot server at {} refused the token of {}: {}", url, access_path, message));
      case 404: return Status::NotFound(message);
      case 409: return Status::FailedPrecondition(message);
      case 503: return Status::Unavailable(message);
      default: return Status::Internal(message);
    }
  };
  return status().WithDiagnostics(std::move(diagnostics));
}

}  // namespace

std::string EncodePathSegment(const std::string& segment) { return Encode(segment, false); }

Result<ApiClient> ApiClient::Connect(const std::string& server_dir) {
  ALLOT_ASSIGN_OR_RETURN(AccessFile access, ReadAccessFile(server_dir));
  return ApiClient(access.http_url, access.token, AccessFilePath(server_dir));
}

ApiClient::ApiClient(std::string url, std::string token, std::string access_path)
    : url_(std::move(url)), token_(std::move(token)), access_path_(std::move(access_path)) {}

Result<ApiClient::Answer> ApiClient::Call(const std::string& method, const std::string& path,
                                          const Params& params, const Json* body,
                                          double read_timeout_s) const {
  std::string target = path;
  char separator = '?';
  for (const auto& [key, value] : params) {
    target += separator;
    target += key + "=" + Encode(value, true);
    separator = '&';
  }
  httplib::Client client(url_);
  if (!client.is_valid()) {
    return Status::FailedPrecondition(
        fmt::format("bad server URL '{}' in {}", url_, access_path_));
  }
  client.set_url_encode(false);
  client.set_keep_alive(false);
  client.set_bearer_token_auth(token_);
  SetTimeout(kConnectTimeoutS, [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
  SetTimeout(read_timeout_s, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
  SetTimeout(kWriteTimeoutS, [&](time_t s, time_t us) { client.set_write_timeout(s, us); });
  const Steady::time_point started = Steady::now();
  httplib::Result res = method == "GET"
                            ? client.Get(target)
                            : client.Post(target, body ? body->dump() : std::string("{}"),
                                          "application/json");
  if (!res) {
    const double elapsed_s = std::chrono::duration<double>(Steady::now() - started).count();
    switch (res.error()) {
      case httplib::Error::Connection:
      case httplib::Error::ConnectionTimeout:
        return Status::Unavailable(fmt::format(
            "cannot reach the allot server at {} (access file {}); is it running?", url_,
            access_path_));
      case httplib::Error::Read:
      case httplib::Error::Write: {
        // httplib says Read (Write) for a timeout and for a connection the server reset or
        // closed; only a timeout takes the whole timeout.
        const double timeout_s =
            res.error() == httplib::Error::Read ? read_timeout_s : kWriteTimeoutS;
        if (elapsed_s < timeout_s - kClockSlackS) {
          return Status::Unavailable(fmt::format(
              "the allot server at {} reset or closed the connection before answering {} {} "
              "(did it stop or crash? access file {})",
              url_, method, path, access_path_));
        }
        return Status::Unavailable(fmt::format(
            "the allot server at {} did not answer {} {} within {} s", url_, method, path,
            timeout_s));
      }
      default:
        return Status::Unavailable(fmt::format("{} {} to the allot server at {} failed: {}",
                                               method, path, url_,
                                               httplib::to_string(res.error())));
    }
  }
  if (res->status < 200 || res->status > 299) {
    return ErrorStatus(res->status, res->body, url_, access_path_);
  }
  return Answer{std::move(res->body), res->get_header_value("X-Allot-Next-Offset"),
                res->get_header_value("X-Allot-Task-State")};
}

Result<Json> ApiClient::CallJson(const std::string& method, const std::string& path,
                                 const Params& params, const Json* body,
                                 double read_timeout_s) const {
  ALLOT_ASSIGN_OR_RETURN(Answer answer, Call(method, path, params, body, read_timeout_s));
  Json json = Json::parse(answer.body, nullptr, false);
  if (json.is_discarded()) {
    return Status::Internal(
        fmt::format("{} {}: the server's answer is not JSON: {}", method, path,
                    answer.body.substr(0, 200)));
  }
  return json;
}

Result<Json> ApiClient::ServerInfo() const {
  return CallJson("GET", "/api/v1/server", {}, nullptr, kReadTimeoutS);
}

Result<Json> ApiClient::StopServer(bool kill) const {
  Json body = {{"kill", kill}};
  return CallJson("POST", "/api/v1/server/stop", {}, &body, kReadTimeoutS);
}

Result<Json> ApiClient::Submit(const std::string& name, const std::string& text,
                               const std::string& base_dir,
                               const std::string& file_dir) const {
  Json body = {{"name", name}, {"text", text}, {"base_dir", base_dir}};
  if (!file_dir.empty()) body["file_dir"] = file_dir;
  return CallJson("POST", "/api/v1/submit", {}, &body, kReadTimeoutS);
}

Result<Json> ApiClient::Tasks(const std::vector<std::string>& refs,
                              const std::vector<std::string>& states, int64_t limit) const {
  Params params;
  if (!refs.empty()) params.emplace_back("refs", Join(refs));
  if (!states.empty()) params.emplace_back("states", Join(states));
  if (limit > 0) params.emplace_back("limit", std::to_string(limit));
  return CallJson("GET", "/api/v1/tasks", params, nullptr, kReadTimeoutS);
}

Result<Json> ApiClient::Task(const std::string& ref) const {
  return CallJson("GET", "/api/v1/tasks/" + EncodePathSegment(ref), {}, nullptr, kReadTimeoutS);
}

Result<Json> ApiClient::Control(const std::string& action,
                                const std::vector<std::string>& refs) const {
  Json body = {{"action", action}, {"refs", refs}};
  return CallJson("POST", "/api/v1/control", {}, &body, kReadTimeoutS);
}

Result<Json> ApiClient::Requeue(const std::vector<std::string>& refs, bool failed) const {
  Json body = failed ? Json{{"failed", true}} : Json{{"refs", refs}};
  return CallJson("POST", "/api/v1/requeue", {}, &body, kReadTimeoutS);
}

Result<Json> ApiClient::Wait(const std::vector<std::string>& refs, double timeout_s,
                             const std::string& since) const {
  Params params;
  if (!refs.empty()) params.emplace_back("refs", Join(refs));
  if (!since.empty()) params.emplace_back("since", since);
  params.emplace_back("timeout_s", Seconds(timeout_s));
  return CallJson("GET", "/api/v1/wait", params, nullptr, timeout_s + kLongPollSlackS);
}

Result<Json> ApiClient::Events(int64_t after, double timeout_s, int64_t limit,
                              std::optional<int64_t> after_metric,
                              std::optional<int64_t> after_decision) const {
  Params params = {{"after", std::to_string(after)},
                   {"timeout_s", Seconds(timeout_s)},
                   {"limit", std::to_string(limit)}};
  if (after_metric) params.emplace_back("after_metric", std::to_string(*after_metric));
  if (after_decision) params.emplace_back("after_decision", std::to_string(*after_decision));
  return CallJson("GET", "/api/v1/events", params, nullptr, timeout_s + kLongPollSlackS);
}

Result<LogChunk> ApiClient::Log(const std::string& ref, const std::string& stream,
                                int64_t offset) const {
  ALLOT_ASSIGN_OR_RETURN(
      Answer answer,
      Call("GET", "/api/v1/log/" + EncodePathSegment(ref),
           {{"stream", stream}, {"offset", std::to_string(offset)}}, nullptr, kReadTimeoutS));
  LogChunk chunk;
  chunk.state = std::move(answer.state);
  try {
    chunk.next_offset = std::stoll(answer.next_offset);
  } catch (const std::exception&) {
    return Status::Internal(fmt::format("log of '{}': bad X-Allot-Next-Offset header '{}'", ref,
                                        answer.next_offset));
  }
  chunk.bytes = std::move(answer.body);
  return chunk;
}

Result<Json> ApiClient::Workers() const {
  return CallJson("GET", "/api/v1/workers", {}, nullptr, kReadTimeoutS);
}

Result<Json> ApiClient::ControlWorker(const std::string& worker, const std::string& action) const {
  return CallJson("POST", "/api/v1/workers/" + EncodePathSegment(worker) + "/" + action, {},
                  nullptr, kReadTimeoutS);
}

Result<Json> ApiClient::AllocAdd(const Json& body) const {
  // The server asks Slurm (sinfo, sbatch --test-only) before it answers.
  return CallJson("POST", "/api/v1/alloc/queues", {}, &body, 2 * kReadTimeoutS);
}

Result<Json> ApiClient::AllocList() const {
  return CallJson("GET", "/api/v1/alloc/queues", {}, nullptr, kReadTimeoutS);
}

Result<Json> ApiClient::AllocControl(const std::string& queue, const std::string& action,
                                     bool force) const {
  Json body = Json::object();
  if (force) body["force"] = true;
  return CallJson("POST", "/api/v1/alloc/queues/" + EncodePathSegment(queue) + "/" + action, {},
                  &body, 2 * kReadTimeoutS);
}

Result<Json> ApiClient::AllocEvents(const std::string& queue, int64_t since, int64_t limit) const {
  std::vector<std::pair<std::string, std::string>> params = {{"since", std::to_string(since)},
                                                             {"limit", std::to_string(limit)}};
  if (!queue.empty()) params.emplace_back("queue", queue);
  return CallJson("GET", "/api/v1/alloc/events", params, nullptr, kReadTimeoutS);
}

}  // namespace allot
