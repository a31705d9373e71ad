// RawTask: the fields of one task (or of `defaults`) as written, typed and checked one by
// one, before defaults are merged, sweeps expanded and dependencies resolved.
// TaskFieldParser reads one mapping into a RawTask, reporting every bad field. In both formats
// `null` for any field but id and command means "not written" (the default, or the defaults'
// value).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/diagnostic_sink.h"
#include "model/source_doc.h"
#include "model/sweep.h"
#include "model/task_spec.h"

namespace allot {

// RawTask::memory_bytes of `memory: auto`.
inline constexpr int64_t kMemoryAuto = -1;

enum class TaskField {
  kId,
  kCommand,
  kCores,
  kMemory,
  kMemoryMax,
  kGpus,
  kResources,
  kTimeLimit,
  kTimeEstimate,
  kGracePeriod,
  kPriority,
  kMaxRetries,
  kRetryBackoff,
  kEnv,
  kTags,
  kWorkdir,
  kDependsOn,
  kSweep,
  kCheckpoint,
  kPreemptible,
  kProtected,
  kMinRuntime,
  kOutputs,
  kValidate,
  kPython,
  kScript,
  kContainer,
  kParams,
  kExecutor,
  kNodes,
};
inline constexpr size_t kTaskFieldCount = 30;

// The name a task file uses for `field` ("time_limit", ...).
const char* TaskFieldName(TaskField field);

struct DependencyEntry {
  std::string text;  // an id or a pattern; may hold {name} placeholders in a sweep
  int line = 0;
};

struct RawTask {
  int line = 0;  // of the mapping

  std::optional<std::string> id;
  std::optional<std::string> command;
  std::optional<CoreRequest> cores;
  std::optional<int64_t> memory_bytes;  // kMemoryAuto for `memory: auto`
  std::optional<int64_t> memory_max_bytes;
  std::optional<int> gpus;
  std::optional<int> nodes;
  std::optional<std::map<std::string, int64_t>> resources;
  std::optional<Duration> time_limit;
  std::optional<Duration> time_estimate;
  std::optional<Duration> grace_period;
  std::optional<int> priority;
  std::optional<int> max_retries;
  std::optional<RetryBackoff> retry_backoff;
  std::optional<std::vector<std::pair<std::string, std::string>>> env;
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<std::string> workdir;
  std::optional<std::vector<DependencyEntry>> depends_on;
  std::optional<Sweep> sweep;
  std::optional<CheckpointSpec> checkpoint;
  std::optional<bool> preemptible;
  std::optional<bool> is_protected;
  std::optional<Duration> min_runtime;
  std::optional<std::vector<std::string>> outputs;
  std::optional<std::string> validate;
  // The job types beside `command` (model/job_spec.h); at most one of the four is written.
  std::optional<PythonJob> python;
  std::optional<std::string> script;  // as written (relative to the file's directory)
  std::optional<ContainerJob> container;
  std::optional<OrderedJson> params;  // an object
  std::optional<std::string> executor;  // TaskSpec::executor: "" (local) or "slurm"
  // `retries` of the allocation-scheduler format: retries already spent (pilot.py counts them
  // against max_retries). Already taken off max_retries by the parser; kept for messages.
  std::optional<int> retries_spent;
  int retries_line = 0;

  // Line of each field written (0: not written). A field written with a bad value has a line
  // but no value; a diagnostic was reported for it.
  std::array<int, kTaskFieldCount> lines{};
  bool has_errors = false;

  bool Written(TaskField f) const { return lines[static_cast<size_t>(f)] != 0; }
  int LineOf(TaskField f) const {
    int l = lines[static_cast<size_t>(f)];
    return l != 0 ? l : line;
  }
};

// `task` with `defaults` under it: fields the task does not write come from the defaults; env,
// tags and params are merged key by key (the task's values win, env keeps the defaults' order
// first). The job type (command, python, script, container) is one thing: a task that writes
// one takes none from the defaults.
RawTask MergeDefaults(const RawTask& defaults, RawTask task);

class TaskFieldParser {
 public:
  // `sink` must outlive the parser.
  explicit TaskFieldParser(DiagnosticSink* sink);

  // The allocation-scheduler format (a JSON array, what pilot.py's load_json reads): fields
  // allot does not know are warnings, not errors (pilot.py ignores them), `retries` is read
  // (retries already spent), and tags may hold any JSON value (kept as its JSON text).
  void set_allocation_format(bool on) { allocation_format_ = on; }
  bool allocation_format() const { return allocation_format_; }

  // Reads one mapping of task fields. `is_defaults`: the `defaults` section, where id and
  // sweep are not allowed and fields are named "defaults.<field>" in diagnostics.
  // REQUIRES: object.json().is_object().
  RawTask Parse(const SourceValue& object, bool is_defaults);

 private:
  class Context;

  void ParseField(Context& c, TaskField field, const SourceValue& v);
  void ParseCores(Context& c, const SourceValue& v);
  void ParseResources(Context& c, const SourceValue& v);
  void ParseRetryBackoff(Context& c, const SourceValue& v);
  void ParseEnv(Context& c, const SourceValue& v);
  void ParseTags(Context& c, const SourceValue& v);
  void ParseDependsOn(Context& c, const SourceValue& v);
  void ReportUnknownField(Context& c, const std::string& key);
  void ParseRetriesSpent(Context& c, const SourceValue& v);
  void ParseCheckpoint(Context& c, const SourceValue& v);
  void ParseOutputs(Context& c, const SourceValue& v);
  // The job types and params (task_job_fields.cc).
  void ParsePython(Context& c, const SourceValue& v);
  void ParseScript(Context& c, const SourceValue& v);
  void ParseContainer(Context& c, const SourceValue& v);
  void ParseParams(Context& c, const SourceValue& v);

  DiagnosticSink* sink_;
  bool allocation_format_ = false;
};

}  // namespace allot
