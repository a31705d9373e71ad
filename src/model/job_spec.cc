#include "model/job_spec.h"

namespace allot {

std::string_view JobKindName(JobKind kind) {
  switch (kind) {
    case JobKind::kCommand:
      return "command";
    case JobKind::kPython:
      return "python";
    case JobKind::kScript:
      return "script";
    case JobKind::kContainer:
      return "container";
  }
  return "command";
}

std::string DescribeJob(const JobSpec& job) {
  switch (job.kind) {
    case JobKind::kCommand:
      return "";
    case JobKind::kPython:
      return "python: " + job.python.module + (job.python.module.ends_with(".py") ? ":" : ".") +
             job.python.function;
    case JobKind::kScript:
      return "script: " + job.script;
    case JobKind::kContainer: {
      std::string out = "container: " + job.container.image + " (" + job.container.engine + ")";
      if (!job.container.command.empty()) out += " " + job.container.command;
      return out;
    }
  }
  return "";
}

}  // namespace allot
