#include "model/task_spec_json.h"

#include <cmath>
#include <utility>

namespace allot {
namespace {

using nlohmann::json;

json Seconds(Duration d) {
  if (d.count() % 1000000 == 0) return d.count() / 1000000;
  return static_cast<double>(d.count()) / 1e6;
}

// Reads typed values out of one document, remembering the first problem.
class Reader {
 public:
  explicit Reader(const json& j) : j_(j) {}

  const json* Find(const char* key) {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  void Fail(const std::string& key, const char* expected) {
    if (error_.empty()) error_ = "task spec field '" + key + "': expected " + expected;
  }
  template <typename Int>
  void Integer(const char* key, Int* out) {
    if (const json* v = Find(key)) ReadInteger(*v, key, out);
  }
  template <typename Int>
  void ReadInteger(const json& v, const std::string& key, Int* out) {
    if (!v.is_number_integer()) return Fail(key, "an integer");
    *out = v.get<Int>();
  }
  void String(const char* key, std::string* out) {
    if (const json* v = Find(key)) {
      if (!v->is_string()) return Fail(key, "a string");
      *out = v->get<std::string>();
    }
  }
  void ReadSeconds(const json& v, const std::string& key, Duration* out) {
    if (!v.is_number()) return Fail(key, "seconds");
    *out = Duration(std::llround(v.get<double>() * 1e6));
  }
  void OptionalSeconds(const char* key, std::optional<Duration>* out) {
    if (const json* v = Find(key)) {
      Duration d{0};
      ReadSeconds(*v, key, &d);
      *out = d;
    }
  }
  void Bool(const char* key, bool* out) {
    if (const json* v = Find(key)) {
      if (!v->is_boolean()) return Fail(key, "true or false");
      *out = v->get<bool>();
    }
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  const json& j_;
  std::string error_;
};

void ReadCores(Reader* r, const json* v, CoreRequest* out) {
  if (v == nullptr) return;
  if (v->is_number_integer()) {
    out->min = out->max = v->get<int>();
  } else if (v->is_object()) {
    auto min = v->find("min");
    auto max = v->find("max");
    if (min == v->end() || max == v->end()) return r->Fail("cores", "{min, max}");
    r->ReadInteger(*min, "cores.min", &out->min);
    r->ReadInteger(*max, "cores.max", &out->max);
  } else {
    r->Fail("cores", "an integer or {min, max}");
  }
}

void ReadBackoff(Reader* r, const json* v, RetryBackoff* out) {
  if (v == nullptr) return;
  if (!v->is_object()) return r->Fail("retry_backoff", "an object");
  if (auto it = v->find("initial"); it != v->end()) {
    r->ReadSeconds(*it, "retry_backoff.initial", &out->initial);
  }
  if (auto it = v->find("factor"); it != v->end()) {
    if (!it->is_number()) return r->Fail("retry_backoff.factor", "a number");
    out->factor = it->get<double>();
  }
  if (auto it = v->find("max"); it != v->end()) {
    r->ReadSeconds(*it, "retry_backoff.max", &out->max);
  }
}

void ReadEnv(Reader* r, const json* v, TaskSpec* spec) {
  if (v == nullptr) return;
  if (!v->is_array()) return r->Fail("env", "a list of [name, value] pairs");
  for (const json& pair : *v) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      return r->Fail("env", "a list of [name, value] pairs");
    }
    spec->env.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
}

template <typename Value>
void ReadMap(Reader* r, const json* v, const char* key, std::map<std::string, Value>* out) {
  if (v == nullptr) return;
  if (!v->is_object()) return r->Fail(key, "an object");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if constexpr (std::is_same_v<Value, std::string>) {
      if (!it->is_string()) return r->Fail(std::string(key) + "." + it.key(), "a string");
    } else {
      if (!it->is_number_integer()) return r->Fail(std::string(key) + "." + it.key(), "an integer");
    }
    (*out)[it.key()] = it->template get<Value>();
  }
}

// A list of strings under `key` (depends_on: "a list of ids").
void ReadStrings(Reader* r, const json* v, const char* key, const char* what,
                 std::vector<std::string>* out) {
  if (v == nullptr) return;
  if (!v->is_array()) return r->Fail(key, what);
  for (const json& e : *v) {
    if (!e.is_string()) return r->Fail(key, what);
    out->push_back(e.get<std::string>());
  }
}

void ReadOrigin(Reader* r, const json* v, SourceLocation* out) {
  if (v == nullptr) return;
  if (!v->is_object()) return r->Fail("origin", "{file, line}");
  Reader origin(*v);
  origin.String("file", &out->file);
  origin.Integer("line", &out->line);
  if (!origin.ok()) r->Fail("origin", "{file, line}");
}

void ReadCheckpoint(Reader* r, const json* v, std::optional<CheckpointSpec>* out) {
  if (v == nullptr) return;
  if (!v->is_object()) return r->Fail("checkpoint", "an object");
  CheckpointSpec c;
  Reader cr(*v);
  cr.Integer("signal", &c.signal);
  if (const json* g = cr.Find("grace")) cr.ReadSeconds(*g, "grace", &c.grace);
  cr.OptionalSeconds("every", &c.every);
  if (const json* f = cr.Find("files")) {
    if (!f->is_array()) return r->Fail("checkpoint.files", "a list of strings");
    for (const json& e : *f) {
      if (!e.is_string()) return r->Fail("checkpoint.files", "a list of strings");
      c.files.push_back(e.get<std::string>());
    }
  }
  cr.Integer("exit_code", &c.exit_code);
  cr.Integer("keep", &c.keep);
  cr.String("dir", &c.dir);
  if (!cr.ok()) return r->Fail("checkpoint", "a checkpoint object with typed fields");
  *out = std::move(c);
}

// The job members of `v` (JobSpecFromJson), problems reported through `r`.
void ReadJob(Reader* r, const json& v, Boxed<JobSpec>* out) {
  const json* python = r->Find("python");
  const json* script = r->Find("script");
  const json* container = r->Find("container");
  const json* params = r->Find("params");
  if (python == nullptr && script == nullptr && container == nullptr && params == nullptr) return;
  JobSpec job;
  if (python != nullptr) {
    if (!python->is_object()) return r->Fail("python", "{module, function, args}");
    job.kind = JobKind::kPython;
    Reader p(*python);
    p.String("module", &job.python.module);
    p.String("function", &job.python.function);
    if (const json* args = p.Find("args")) {
      if (!args->is_array()) return r->Fail("python.args", "a list");
      job.python.args = args->dump(-1, ' ', false, json::error_handler_t::replace);
    }
    if (!p.ok()) return r->Fail("python", "{module, function, args}");
  } else if (script != nullptr) {
    if (!script->is_string()) return r->Fail("script", "a path");
    job.kind = JobKind::kScript;
    job.script = script->get<std::string>();
  } else if (container != nullptr) {
    if (!container->is_object()) return r->Fail("container", "{image, command, engine, mounts}");
    job.kind = JobKind::kContainer;
    Reader c(*container);
    c.String("image", &job.container.image);
    c.String("command", &job.container.command);
    c.String("engine", &job.container.engine);
    ReadStrings(&c, c.Find("mounts"), "mounts", "a list of mounts", &job.container.mounts);
    if (!c.ok()) return r->Fail("container", "{image, command, engine, mounts}");
  }
  if (params != nullptr) {
    if (!params->is_object()) return r->Fail("params", "an object");
    job.params = params->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  *out = std::move(job);
  (void)v;
}

}  // namespace

void JobSpecToJson(const JobSpec& job, json* j) {
  switch (job.kind) {
    case JobKind::kCommand:
      break;
    case JobKind::kPython: {
      json p = {{"module", job.python.module}, {"function", job.python.function}};
      if (json args = json::parse(job.python.args, nullptr, false); !args.is_discarded()) {
        p["args"] = std::move(args);
      }
      (*j)["python"] = std::move(p);
      break;
    }
    case JobKind::kScript:
      (*j)["script"] = job.script;
      break;
    case JobKind::kContainer: {
      json c = {{"image", job.container.image}, {"engine", job.container.engine}};
      if (!job.container.command.empty()) c["command"] = job.container.command;
      if (!job.container.mounts.empty()) c["mounts"] = job.container.mounts;
      (*j)["container"] = std::move(c);
      break;
    }
  }
  // Only text a spec's reader made (JobSpecFromJson, the task-file parser): valid JSON.
  if (json params = json::parse(job.params, nullptr, false); !params.is_discarded()) {
    (*j)["params"] = std::move(params);
  }
}

Result<Boxed<JobSpec>> JobSpecFromJson(const json& j) {
  if (!j.is_object()) return Status::Corruption("job: expected an object");
  Reader r(j);
  Boxed<JobSpec> job;
  ReadJob(&r, j, &job);
  if (!r.ok()) return Status::Corruption(r.error());
  return job;
}

std::string DescribeWhatRuns(const TaskSpec& spec) {
  std::string out = spec.job && spec.job->kind != JobKind::kCommand ? DescribeJob(*spec.job)
                                                                    : "command: " + spec.command;
  if (spec.job && !spec.job->params.empty()) out += " params: " + spec.job->params;
  return out;
}

void AddJobFields(const TaskSpec& spec, json* task) {
  (*task)["type"] = std::string(JobKindName(spec.kind()));
  if (!spec.job) return;
  if (spec.job->kind != JobKind::kCommand) (*task)["job"] = DescribeJob(*spec.job);
  if (json params = json::parse(spec.job->params, nullptr, false); !params.is_discarded()) {
    (*task)["params"] = std::move(params);
  }
}

json CheckpointSpecToJson(const CheckpointSpec& c) {
  json cj = {{"signal", c.signal}, {"grace", Seconds(c.grace)}, {"exit_code", c.exit_code},
             {"keep", c.keep}};
  if (c.every) cj["every"] = Seconds(*c.every);
  if (!c.files.empty()) cj["files"] = c.files;
  if (!c.dir.empty()) cj["dir"] = c.dir;
  return cj;
}

Result<CheckpointSpec> CheckpointSpecFromJson(const json& j) {
  Reader r(j);
  std::optional<CheckpointSpec> c;
  ReadCheckpoint(&r, &j, &c);
  if (!r.ok() || !c) return Status::Corruption(r.ok() ? "checkpoint: expected an object" : r.error());
  return std::move(*c);
}

json TaskSpecToJson(const TaskSpec& spec) {
  const TaskSpec defaults;
  json j = json::object();
  j["id"] = spec.id;
  j["command"] = spec.command;
  const CoreRequest& cores = spec.resources.cores;
  if (cores.min == cores.max) {
    j["cores"] = cores.min;
  } else {
    j["cores"] = {{"min", cores.min}, {"max", cores.max}};
  }
  if (spec.resources.memory_bytes != 0) j["memory"] = spec.resources.memory_bytes;
  if (spec.resources.memory_auto) j["memory_auto"] = true;
  if (spec.memory_max_bytes != 0) j["memory_max"] = spec.memory_max_bytes;
  if (spec.resources.gpus != 0) j["gpus"] = spec.resources.gpus;
  if (spec.resources.nodes != 1) j["nodes"] = spec.resources.nodes;
  if (!spec.resources.custom.empty()) j["resources"] = spec.resources.custom;
  if (spec.time_limit) j["time_limit"] = Seconds(*spec.time_limit);
  if (spec.time_estimate) j["time_estimate"] = Seconds(*spec.time_estimate);
  if (spec.grace_period != defaults.grace_period) j["grace_period"] = Seconds(spec.grace_period);
  if (spec.priority != 0) j["priority"] = spec.priority;
  if (spec.max_retries != 0) j["max_retries"] = spec.max_retries;
  if (spec.retry_backoff != defaults.retry_backoff) {
    j["retry_backoff"] = {{"initial", Seconds(spec.retry_backoff.initial)},
                          {"factor", spec.retry_backoff.factor},
                          {"max", Seconds(spec.retry_backoff.max)}};
  }
  if (!spec.env.empty()) {
    json env = json::array();
    for (const auto& [name, value] : spec.env) env.push_back({name, value});
    j["env"] = std::move(env);
  }
  if (!spec.tags.empty()) j["tags"] = spec.tags;
  j["workdir"] = spec.workdir;
  if (!spec.depends_on.empty()) j["depends_on"] = spec.depends_on;
  if (spec.checkpoint) j["checkpoint"] = CheckpointSpecToJson(*spec.checkpoint);
  if (spec.preemptible) j["preemptible"] = true;
  if (spec.is_protected) j["protected"] = true;
  if (spec.min_runtime != Duration(0)) j["min_runtime"] = Seconds(spec.min_runtime);
  if (spec.outputs) {
    j["outputs"] = spec.outputs->paths;
    if (!spec.outputs->validate.empty()) j["validate"] = spec.outputs->validate;
  }
  if (spec.job) JobSpecToJson(*spec.job, &j);
  if (!spec.executor.empty()) j["executor"] = spec.executor;
  j["origin"] = {{"file", spec.origin.file}, {"line", spec.origin.line}};
  return j;
}

Result<TaskSpec> TaskSpecFromJson(const json& j) {
  if (!j.is_object()) return Status::Corruption("task spec: expected a JSON object");
  TaskSpec spec;
  Reader r(j);
  if (!j.contains("id") || !j.contains("command")) {
    return Status::Corruption("task spec: missing 'id' or 'command'");
  }
  r.String("id", &spec.id);
  r.String("command", &spec.command);
  ReadCores(&r, r.Find("cores"), &spec.resources.cores);
  r.Integer("memory", &spec.resources.memory_bytes);
  r.Bool("memory_auto", &spec.resources.memory_auto);
  r.Integer("memory_max", &spec.memory_max_bytes);
  r.Integer("gpus", &spec.resources.gpus);
  r.Integer("nodes", &spec.resources.nodes);
  ReadMap(&r, r.Find("resources"), "resources", &spec.resources.custom);
  r.OptionalSeconds("time_limit", &spec.time_limit);
  r.OptionalSeconds("time_estimate", &spec.time_estimate);
  if (const json* v = r.Find("grace_period")) r.ReadSeconds(*v, "grace_period", &spec.grace_period);
  r.Integer("priority", &spec.priority);
  r.Integer("max_retries", &spec.max_retries);
  ReadBackoff(&r, r.Find("retry_backoff"), &spec.retry_backoff);
  ReadEnv(&r, r.Find("env"), &spec);
  ReadMap(&r, r.Find("tags"), "tags", &spec.tags);
  r.String("workdir", &spec.workdir);
  ReadStrings(&r, r.Find("depends_on"), "depends_on", "a list of ids", &spec.depends_on);
  ReadOrigin(&r, r.Find("origin"), &spec.origin);
  if (const json* v = r.Find("checkpoint")) {
    std::optional<CheckpointSpec> c;
    ReadCheckpoint(&r, v, &c);
    spec.checkpoint = c;
  }
  r.Bool("preemptible", &spec.preemptible);
  r.Bool("protected", &spec.is_protected);
  if (const json* v = r.Find("min_runtime")) r.ReadSeconds(*v, "min_runtime", &spec.min_runtime);
  if (r.Find("outputs") != nullptr || r.Find("validate") != nullptr) {
    OutputsSpec o;
    ReadStrings(&r, r.Find("outputs"), "outputs", "a list of paths", &o.paths);
    r.String("validate", &o.validate);
    spec.outputs = std::move(o);
  }
  ReadJob(&r, j, &spec.job);
  r.String("executor", &spec.executor);
  if (!r.ok()) return Status::Corruption(r.error());
  return spec;
}

}  // namespace allot
