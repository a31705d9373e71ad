// ApiClient: the HTTP API of a cluster-mode server (docs/CLUSTER.md, "HTTP API"), one method
// per endpoint, for the CLI. The endpoint and token come from the server directory's
// access.json.
//
// Errors:
//   - no server in the directory: Connect returns NotFound (from ReadAccessFile);
//   - the server cannot be reached (connection refused, or no connection in time):
//     Unavailable "cannot reach the allot server at <url> (access file <path>); is it
//     running?"; the connection reset or closed before an answer: Unavailable "... reset or
//     closed the connection before answering <method> <path> ..."; no answer in time:
//     Unavailable "... did not answer <method> <path> within <n> s";
//   - an HTTP error answer: the Status its code maps back to (400 InvalidArgument, 401
//     FailedPrecondition, 404 NotFound, 409 FailedPrecondition, 503 Unavailable, else
//     Internal) with the server's "error" message followed by its "problems", one per line,
//     carrying its "diagnostics" (Status::diagnostics: file, line, column, task, field);
//   - an answer that is not JSON: Internal.
//
// Timeouts: 5 s to connect; an answer is awaited for 60 s, and for long polls (Wait, Events)
// for their timeout_s plus 30 s.
//
// Thread-compatible: one connection per call (no keep-alive), so calls from several threads
// need one ApiClient each, or external locking. Copyable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace allot {

// A piece of a task's output (GET /api/v1/log/{ref}).
struct LogChunk {
  std::string bytes;
  int64_t next_offset = 0;  // the offset to ask for next
  std::string state;        // the task's state ("running", "succeeded", ...)
};

class ApiClient {
 public:
  // Reads <server_dir>/access.json.
  static Result<ApiClient> Connect(const std::string& server_dir);
  // `url` is "http://host:port"; `access_path` is only named in messages.
  ApiClient(std::string url, std::string token, std::string access_path);

  const std::string& url() const { return url_; }

  Result<nlohmann::json> ServerInfo() const;
  Result<nlohmann::json> StopServer(bool kill) const;
  // `file_dir`: the task file's directory, against which relative paths in it resolve (empty:
  // none, they resolve against `base_dir`, the workdir of tasks that name none).
  Result<nlohmann::json> Submit(const std::string& name, const std::string& text,
                                const std::string& base_dir,
                                const std::string& file_dir = "") const;
  // Empty lists and limit 0 leave the parameter out (every task, every state, no limit).
  Result<nlohmann::json> Tasks(const std::vector<std::string>& refs,
                               const std::vector<std::string>& states, int64_t limit) const;
  Result<nlohmann::json> Task(const std::string& ref) const;
  // action: cancel, pause, resume, skip, hold or release.
  Result<nlohmann::json> Control(const std::string& action,
                                 const std::vector<std::string>& refs) const;
  // POST /api/v1/requeue: `refs` (ids or patterns), or every failed task when `failed`.
  Result<nlohmann::json> Requeue(const std::vector<std::string>& refs, bool failed) const;
  // `since`: without refs, the `since` of this wait's first answer ("" on the first call).
  Result<nlohmann::json> Wait(const std::vector<std::string>& refs, double timeout_s,
                              const std::string& since = "") const;
  // With `after_metric`, the answer also holds "metrics" and "last_metric".
  Result<nlohmann::json> Events(int64_t after, double timeout_s, int64_t limit,
                                std::optional<int64_t> after_metric = std::nullopt,
                                std::optional<int64_t> after_decision = std::nullopt) const;
  // stream: stdout or stderr.
  Result<LogChunk> Log(const std::string& ref, const std::string& stream, int64_t offset) const;
  Result<nlohmann::json> Workers() const;
  // action: drain or stop.
  Result<nlohmann::json> ControlWorker(const std::string& worker, const std::string& action) const;
  // Automatic allocations (`allot alloc`): body as POST /api/v1/alloc/queues takes it.
  Result<nlohmann::json> AllocAdd(const nlohmann::json& body) const;
  Result<nlohmann::json> AllocList() const;
  // action: pause, resume, remove.
  Result<nlohmann::json> AllocControl(const std::string& queue, const std::string& action,
                                      bool force) const;
  Result<nlohmann::json> AllocEvents(const std::string& queue, int64_t since, int64_t limit) const;

 private:
  struct Answer {
    std::string body;
    std::string next_offset;
    std::string state;
  };
  // One request; Ok only for a 2xx answer. `params` go in the query string, `body` (when
  // not null) is a JSON POST body.
  Result<Answer> Call(const std::string& method, const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& params,
                      const nlohmann::json* body, double read_timeout_s) const;
  Result<nlohmann::json> CallJson(const std::string& method, const std::string& path,
                                  const std::vector<std::pair<std::string, std::string>>& params,
                                  const nlohmann::json* body, double read_timeout_s) const;

  std::string url_;
  std::string token_;
  std::string access_path_;
};

// Percent-encodes everything but unreserved characters (A-Z a-z 0-9 - . _ ~), so that any
// task id or worker id is one path segment.
std::string EncodePathSegment(const std::string& segment);

}  // namespace allot
