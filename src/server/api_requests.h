// The parsed requests of the cluster-mode HTTP API (docs/CLUSTER.md, "HTTP API"), as HttpApi
// hands them to an ApiBackend. HttpApi has validated every field named here: the backend gets
// well-typed values within the documented ranges, but still checks what only it can know
// (whether a ref names a task, whether a task can take an action, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/control_action.h"
#include "model/task_state.h"

namespace allot {

// POST /api/v1/server/stop {kill: false}
struct StopServerRequest {
  bool kill = false;  // kill the tasks at once instead of SIGTERM and a grace period
};

// POST /api/v1/submit {name, text, base_dir, file_dir}
struct SubmitRequest {
  std::string name;      // the task file's name: in messages, and JSON or YAML by extension
  std::string text;      // the task file's contents
  std::string base_dir;  // absolute: the workdir of tasks that name none
  // Absolute, or empty (absent): relative paths written in the file (workdirs, programs like
  // ./sim) are resolved against it, else against base_dir (model/task_paths.h). Set when the
  // text is a file's: its directory.
  std::string file_dir;
};

// GET /api/v1/tasks?refs=a,b@2&states=running,ready&limit=N
struct TaskQuery {
  std::vector<std::string> refs;  // task ids or "<id>@<attempt>"; empty: every task
  std::vector<TaskState> states;  // empty: every state
  int64_t limit = 0;              // at most this many tasks; 0: no limit
};

// ControlAction, ControlActionName, ParseControlAction: core/control_action.h.

// POST /api/v1/control {action, refs}
struct ControlRequest {
  ControlAction action = ControlAction::kCancel;
  std::vector<std::string> refs;  // never empty
};

// GET /api/v1/wait?refs=...&timeout_s=30
// Where a wait without refs began, as its first answer's `since` says: it waits for the tasks
// the server held then (index < tasks) that had not finished then, and for no other.
struct WaitMark {
  uint64_t tasks = 0;      // tasks the server held
  uint64_t ends = 0;       // unsuccessful ends it had seen (the server's count of them)
  uint64_t succeeded = 0;  // tasks that had succeeded
  bool operator==(const WaitMark&) const = default;
};
// "<tasks>.<ends>.<succeeded>", e.g. "120.3.97".
std::string FormatWaitMark(const WaitMark& mark);
std::optional<WaitMark> ParseWaitMark(std::string_view text);

// GET /api/v1/wait?refs=a,b&timeout_s=30&since=MARK
struct WaitRequest {
  static constexpr double kDefaultTimeoutS = 30;
  static constexpr double kMaxTimeoutS = 600;
  std::vector<std::string> refs;  // empty: the tasks not finished when the wait began
  double timeout_s = kDefaultTimeoutS;  // 0 <= timeout_s <= kMaxTimeoutS
  std::optional<WaitMark> since;  // without refs: where the wait began (none: now)
};

// GET /api/v1/events?after=SEQ&timeout_s=30&limit=1000
struct EventsRequest {
  static constexpr int64_t kDefaultLimit = 1000;
  static constexpr int64_t kMaxLimit = 100000;
  int64_t after = 0;                                    // >= 0
  double timeout_s = WaitRequest::kDefaultTimeoutS;     // 0 <= timeout_s <= kMaxTimeoutS
  int64_t limit = kDefaultLimit;                        // 1 <= limit <= kMaxLimit
  // With it, the answer also holds the metrics with metric seq > after_metric (up to limit)
  // and the wait ends on a new metric too; without, no metrics (older clients).
  std::optional<int64_t> after_metric;                  // >= 0
  // With after_metric: also the scenario decisions with seq > after_decision ("decisions",
  // "last_decision"); they come in the commit of the metric that caused them.
  std::optional<int64_t> after_decision;                // >= 0
};

enum class LogStream { kStdout, kStderr };
// "stdout", "stderr".
std::string_view LogStreamName(LogStream stream);
std::optional<LogStream> ParseLogStream(std::string_view name);

// GET /api/v1/log/{ref}?stream=stdout|stderr&offset=N
struct LogRequest {
  std::string ref;
  LogStream stream = LogStream::kStdout;
  int64_t offset = 0;  // >= 0
};

// The answer to a LogRequest: text/plain with X-Allot-Next-Offset and X-Allot-Task-State.
struct LogChunk {
  std::string bytes;        // from the requested offset; may be empty
  int64_t next_offset = 0;  // where the next request continues
  // The task's state, read before the bytes: a terminal state with no bytes tells a client
  // that follows the output (`allot log --follow`) that it has everything.
  TaskState state = TaskState::kWaiting;
};

enum class WorkerAction { kDrain, kStop };
// "drain", "stop".
std::string_view WorkerActionName(WorkerAction action);

// POST /api/v1/workers/{id}/drain, /stop
struct WorkerControlRequest {
  std::string worker;  // the {id} of the path, as written
  WorkerAction action = WorkerAction::kDrain;
};

}  // namespace allot
