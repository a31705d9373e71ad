#include "model/task_expander.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "common/units.h"
#include "model/job_builder.h"
#include "model/string_template.h"
#include "model/task_id.h"
#include "model/task_paths.h"

namespace allot {
namespace {

// A string field of a sweep task, compiled; when it does not compile it renders as written.
class FieldTemplate {
 public:
  FieldTemplate(std::string text, const std::vector<std::string>& parameters, int line,
                const std::string& task_id, const std::string& field, DiagnosticSink* sink)
      : raw_(std::move(text)) {
    Result<StringTemplate> t = StringTemplate::Compile(raw_, parameters);
    if (t.ok()) {
      template_ = std::move(*t);
    } else {
      sink->Add(line, task_id, field, t.status().message());
    }
  }
  bool ok() const { return template_.has_value(); }
  bool HasParameters() const { return template_ && template_->HasParameters(); }
  std::string Render(const std::vector<const std::string*>& values) const {
    return template_ ? template_->Render(values) : raw_;
  }

 private:
  std::string raw_;
  std::optional<StringTemplate> template_;
};

// The string values of a JSON document (params, python args), each a FieldTemplate. A string
// that is exactly one "{name}" takes a number or boolean value as that JSON type.
class JsonTemplate {
 public:
  JsonTemplate(const std::string& text, const std::vector<std::string>& parameters, int line,
               const std::string& task_id, const std::string& field, DiagnosticSink* sink)
      : text_(text) {
    if (text.empty()) return;
    doc_ = OrderedJson::parse(text, nullptr, false);
    if (doc_.is_discarded()) return;
    Collect(doc_, OrderedJson::json_pointer(), parameters, line, task_id, field, sink);
  }
  std::string Render(const std::vector<const std::string*>& values) const {
    if (leaves_.empty()) return text_;
    OrderedJson copy = doc_;
    for (const Leaf& leaf : leaves_) {
      std::string text = leaf.text.Render(values);
      if (leaf.whole) {
        // "{energy}" alone: a number or a boolean stays one (sweep values are text).
        OrderedJson v = OrderedJson::parse(text, nullptr, false);
        if (!v.is_discarded() && (v.is_number() || v.is_boolean())) {
          copy[leaf.at] = std::move(v);
          continue;
        }
      }
      copy[leaf.at] = std::move(text);
    }
    return copy.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
  }

 private:
  void Collect(const OrderedJson& j, const OrderedJson::json_pointer& at,
               const std::vector<std::string>& parameters, int line, const std::string& task_id,
               const std::string& field, DiagnosticSink* sink) {
    if (j.is_string()) {
      const std::string& text = j.get_ref<const std::string&>();
      FieldTemplate t(text, parameters, line, task_id, field, sink);
      const bool whole = text.size() > 2 && text.front() == '{' && text.back() == '}' &&
                         std::find(parameters.begin(), parameters.end(),
                                   text.substr(1, text.size() - 2)) != parameters.end();
      if (t.HasParameters()) leaves_.push_back({at, std::move(t), whole});
    } else if (j.is_object()) {
      for (const auto& [key, value] : j.items()) {
        Collect(value, at / key, parameters, line, task_id, field + "." + key, sink);
      }
    } else if (j.is_array()) {
      for (size_t i = 0; i < j.size(); ++i) {
        Collect(j[i], at / i, parameters, line, task_id, field, sink);
      }
    }
  }

  struct Leaf {
    OrderedJson::json_pointer at;
    FieldTemplate text;
    bool whole = false;  // the string is one placeholder, nothing else
  };
  std::string text_;
  OrderedJson doc_;
  std::vector<Leaf> leaves_;
};

}  // namespace

TaskExpander::TaskExpander(const std::string& file, const LoadOptions& options,
                           DiagnosticSink* sink)
    : file_(file), options_(options), sink_(sink) {}

std::string TaskExpander::ResolveWorkdir(const std::string& workdir) const {
  if (workdir.empty()) return options_.base_dir;
  return ResolvePath(file_dir(), workdir);
}

const std::string& TaskExpander::file_dir() const {
  return options_.file_dir.empty() ? options_.base_dir : options_.file_dir;
}

bool TaskExpander::BuildBase(RawTask& raw, PendingTask* base) {
  bool ok = true;
  if (!raw.id) {
    if (!raw.Written(TaskField::kId))
      sink_->Add(raw.line, "", "id", "missing; every task needs an id");
    ids_incomplete_ = true;
    ok = false;
  }
  TaskSpec& s = base->spec;
  // Its problems are reported; the task stays, so that its dependents do not also fail.
  BuildJobSpec(raw, raw.id.value_or(""), file_dir(), sink_, &s.job);
  if (!ok) return false;
  s.id = std::move(*raw.id);
  if (raw.command) s.command = std::move(*raw.command);
  if (raw.cores) s.resources.cores = *raw.cores;
  if (raw.memory_bytes && *raw.memory_bytes == kMemoryAuto) {
    s.resources.memory_auto = true;
  } else if (raw.memory_bytes) {
    s.resources.memory_bytes = *raw.memory_bytes;
  }
  if (raw.memory_max_bytes && s.resources.memory_auto) {
    s.memory_max_bytes = *raw.memory_max_bytes;
  } else if (raw.memory_max_bytes) {
    if (!raw.memory_bytes || *raw.memory_bytes == 0) {
      sink_->Add(raw.LineOf(TaskField::kMemoryMax), s.id, "memory_max",
                 "needs 'memory', the memory the first attempt gets");
    } else if (*raw.memory_max_bytes < *raw.memory_bytes) {
      sink_->Add(raw.LineOf(TaskField::kMemoryMax), s.id, "memory_max",
                 "is less than memory (" + FormatSize(*raw.memory_bytes) + ")");
    } else {
      s.memory_max_bytes = *raw.memory_max_bytes;
    }
  }
  if (raw.gpus) s.resources.gpus = *raw.gpus;
  if (raw.nodes && *raw.nodes > 1 && s.resources.cores.elastic()) {
    sink_->Add(raw.LineOf(TaskField::kNodes), s.id, "nodes",
               "a multi-node task takes a fixed number of cores per node; cores {min, max} is "
               "for one node");
  } else if (raw.nodes) {
    s.resources.nodes = *raw.nodes;
  }
  if (raw.resources) s.resources.custom = std::move(*raw.resources);
  s.time_limit = raw.time_limit;
  s.time_estimate = raw.time_estimate;
  if (raw.grace_period) s.grace_period = *raw.grace_period;
  if (raw.priority) s.priority = *raw.priority;
  if (raw.max_retries) s.max_retries = *raw.max_retries;
  if (raw.retry_backoff) s.retry_backoff = *raw.retry_backoff;
  if (raw.env) s.env = std::move(*raw.env);
  if (raw.tags) s.tags = std::move(*raw.tags);
  if (raw.workdir) s.workdir = std::move(*raw.workdir);
  if (raw.preemptible) s.preemptible = *raw.preemptible;
  if (raw.is_protected) s.is_protected = *raw.is_protected;
  if (raw.min_runtime) s.min_runtime = *raw.min_runtime;
  if (raw.executor) s.executor = *raw.executor;
  if (s.preemptible && s.is_protected) {
    sink_->Add(raw.LineOf(TaskField::kPreemptible), s.id, "preemptible",
               "a protected task is never preempted; set one of preemptible and protected");
  }
  if (raw.checkpoint) {
    s.checkpoint = std::move(*raw.checkpoint);
    if (!s.checkpoint->dir.empty()) s.checkpoint->dir = ResolvePath(file_dir(), s.checkpoint->dir);
  }
  if (raw.outputs || raw.validate) {
    OutputsSpec o;
    if (raw.outputs) o.paths = std::move(*raw.outputs);
    if (raw.validate) o.validate = std::move(*raw.validate);
    s.outputs = std::move(o);
  }
  if (raw.depends_on) {
    s.depends_on.reserve(raw.depends_on->size());
    base->dep_lines.reserve(raw.depends_on->size());
    for (DependencyEntry& d : *raw.depends_on) {
      s.depends_on.push_back(std::move(d.text));
      base->dep_lines.push_back(d.line);
    }
  }
  s.origin = {file_, raw.line};
  base->id_line = raw.LineOf(TaskField::kId);
  return true;
}

void TaskExpander::Expand(RawTask&& raw, std::vector<PendingTask>* out) {
  PendingTask base;
  if (!BuildBase(raw, &base)) return;
  if (raw.sweep) return ExpandSweep(raw, std::move(base), out);
  if (raw.Written(TaskField::kSweep)) {
    // The sweep was wrong (reported); its id has placeholders no one can resolve.
    ids_incomplete_ = true;
    return;
  }
  if (Status s = ValidateTaskId(base.spec.id); !s.ok()) {
    sink_->Add(base.id_line, base.spec.id, "id", s.message());
  }
  if (!allocation_format_ || !base.spec.workdir.empty()) {
    base.spec.workdir = ResolveWorkdir(base.spec.workdir);
  }
  ResolveCommandProgram(file_dir(), &base.spec.command);
  out->push_back(std::move(base));
}

void TaskExpander::ExpandSweep(const RawTask& raw, PendingTask base,
                               std::vector<PendingTask>* out) {
  const Sweep& sweep = *raw.sweep;
  const std::vector<std::string> names = sweep.ParameterNames();
  const TaskSpec& s = base.spec;
  const std::string& tid = s.id;
  auto compile = [&](const std::string& text, TaskField f, const std::string& field) {
    return FieldTemplate(text, names, raw.LineOf(f), tid, field, sink_);
  };
  FieldTemplate id = compile(s.id, TaskField::kId, "id");
  if (!id.ok()) {
    ids_incomplete_ = true;
    return;
  }
  FieldTemplate command = compile(s.command, TaskField::kCommand, "command");
  FieldTemplate workdir = compile(s.workdir, TaskField::kWorkdir, "workdir");
  std::vector<FieldTemplate> env, tags, deps;
  for (const auto& [name, value] : s.env) {
    env.push_back(compile(value, TaskField::kEnv, "env." + name));
  }
  for (const auto& [name, value] : s.tags) {
    tags.push_back(compile(value, TaskField::kTags, "tags." + name));
  }
  for (size_t i = 0; i < s.depends_on.size(); ++i) {
    deps.emplace_back(s.depends_on[i], names, base.dep_lines[i], tid, "depends_on", sink_);
  }
  std::vector<FieldTemplate> outputs;
  std::optional<FieldTemplate> validate;
  if (s.outputs) {
    for (const std::string& p : s.outputs->paths) {
      outputs.push_back(compile(p, TaskField::kOutputs, "outputs"));
    }
    if (!s.outputs->validate.empty()) {
      validate.emplace(compile(s.outputs->validate, TaskField::kValidate, "validate"));
    }
  }
  // The job's strings: params and python args (each string value), a container's image,
  // command and mounts. A script or module path is not a template.
  std::optional<JsonTemplate> params, args;
  std::optional<FieldTemplate> image, inner;
  std::vector<FieldTemplate> mounts;
  if (s.job) {
    params.emplace(s.job->params, names, raw.LineOf(TaskField::kParams), tid, "params", sink_);
    const int job_line = raw.LineOf(s.job->kind == JobKind::kPython ? TaskField::kPython
                                                                    : TaskField::kContainer);
    if (s.job->kind == JobKind::kPython) {
      args.emplace(s.job->python.args, names, job_line, tid, "python.args", sink_);
    } else if (s.job->kind == JobKind::kContainer) {
      const ContainerJob& c = s.job->container;
      image.emplace(c.image, names, job_line, tid, "container.image", sink_);
      inner.emplace(c.command, names, job_line, tid, "container.command", sink_);
      for (const std::string& m : c.mounts) {
        mounts.emplace_back(m, names, job_line, tid, "container.mounts", sink_);
      }
    }
  }

  size_t rows = sweep.RowCount();
  if (!id.HasParameters() && rows > 1) {
    sink_->Add(base.id_line, tid, "id",
               "every task of a sweep needs its own id: use the sweep parameters in it, like "
               "'" +
                   tid + "-{" + names.front() + "}'");
    rows = 1;
  }
  if (rows > 1 && !raw.Written(TaskField::kWorkdir)) {
    // One directory for every row: relative writes collide. Not an error (they may write
    // nothing there); `workdir: .` says the shared directory is meant.
    const std::string shared = ResolveWorkdir("");
    sink_->AddWarning(raw.LineOf(TaskField::kSweep), tid, "workdir",
                      "not set: the " + std::to_string(rows) + " tasks of this sweep all run in " +
                          (shared.empty() ? std::string("allot's directory") : shared) +
                          ", so files they write by relative path overwrite each other; set "
                          "workdir (like \"runs/{" + names.front() +
                          "}\", or \".\" to share it) or write under $ALLOT_WORKDIR, each "
                          "task's own directory");
  }
  std::vector<const std::string*> values(names.size());
  int bad_ids = 0;
  std::string first_bad;
  out->reserve(out->size() + rows);
  for (size_t row = 0; row < rows; ++row) {
    sweep.RowValues(row, &values);
    PendingTask task = base;
    TaskSpec& t = task.spec;
    t.id = id.Render(values);
    if (Status st = ValidateTaskId(t.id); !st.ok()) {
      if (bad_ids++ == 0) sink_->Add(base.id_line, t.id, "id", st.message());
    }
    t.command = command.Render(values);
    ResolveCommandProgram(file_dir(), &t.command);
    t.workdir = ResolveWorkdir(workdir.Render(values));
    for (size_t i = 0; i < env.size(); ++i) t.env[i].second = env[i].Render(values);
    size_t i = 0;
    for (auto& [name, value] : t.tags) value = tags[i++].Render(values);
    for (size_t d = 0; d < deps.size(); ++d) t.depends_on[d] = deps[d].Render(values);
    if (t.outputs) {
      for (size_t o = 0; o < outputs.size(); ++o) t.outputs->paths[o] = outputs[o].Render(values);
      if (validate) t.outputs->validate = validate->Render(values);
    }
    if (t.job) {
      t.job->params = params->Render(values);
      if (args) t.job->python.args = args->Render(values);
      if (image) t.job->container.image = image->Render(values);
      if (inner) t.job->container.command = inner->Render(values);
      for (size_t m = 0; m < mounts.size(); ++m) {
        t.job->container.mounts[m] = mounts[m].Render(values);
      }
    }
    out->push_back(std::move(task));
  }
  if (bad_ids > 1) {
    sink_->Add(base.id_line, tid, "id",
               std::to_string(bad_ids - 1) + " more ids of this sweep are invalid too");
  }
}

}  // namespace allot
