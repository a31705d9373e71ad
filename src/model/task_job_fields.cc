// The job-type fields of a task (`python`, `script`, `container`) and `params`, read one by
// one (model/job_spec.h). What needs the whole task (exactly one job type, paths that must
// exist) is checked by TaskExpander.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "model/did_you_mean.h"
#include "model/job_builder.h"
#include "model/python_names.h"
#include "model/shell_quote.h"
#include "model/task_field_context.h"
#include "model/task_fields.h"
#include "model/value_readers.h"

namespace allot {
namespace {

// "unknown key; expected a, b, c (did you mean 'b'?)"
std::string UnknownKey(const std::string& key, const std::vector<std::string_view>& keys) {
  std::string expected;
  for (std::string_view k : keys) expected += (expected.empty() ? "" : ", ") + std::string(k);
  std::string hint = DidYouMean(key, keys);
  return "unknown key; expected " + expected +
         (hint.empty() ? "" : " (did you mean '" + hint + "'?)");
}

bool IsNonEmptyString(const OrderedJson& v) {
  return v.is_string() && v.get_ref<const std::string&>().find_first_not_of(" \t\r\n") !=
                              std::string::npos;
}

}  // namespace

void TaskFieldParser::ParsePython(Context& c, const SourceValue& value) {
  static const std::vector<std::string_view> kKeys = {"module", "function", "args"};
  if (!value.json().is_object()) {
    return c.Error("must be a mapping {module, function, args} (got " +
                   DescribeValue(value.json()) + ")");
  }
  PythonJob job;
  bool ok = true, has_module = false, has_function = false;
  auto error = [&](const SourceValue& at, const std::string& key, const std::string& message) {
    c.Error(at, key, message);
    ok = false;
  };
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string& key = value.KeyAt(i);
    SourceValue member = value.Child(i);
    const OrderedJson& v = member.json();
    if (key == "module") {
      has_module = true;
      if (!IsNonEmptyString(v)) {
        error(member, key, "must be a module name like 'pkg.sim' or a path to a .py file (got " +
                               DescribeValue(v) + ")");
      } else if (!IsPythonModulePath(v.get_ref<const std::string&>()) &&
                 !IsDottedPythonName(v.get_ref<const std::string&>())) {
        error(member, key, "'" + v.get<std::string>() +
                               "' is neither a dotted module name like 'pkg.sim' nor a path to "
                               "a .py file");
      } else {
        job.module = v.get<std::string>();
      }
    } else if (key == "function") {
      has_function = true;
      if (!v.is_string() || !IsDottedPythonName(v.get_ref<const std::string&>())) {
        error(member, key, "must be the name of a function in the module, like 'run' or "
                           "'Model.run' (got " + DescribeValue(v) + ")");
      } else {
        job.function = v.get<std::string>();
      }
    } else if (key == "args") {
      if (!v.is_array()) {
        error(member, key, "must be a list of positional arguments (got " + DescribeValue(v) +
                               "); keyword arguments are the task's params");
      } else if (!v.empty()) {
        job.args = CanonicalJson(v);
      }
    } else {
      error(member, key, UnknownKey(key, kKeys));
    }
  }
  if (!has_module) error(value, "module", "missing; the module that has the function");
  if (!has_function) error(value, "function", "missing; the function to call");
  if (ok) c.task().python = std::move(job);
}

void TaskFieldParser::ParseScript(Context& c, const SourceValue& value) {
  if (!IsNonEmptyString(value.json())) {
    return c.Error("must be the path of an executable file (got " +
                   DescribeValue(value.json()) + ")");
  }
  c.task().script = value.json().get<std::string>();
}

void TaskFieldParser::ParseContainer(Context& c, const SourceValue& value) {
  static const std::vector<std::string_view> kKeys = {"image", "command", "engine", "mounts"};
  if (!value.json().is_object()) {
    return c.Error("must be a mapping {image, command, engine, mounts} (got " +
                   DescribeValue(value.json()) + ")");
  }
  ContainerJob job;
  bool ok = true, has_image = false;
  auto error = [&](const SourceValue& at, const std::string& key, const std::string& message) {
    c.Error(at, key, message);
    ok = false;
  };
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string& key = value.KeyAt(i);
    SourceValue member = value.Child(i);
    const OrderedJson& v = member.json();
    if (key == "image") {
      has_image = true;
      IsNonEmptyString(v) ? void(job.image = v.get<std::string>())
                          : error(member, key, "must be an image name like "
                                               "'localhost/sim:1' (got " + DescribeValue(v) + ")");
    } else if (key == "command") {
      if (IsNonEmptyString(v)) {
        job.command = v.get<std::string>();
      } else if (v.is_array() && !v.empty() &&
                 std::all_of(v.begin(), v.end(), [](const OrderedJson& w) {
                   return w.is_string();
                 })) {
        job.command = JoinShellWords(v.get<std::vector<std::string>>());
      } else {
        error(member, key, "must be a command line or a list of words (got " +
                               DescribeValue(v) + ")");
      }
    } else if (key == "engine") {
      std::vector<std::string_view> engines(std::begin(kContainerEngines),
                                            std::end(kContainerEngines));
      if (!v.is_string()) {
        error(member, key, "must be one of podman, docker, apptainer, singularity (got " +
                               DescribeValue(v) + ")");
      } else if (std::find(engines.begin(), engines.end(), v.get_ref<const std::string&>()) ==
                 engines.end()) {
        std::string hint = DidYouMean(v.get_ref<const std::string&>(), engines);
        error(member, key, "unknown engine '" + v.get<std::string>() +
                               "'; expected podman, docker, apptainer or singularity" +
                               (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      } else {
        job.engine = v.get<std::string>();
      }
    } else if (key == "mounts") {
      auto add = [&](const SourceValue& at) {
        const OrderedJson& m = at.json();
        Status s = m.is_string() ? CheckContainerMount(m.get_ref<const std::string&>())
                                 : Status::InvalidArgument("must be \"HOST:CONTAINER\" or "
                                                           "\"HOST:CONTAINER:ro\" (got " +
                                                           DescribeValue(m) + ")");
        s.ok() ? void(job.mounts.push_back(m.get<std::string>()))
               : error(at, key, s.message());
      };
      if (v.is_array()) {
        for (size_t k = 0; k < member.size(); ++k) add(member.Child(k));
      } else {
        add(member);
      }
    } else {
      error(member, key, UnknownKey(key, kKeys));
    }
  }
  if (!has_image) error(value, "image", "missing; the image to run");
  if (ok) c.task().container = std::move(job);
}

void TaskFieldParser::ParseParams(Context& c, const SourceValue& value) {
  if (!value.json().is_object()) {
    return c.Error("must be a mapping of names to values, like {energy: 5, geometry: \"v2\"} "
                   "(got " + DescribeValue(value.json()) + ")");
  }
  c.task().params = value.json();
}

}  // namespace allot
