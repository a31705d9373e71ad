// ApiBackend: what the cluster-mode HTTP API asks of the server, one method per endpoint of
// docs/CLUSTER.md ("HTTP API"). HttpApi parses and validates the request, calls one method,
// and writes its answer: the returned JSON is the response body, verbatim, with status 200.
//
// Errors: the returned Status decides the HTTP status, in one place (HttpStatusFor in
// server/http_error.h): InvalidArgument 400, NotFound 404, FailedPrecondition and AlreadyExists
// 409, Unavailable 503, anything else 500. The message goes to the client as "error"; a
// message of several lines is a summary line followed by one problem per line, and the
// client gets the lines after the first as "problems" (e.g. a rejected submission:
// "tasks.yaml: 2 problems\ntasks.yaml:3: task 'a': ...\ntasks.yaml:9: ..."). Messages name
// the field, ref or worker they are about.
//
// Threading: every method is called from HttpApi's request threads, several at a time, so an
// implementation must be thread-safe. Wait and Events may block up to their timeout_s (long
// polls); HttpApi::Stop waits for calls in flight to return, so a backend that shuts down must
// first make its blocked long polls return (e.g. answer them as they stand).
// StopServer must answer before the server goes away: it may not call HttpApi::Stop itself.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "server/alloc_requests.h"
#include "server/api_requests.h"
#include "server/requeue_request.h"

namespace allot {

class ApiBackend {
 public:
  virtual ~ApiBackend() = default;

  // GET /api/v1/server -> {version, instance, started_us, counts: {state: n}, workers: n}
  virtual Result<nlohmann::json> ServerInfo() = 0;
  // POST /api/v1/server/stop -> {}; the server then stops its workers' tasks and exits.
  virtual Result<nlohmann::json> StopServer(const StopServerRequest& request) = 0;
  // POST /api/v1/submit -> {ids: [...]} once durable; nothing is submitted on error.
  virtual Result<nlohmann::json> Submit(const SubmitRequest& request) = 0;
  // GET /api/v1/tasks -> {tasks: [task], counts}
  virtual Result<nlohmann::json> ListTasks(const TaskQuery& query) = 0;
  // GET /api/v1/tasks/{ref} -> task plus attempts, command, tags.
  virtual Result<nlohmann::json> GetTask(const std::string& ref) = 0;
  // POST /api/v1/control -> {tasks: [task]}; all or nothing.
  virtual Result<nlohmann::json> Control(const ControlRequest& request) = 0;
  // GET /api/v1/wait -> {done, counts, unsuccessful: [{id, state, reason}]}. Long poll.
  virtual Result<nlohmann::json> Wait(const WaitRequest& request) = 0;
  // GET /api/v1/events -> {events: [...], last: SEQ}. Long poll.
  virtual Result<nlohmann::json> Events(const EventsRequest& request) = 0;
  // GET /api/v1/log/{ref} -> the bytes as text/plain, with X-Allot-Next-Offset and
  // X-Allot-Task-State headers.
  virtual Result<LogChunk> ReadLog(const LogRequest& request) = 0;
  // GET /api/v1/workers -> {workers: [...]}
  virtual Result<nlohmann::json> ListWorkers() = 0;
  // POST /api/v1/workers/{id}/drain, /stop -> {worker}
  virtual Result<nlohmann::json> ControlWorker(const WorkerControlRequest& request) = 0;
  // POST /api/v1/requeue -> {tasks: [task]}: the tasks that came back; all or nothing.
  // (server/requeue_request.h) NotFound by default.
  virtual Result<nlohmann::json> Requeue(const RequeueRequest& request) {
    return Status::NotFound("this server cannot requeue tasks");
  }
  // Automatic allocations (docs/CLUSTER.md, `allot alloc`). NotFound by default.
  // POST /api/v1/alloc/queues -> {queue} once durable, or {dry_run, queue, slurm}.
  virtual Result<nlohmann::json> AllocAdd(const AllocAddRequest& request) {
    return Status::NotFound("this server has no automatic allocations");
  }
  // GET /api/v1/alloc/queues -> {queues: [...]}
  virtual Result<nlohmann::json> AllocList() {
    return Status::NotFound("this server has no automatic allocations");
  }
  // POST /api/v1/alloc/queues/{name}/{pause|resume|remove} -> {queue, action}
  virtual Result<nlohmann::json> AllocControl(const AllocControlRequest& request) {
    return Status::NotFound("this server has no automatic allocations");
  }
  // GET /api/v1/alloc/events?queue=&since=&limit= -> {events: [...], last}
  virtual Result<nlohmann::json> AllocEvents(const AllocEventsRequest& request) {
    return Status::NotFound("this server has no automatic allocations");
  }
  // GET /metrics -> Prometheus text format 0.0.4. NotFound by default (no metrics).
  virtual Result<std::string> Metrics() { return Status::NotFound("this server has no metrics"); }
};

}  // namespace allot
