#include "model/task_fields.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "model/did_you_mean.h"
#include "model/task_field_context.h"
#include "model/signal_names.h"
#include "model/value_readers.h"

namespace allot {
namespace {

constexpr std::array<const char*, kTaskFieldCount> kFieldNames = {
    "id",          "command",       "cores",      "memory",       "memory_max",
    "gpus",        "resources",     "time_limit", "time_estimate", "grace_period",
    "priority",    "max_retries",   "retry_backoff", "env",        "tags",
    "workdir",     "depends_on",    "sweep",         "checkpoint", "preemptible",
    "protected",   "min_runtime",   "outputs",       "validate",   "python",
    "script",      "container",     "params",        "executor",     "nodes"};

size_t I(TaskField f) { return static_cast<size_t>(f); }

const std::string kRetriesKey = "retries";

std::optional<TaskField> LookupField(std::string_view name) {
  for (size_t i = 0; i < kTaskFieldCount; ++i) {
    if (name == kFieldNames[i]) return static_cast<TaskField>(i);
  }
  if (name == "timeout") return TaskField::kTimeLimit;
  return std::nullopt;
}

// Names people bring from other schedulers, and what they are called here.
const std::unordered_map<std::string_view, std::string_view>& Synonyms() {
  static const auto* kSynonyms =
      new std::unordered_map<std::string_view, std::string_view>{{"cpus", "cores"},
                                                                 {"ncpus", "cores"},
                                                                 {"cpu", "cores"},
                                                                 {"threads", "cores"},
                                                                 {"ntasks", "cores"},
                                                                 {"mem", "memory"},
                                                                 {"gpu", "gpus"},
                                                                 {"walltime", "time_limit"},
                                                                 {"time", "time_limit"},
                                                                 {"runtime", "time_limit"},
                                                                 {"deps", "depends_on"},
                                                                 {"after", "depends_on"},
                                                                 {"needs", "depends_on"},
                                                                 {"requires", "depends_on"},
                                                                 {"dependencies", "depends_on"},
                                                                 {"cwd", "workdir"},
                                                                 {"dir", "workdir"},
                                                                 {"directory", "workdir"},
                                                                 {"working_dir", "workdir"},
                                                                 {"environment", "env"},
                                                                 {"retries", "max_retries"},
                                                                 {"retry", "max_retries"},
                                                                 {"name", "id"},
                                                                 {"cmd", "command"},
                                                                 {"run", "command"},
                                                                 {"labels", "tags"},
                                                                 {"metadata", "tags"},
                                                                 {"estimate", "time_estimate"},
                                                                 {"backoff", "retry_backoff"},
                                                                 {"args", "command"}};
  return *kSynonyms;
}

}  // namespace

const char* TaskFieldName(TaskField field) { return kFieldNames[I(field)]; }

TaskFieldParser::TaskFieldParser(DiagnosticSink* sink) : sink_(sink) {}

RawTask TaskFieldParser::Parse(const SourceValue& object, bool is_defaults) {
  RawTask task;
  task.line = object.line();
  Context c(sink_, is_defaults, &task);
  if (!is_defaults) {
    if (std::optional<SourceValue> id = object.Find("id")) {
      if (Result<std::string> text = ReadText(id->json()); text.ok() && !id->json().is_boolean()) {
        c.set_task_id(*text);
      }
    }
  }
  for (size_t i = 0; i < object.size(); ++i) {
    const std::string& key = object.KeyAt(i);
    SourceValue value = object.Child(i);
    c.Enter(key, value.line());
    std::optional<TaskField> field = LookupField(key);
    if (allocation_format_ && !is_defaults && key == "retries") {
      ParseRetriesSpent(c, value);
      continue;
    }
    if (!field) {
      ReportUnknownField(c, key);
      continue;
    }
    // null: the default (pilot.py writes "workdir": null; YAML writes `workdir:` so).
    if (value.json().is_null() && *field != TaskField::kId && *field != TaskField::kCommand) {
      continue;
    }
    if (is_defaults && (*field == TaskField::kId || *field == TaskField::kSweep)) {
      c.Error(std::string("'") + key + "' cannot be set in defaults; set it on each task");
      continue;
    }
    if (task.Written(*field)) {
      c.Error(*field == TaskField::kTimeLimit
                  ? "both 'time_limit' and its alias 'timeout' are set; keep one"
                  : "set twice");
      continue;
    }
    task.lines[I(*field)] = std::max(1, value.line());
    ParseField(c, *field, value);
  }
  if (task.retries_spent && *task.retries_spent > 0 &&
      (!task.Written(TaskField::kMaxRetries) || task.max_retries)) {
    const int max = task.max_retries.value_or(0);
    const int left = std::max(0, max - *task.retries_spent);
    c.Enter(kRetriesKey, task.retries_line);
    c.Warn("counted as retries already spent, as pilot.py does: " + std::to_string(left) +
           " of max_retries " + std::to_string(max) + " left");
    task.max_retries = left;
  }
  return task;
}

void TaskFieldParser::ParseRetriesSpent(Context& c, const SourceValue& value) {
  if (value.json().is_null()) return;
  if (c.task().retries_spent) return c.Error("set twice");
  Result<int64_t> r = ReadInteger(value.json(), 0, INT32_MAX, "a non-negative integer");
  if (!r.ok()) return c.Error(r.status().message());
  c.task().retries_spent = static_cast<int>(*r);
  c.task().retries_line = std::max(1, value.line());
}

void TaskFieldParser::ParseField(Context& c, TaskField field, const SourceValue& value) {
  RawTask& t = c.task();
  const OrderedJson& v = value.json();
  auto fail = [&](const Status& s) { c.Error(s.message()); };
  switch (field) {
    case TaskField::kId: {
      if (!v.is_string() && !AsInteger(v)) {
        c.Error("must be a string or an integer (got " + DescribeValue(v) + ")");
      } else {
        t.id = v.is_string() ? v.get<std::string>() : std::to_string(*AsInteger(v));
      }
      return;
    }
    case TaskField::kCommand:
      if (!v.is_string()) {
        c.Error("must be a string with the command line (got " + DescribeValue(v) + ")");
      } else if (v.get_ref<const std::string&>().find_first_not_of(" \t\r\n") ==
                 std::string::npos) {
        c.Error("must not be empty");
      } else {
        t.command = v.get<std::string>();
      }
      return;
    case TaskField::kCores:
      return ParseCores(c, value);
    case TaskField::kMemory: {
      if (v.is_string() && v.get_ref<const std::string&>() == "auto") {
        t.memory_bytes = kMemoryAuto;  // learned from the task's profile (core/profile)
        return;
      }
      Result<int64_t> r = ReadSize(v);
      return r.ok() ? void(t.memory_bytes = *r) : fail(r.status());
    }
    case TaskField::kMemoryMax: {
      Result<int64_t> r = ReadSize(v);
      return r.ok() ? void(t.memory_max_bytes = *r) : fail(r.status());
    }
    case TaskField::kGpus: {
      Result<int64_t> r = ReadInteger(v, 0, 1 << 20, "a non-negative integer");
      return r.ok() ? void(t.gpus = static_cast<int>(*r)) : fail(r.status());
    }
    case TaskField::kNodes: {
      Result<int64_t> r = ReadInteger(v, 1, kMaxNodes, "a positive integer");
      return r.ok() ? void(t.nodes = static_cast<int>(*r)) : fail(r.status());
    }
    case TaskField::kResources:
      return ParseResources(c, value);
    case TaskField::kTimeLimit: {
      Result<Duration> r = ReadDuration(v, false);
      return r.ok() ? void(t.time_limit = *r) : fail(r.status());
    }
    case TaskField::kTimeEstimate: {
      Result<Duration> r = ReadDuration(v, false);
      return r.ok() ? void(t.time_estimate = *r) : fail(r.status());
    }
    case TaskField::kGracePeriod: {
      Result<Duration> r = ReadDuration(v, true);
      return r.ok() ? void(t.grace_period = *r) : fail(r.status());
    }
    case TaskField::kPriority: {
      Result<int64_t> r = ReadInteger(v, INT32_MIN, INT32_MAX, "an integer");
      return r.ok() ? void(t.priority = static_cast<int>(*r)) : fail(r.status());
    }
    case TaskField::kMaxRetries: {
      Result<int64_t> r = ReadInteger(v, 0, INT32_MAX, "a non-negative integer");
      return r.ok() ? void(t.max_retries = static_cast<int>(*r)) : fail(r.status());
    }
    case TaskField::kRetryBackoff:
      return ParseRetryBackoff(c, value);
    case TaskField::kEnv:
      return ParseEnv(c, value);
    case TaskField::kTags:
      return ParseTags(c, value);
    case TaskField::kWorkdir:
      if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
        c.Error("must be a non-empty path (got " + DescribeValue(v) + ")");
      } else {
        t.workdir = v.get<std::string>();
      }
      return;
    case TaskField::kDependsOn:
      return ParseDependsOn(c, value);
    case TaskField::kCheckpoint:
      return ParseCheckpoint(c, value);
    case TaskField::kPreemptible:
    case TaskField::kProtected:
      if (!v.is_boolean()) return c.Error("must be true or false (got " + DescribeValue(v) + ")");
      (field == TaskField::kPreemptible ? t.preemptible : t.is_protected) = v.get<bool>();
      return;
    case TaskField::kMinRuntime: {
      Result<Duration> r = ReadDuration(v, true);
      return r.ok() ? void(t.min_runtime = *r) : fail(r.status());
    }
    case TaskField::kOutputs:
      return ParseOutputs(c, value);
    case TaskField::kExecutor:
      if (!v.is_string() || (v.get_ref<const std::string&>() != "local" &&
                             v.get_ref<const std::string&>() != kSlurmExecutor)) {
        c.Error("must be 'local' or 'slurm' (got " + DescribeValue(v) + ")");
      } else {
        t.executor = v.get_ref<const std::string&>() == "local" ? "" : kSlurmExecutor;
      }
      return;
    case TaskField::kValidate:
      if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
        c.Error("must be a non-empty shell command (got " + DescribeValue(v) + ")");
      } else {
        t.validate = v.get<std::string>();
      }
      return;
    case TaskField::kPython:
      return ParsePython(c, value);
    case TaskField::kScript:
      return ParseScript(c, value);
    case TaskField::kContainer:
      return ParseContainer(c, value);
    case TaskField::kParams:
      return ParseParams(c, value);
    case TaskField::kSweep: {
      Sweep sweep;
      if (ParseSweep(value, c.task_id(), sink_, &sweep)) {
        t.sweep = std::move(sweep);
      } else {
        t.has_errors = true;
      }
      return;
    }
  }
}

void TaskFieldParser::ParseCores(Context& c, const SourceValue& value) {
  const std::string expected = "must be a positive integer or {min, max}";
  const OrderedJson& v = value.json();
  if (!v.is_object()) {
    std::optional<int64_t> n = AsInteger(v);
    if (!n || *n < 1 || *n > (1 << 20)) {
      return c.Error(expected + " (got " + DescribeValue(v) + ")");
    }
    c.task().cores = CoreRequest{static_cast<int>(*n), static_cast<int>(*n)};
    return;
  }
  CoreRequest cores;
  bool ok = true, has_min = false, has_max = false;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string& key = value.KeyAt(i);
    SourceValue member = value.Child(i);
    bool is_min = key == "min";
    if (!is_min && key != "max") {
      c.Error(member, key, "unknown key; " + expected);
      ok = false;
      continue;
    }
    Result<int64_t> n = ReadInteger(member.json(), 1, 1 << 20, "a positive integer");
    if (!n.ok()) {
      c.Error(member, key, n.status().message());
      ok = false;
      continue;
    }
    (is_min ? cores.min : cores.max) = static_cast<int>(*n);
    (is_min ? has_min : has_max) = true;
  }
  if (!ok) return;
  if (!has_min && !has_max) return c.Error(expected + " (got an empty mapping)");
  if (!has_max) cores.max = cores.min;
  if (!has_min) cores.min = 1;
  if (cores.min > cores.max) {
    return c.Error("min (" + std::to_string(cores.min) + ") is greater than max (" +
                   std::to_string(cores.max) + ")");
  }
  c.task().cores = cores;
}

void TaskFieldParser::ParseResources(Context& c, const SourceValue& value) {
  if (!value.json().is_object()) {
    return c.Error("must be a mapping of resource names to counts, like {licenses: 1} (got " +
                   DescribeValue(value.json()) + ")");
  }
  std::map<std::string, int64_t> resources;
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string& name = value.KeyAt(i);
    SourceValue member = value.Child(i);
    if (name == "cores" || name == "memory" || name == "memory_max" || name == "gpus") {
      c.Error(member, name, "'" + name + "' is a task field of its own, not a custom resource");
      ok = false;
      continue;
    }
    if (name.empty()) {
      c.Error(member, "", "a resource name must not be empty");
      ok = false;
      continue;
    }
    Result<int64_t> n = ReadInteger(member.json(), 0, INT64_MAX, "a non-negative integer");
    if (!n.ok()) {
      c.Error(member, name, n.status().message());
      ok = false;
      continue;
    }
    resources[name] = *n;
  }
  if (ok) c.task().resources = std::move(resources);
}

void TaskFieldParser::ParseRetryBackoff(Context& c, const SourceValue& value) {
  RetryBackoff backoff;
  if (!value.json().is_object()) {
    // One duration: the same delay before every retry.
    Result<Duration> d = ReadDuration(value.json(), true);
    if (!d.ok()) {
      return c.Error(d.status().message() + "; or use {initial, factor, max}");
    }
    backoff.initial = backoff.max = *d;
    backoff.factor = 1.0;
    c.task().retry_backoff = backoff;
    return;
  }
  bool ok = true, has_max = false;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string& key = value.KeyAt(i);
    SourceValue member = value.Child(i);
    const OrderedJson& v = member.json();
    if (key == "initial" || key == "max") {
      Result<Duration> d = ReadDuration(v, true);
      if (!d.ok()) {
        c.Error(member, key, d.status().message());
        ok = false;
      } else {
        (key == "max" ? backoff.max : backoff.initial) = *d;
        has_max |= key == "max";
      }
    } else if (key == "factor") {
      // Written so that NaN fails too.
      if (!v.is_number() || !(v.get<double>() >= 1.0 && v.get<double>() <= 1e6)) {
        c.Error(member, key, "must be a number of at least 1 (got " + DescribeValue(v) + ")");
        ok = false;
      } else {
        backoff.factor = v.get<double>();
      }
    } else {
      std::string hint = DidYouMean(key, {"initial", "factor", "max"});
      c.Error(member, key,
              "unknown key; expected initial, factor, max" +
                  (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      ok = false;
    }
  }
  if (!ok) return;
  if (backoff.initial > backoff.max) {
    if (has_max) {
      return c.Error("max is less than initial; the delay starts at initial and grows to max");
    }
    backoff.max = backoff.initial;
  }
  c.task().retry_backoff = backoff;
}

void TaskFieldParser::ParseEnv(Context& c, const SourceValue& value) {
  std::vector<std::pair<std::string, std::string>> env;
  bool ok = true;
  auto add = [&](const std::string& name, const OrderedJson& v, const SourceValue& at) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos) {
      c.Error(at, name, "'" + name + "' is not a valid variable name (no '=' and not empty)");
      ok = false;
      return;
    }
    Result<std::string> text = ReadText(v);
    if (!text.ok()) {
      c.Error(at, name, text.status().message());
      ok = false;
      return;
    }
    for (auto& entry : env) {
      if (entry.first == name) {
        entry.second = std::move(*text);
        return;
      }
    }
    env.emplace_back(name, std::move(*text));
  };
  const OrderedJson& j = value.json();
  if (j.is_object()) {
    env.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) {
      SourceValue member = value.Child(i);
      add(value.KeyAt(i), member.json(), member);
    }
  } else if (j.is_array()) {
    // ["NAME=value", ...] or [[name, value], ...] (the form TaskSpecToJson writes).
    for (size_t i = 0; i < value.size(); ++i) {
      SourceValue element = value.Child(i);
      const OrderedJson& e = element.json();
      if (e.is_string() && e.get_ref<const std::string&>().find('=') != std::string::npos) {
        const std::string& s = e.get_ref<const std::string&>();
        size_t eq = s.find('=');
        add(s.substr(0, eq), OrderedJson(s.substr(eq + 1)), element);
      } else if (e.is_array() && e.size() == 2 && e[0].is_string()) {
        add(e[0].get<std::string>(), e[1], element);
      } else {
        c.Error(element, "", "a list entry must be \"NAME=value\" (got " + DescribeValue(e) + ")");
        ok = false;
      }
    }
  } else {
    return c.Error(
        "must be a mapping of variable names to values, like {OMP_PROC_BIND: close} "
        "(got " +
        DescribeValue(j) + ")");
  }
  if (ok) c.task().env = std::move(env);
}

void TaskFieldParser::ParseTags(Context& c, const SourceValue& value) {
  if (!value.json().is_object()) {
    return c.Error("must be a mapping of names to values, like {project: epic} (got " +
                   DescribeValue(value.json()) + ")");
  }
  std::map<std::string, std::string> tags;
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    SourceValue member = value.Child(i);
    Result<std::string> text = ReadText(member.json());
    if (!text.ok() && allocation_format_) {
      // pilot.py keeps any JSON value as a tag; allot's tags are text.
      text = member.json().dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    }
    if (!text.ok()) {
      c.Error(member, value.KeyAt(i), text.status().message());
      ok = false;
      continue;
    }
    tags[value.KeyAt(i)] = std::move(*text);
  }
  if (ok) c.task().tags = std::move(tags);
}

void TaskFieldParser::ParseDependsOn(Context& c, const SourceValue& value) {
  std::vector<DependencyEntry> deps;
  bool ok = true;
  auto add = [&](const SourceValue& entry) {
    const OrderedJson& e = entry.json();
    if ((!e.is_string() && !AsInteger(e)) ||
        (e.is_string() && e.get_ref<const std::string&>().empty())) {
      c.Error(entry, "",
              "must be a task id, a pattern like \"sim-*\", or a list of them (got " +
                  DescribeValue(e) + ")");
      ok = false;
      return;
    }
    std::string text = e.is_string() ? e.get<std::string>() : std::to_string(*AsInteger(e));
    deps.push_back({std::move(text), entry.line()});
  };
  if (value.json().is_array()) {
    deps.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) add(value.Child(i));
  } else {
    add(value);
  }
  if (ok) c.task().depends_on = std::move(deps);
}

void TaskFieldParser::ParseCheckpoint(Context& c, const SourceValue& value) {
  static const std::vector<std::string_view> kKeys = {"signal", "grace", "every", "files",
                                                      "exit_code", "keep", "dir"};
  const OrderedJson& j = value.json();
  if (j.is_boolean()) {
    // `checkpoint: true`: the defaults (SIGTERM, 60 s grace, exit code 85, keep 2).
    if (j.get<bool>()) c.task().checkpoint = CheckpointSpec{};
    return;
  }
  if (!j.is_object()) {
    return c.Error("must be true or a mapping with some of signal, grace, every, files, "
                   "exit_code, keep, dir (got " + DescribeValue(j) + ")");
  }
  CheckpointSpec spec;
  bool ok = true;
  auto error = [&](const SourceValue& at, const std::string& key, const std::string& message) {
    c.Error(at, key, message);
    ok = false;
  };
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string& key = value.KeyAt(i);
    SourceValue member = value.Child(i);
    const OrderedJson& v = member.json();
    if (v.is_null()) continue;
    if (key == "signal") {
      Result<int> s = v.is_string() ? ParseCatchableSignal(v.get_ref<const std::string&>())
                      : AsInteger(v) ? ParseCatchableSignal(std::to_string(*AsInteger(v)))
                                     : Result<int>(Status::InvalidArgument(
                                           "must be a signal name like USR1 (got " +
                                           DescribeValue(v) + ")"));
      s.ok() ? void(spec.signal = *s) : error(member, key, s.status().message());
    } else if (key == "grace" || key == "every") {
      Result<Duration> d = ReadDuration(v, key == "grace");
      if (!d.ok()) {
        error(member, key, d.status().message());
      } else if (key == "grace") {
        spec.grace = *d;
      } else {
        spec.every = *d;
      }
    } else if (key == "files") {
      std::vector<std::string> files;
      auto add = [&](const SourceValue& at) {
        const OrderedJson& e = at.json();
        if (!e.is_string() || e.get_ref<const std::string&>().empty()) {
          return error(at, key, "must be a file name or pattern, or a list of them (got " +
                                    DescribeValue(e) + ")");
        }
        const std::string& f = e.get_ref<const std::string&>();
        if (f[0] == '/' || f == ".." || f.rfind("../", 0) == 0 ||
            f.find("/../") != std::string::npos) {
          return error(at, key, "'" + f + "' must be relative to the checkpoint directory, "
                                "inside it");
        }
        files.push_back(f);
      };
      if (v.is_array()) {
        for (size_t k = 0; k < member.size(); ++k) add(member.Child(k));
      } else {
        add(member);
      }
      spec.files = std::move(files);
    } else if (key == "exit_code") {
      Result<int64_t> n = ReadInteger(v, 1, 255, "an exit code from 1 to 255");
      n.ok() ? void(spec.exit_code = static_cast<int>(*n)) : error(member, key, n.status().message());
    } else if (key == "keep") {
      Result<int64_t> n = ReadInteger(v, 1, 1000, "a number of sets from 1 to 1000");
      n.ok() ? void(spec.keep = static_cast<int>(*n)) : error(member, key, n.status().message());
    } else if (key == "dir") {
      if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
        error(member, key, "must be a non-empty path (got " + DescribeValue(v) + ")");
      } else {
        spec.dir = v.get<std::string>();
      }
    } else {
      std::string hint = DidYouMean(key, kKeys);
      error(member, key,
            "unknown key; expected signal, grace, every, files, exit_code, keep, dir" +
                (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
  if (ok) c.task().checkpoint = std::move(spec);
}

void TaskFieldParser::ParseOutputs(Context& c, const SourceValue& value) {
  std::vector<std::string> paths;
  bool ok = true;
  auto add = [&](const SourceValue& at) {
    const OrderedJson& e = at.json();
    if (!e.is_string() || e.get_ref<const std::string&>().empty()) {
      ok = false;
      return c.Error(at, "", "must be a path or glob pattern, or a list of them (got " +
                                        DescribeValue(e) + ")");
    }
    paths.push_back(e.get<std::string>());
  };
  if (value.json().is_array()) {
    if (value.size() == 0) {
      return c.Error("must name at least one path or pattern (got an empty list)");
    }
    for (size_t k = 0; k < value.size(); ++k) add(value.Child(k));
  } else {
    add(value);
  }
  if (ok) c.task().outputs = std::move(paths);
}

void TaskFieldParser::ReportUnknownField(Context& c, const std::string& key) {
  std::vector<std::string_view> names(kFieldNames.begin(), kFieldNames.end());
  names.push_back("timeout");
  std::string hint = DidYouMean(key, names);
  if (hint.empty()) {
    auto it = Synonyms().find(key);
    if (it != Synonyms().end()) hint = it->second;
  }
  std::string message = allocation_format_ ? "unknown field, ignored" : "unknown field";
  if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
  allocation_format_ ? c.Warn(message) : c.Error(message);
}

RawTask MergeDefaults(const RawTask& defaults, RawTask task) {
  auto take = [&](auto member, TaskField f) {
    if (!task.Written(f) && defaults.Written(f)) {
      task.*member = defaults.*member;
      task.lines[I(f)] = defaults.lines[I(f)];
    }
  };
  const TaskField kJobFields[] = {TaskField::kCommand, TaskField::kPython, TaskField::kScript,
                                  TaskField::kContainer};
  if (std::none_of(std::begin(kJobFields), std::end(kJobFields),
                   [&](TaskField f) { return task.Written(f); })) {
    take(&RawTask::command, TaskField::kCommand);
    take(&RawTask::python, TaskField::kPython);
    take(&RawTask::script, TaskField::kScript);
    take(&RawTask::container, TaskField::kContainer);
  }
  take(&RawTask::cores, TaskField::kCores);
  take(&RawTask::memory_bytes, TaskField::kMemory);
  take(&RawTask::memory_max_bytes, TaskField::kMemoryMax);
  take(&RawTask::gpus, TaskField::kGpus);
  take(&RawTask::nodes, TaskField::kNodes);
  take(&RawTask::resources, TaskField::kResources);
  take(&RawTask::time_limit, TaskField::kTimeLimit);
  take(&RawTask::time_estimate, TaskField::kTimeEstimate);
  take(&RawTask::grace_period, TaskField::kGracePeriod);
  take(&RawTask::priority, TaskField::kPriority);
  take(&RawTask::max_retries, TaskField::kMaxRetries);
  take(&RawTask::retry_backoff, TaskField::kRetryBackoff);
  take(&RawTask::workdir, TaskField::kWorkdir);
  take(&RawTask::depends_on, TaskField::kDependsOn);
  take(&RawTask::checkpoint, TaskField::kCheckpoint);
  take(&RawTask::preemptible, TaskField::kPreemptible);
  take(&RawTask::is_protected, TaskField::kProtected);
  take(&RawTask::min_runtime, TaskField::kMinRuntime);
  take(&RawTask::outputs, TaskField::kOutputs);
  take(&RawTask::validate, TaskField::kValidate);
  take(&RawTask::executor, TaskField::kExecutor);
  if (defaults.env && task.env) {
    std::vector<std::pair<std::string, std::string>> env = *defaults.env;
    for (auto& [name, value] : *task.env) {
      auto it = std::find_if(env.begin(), env.end(), [&n = name](auto& e) { return e.first == n; });
      if (it != env.end()) {
        it->second = std::move(value);
      } else {
        env.emplace_back(std::move(name), std::move(value));
      }
    }
    task.env = std::move(env);
  } else {
    take(&RawTask::env, TaskField::kEnv);
  }
  if (defaults.params && task.params) {
    OrderedJson params = *defaults.params;
    for (auto& [name, value] : task.params->items()) params[name] = value;
    task.params = std::move(params);
  } else {
    take(&RawTask::params, TaskField::kParams);
  }
  if (defaults.tags && task.tags) {
    std::map<std::string, std::string> tags = *defaults.tags;
    for (auto& [name, value] : *task.tags) tags[name] = std::move(value);
    task.tags = std::move(tags);
  } else {
    take(&RawTask::tags, TaskField::kTags);
  }
  return task;
}

}  // namespace allot
