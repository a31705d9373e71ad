#include "model/job_builder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "model/python_names.h"
#include "model/task_paths.h"

namespace allot {
namespace {

// Why `path` is not what it must be ("does not exist", ...); "" when it is.
std::string CheckFile(const std::string& path, bool executable) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "does not exist";
  if (S_ISDIR(st.st_mode)) return "is a directory";
  if (executable && ::access(path.c_str(), X_OK) != 0) {
    return "is not executable (chmod +x it, or run it with `command: sh FILE`)";
  }
  return "";
}

}  // namespace

std::string CanonicalJson(const OrderedJson& j) {
  // nlohmann::json keeps object keys sorted: the text the journal's round trip gives back.
  return nlohmann::json::parse(j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace))
      .dump();
}

bool BuildJobSpec(RawTask& raw, const std::string& task_id, const std::string& file_dir,
                  DiagnosticSink* sink, Boxed<JobSpec>* job) {
  const TaskField kKinds[] = {TaskField::kCommand, TaskField::kPython, TaskField::kScript,
                              TaskField::kContainer};
  std::vector<TaskField> written;
  for (TaskField f : kKinds) {
    if (raw.Written(f)) written.push_back(f);
  }
  // In the file's order: the second one written is the one too many.
  std::stable_sort(written.begin(), written.end(),
                   [&](TaskField a, TaskField b) { return raw.LineOf(a) < raw.LineOf(b); });
  if (written.empty()) {
    sink->Add(raw.line, task_id, "command",
              "missing; every task needs something to run: command, python, script or "
              "container");
    return false;
  }
  bool ok = true;
  if (written.size() > 1) {
    std::string names;
    for (TaskField f : written) {
      names += (names.empty() ? "'" : ", '") + std::string(TaskFieldName(f)) + "'";
    }
    sink->Add(raw.LineOf(written[1]), task_id, TaskFieldName(written[1]),
              "a task runs one thing: only one of command, python, script and container may be "
              "set (this task has " + names + ")");
    ok = false;
  }
  auto bad = [&](TaskField f, const std::string& message) {
    sink->Add(raw.LineOf(f), task_id, TaskFieldName(f), message);
    ok = false;
  };
  JobSpec spec;
  if (raw.python) {
    spec.kind = JobKind::kPython;
    spec.python = std::move(*raw.python);
    std::string& module = spec.python.module;
    if (IsPythonModulePath(module) && !file_dir.empty()) {
      module = ResolvePath(file_dir, module);
      if (std::string why = CheckFile(module, false); !why.empty()) {
        bad(TaskField::kPython, "module " + module + " " + why);
      }
    }
  } else if (raw.script) {
    spec.kind = JobKind::kScript;
    spec.script = std::move(*raw.script);
    if (!file_dir.empty()) {
      spec.script = ResolvePath(file_dir, spec.script);
      if (std::string why = CheckFile(spec.script, true); !why.empty()) {
        bad(TaskField::kScript, spec.script + " " + why);
      }
    }
  } else if (raw.container) {
    spec.kind = JobKind::kContainer;
    spec.container = std::move(*raw.container);
    for (std::string& m : spec.container.mounts) {
      const size_t colon = m.find(':');
      if (!file_dir.empty()) m = ResolvePath(file_dir, m.substr(0, colon)) + m.substr(colon);
    }
  }
  if (raw.params) {
    if (spec.kind == JobKind::kPython) {
      for (const auto& [name, value] : raw.params->items()) {
        if (!IsPythonIdentifier(name)) {
          bad(TaskField::kParams, "'" + name + "' is not a Python identifier, so it cannot be a "
                                  "keyword argument of " + spec.python.function);
        }
      }
    }
    spec.params = CanonicalJson(*raw.params);
  }
  if (!ok) return false;
  if (spec.kind != JobKind::kCommand || !spec.params.empty()) *job = std::move(spec);
  return true;
}

}  // namespace allot
