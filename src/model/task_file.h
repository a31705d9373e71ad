// Loading task files: the allocation-scheduler format (a JSON array of tasks) and the workflow
// document (JSON or YAML with defaults, tasks, depends_on, sweeps). Produces validated,
// fully-expanded TaskSpecs in file order, or every problem found, each naming file, line and
// field. Machine limits are checked separately (CheckFitsMachine), because the file is read
// before the machine is known on some paths.
//
// Workflow document:
//   defaults: {<any task field>}          # merged under every task
//   scenarios: {policy: asha, metric: loss} # optional: model/scenario_policy_parser.h
//   tasks:
//     - id: "sim-{energy}-{seed}"          # {name} substituted in id, command, env,
//       command: "geant4 --e {energy}"     #   workdir, tags and depends_on
//       sweep: {grid: {energy: [1, 5], seed: [1, 2]}, zip: {a: [..], b: [..]}}
//     - id: aggregate
//       depends_on: ["sim-*"]             # glob patterns expand to every matching id
//
// The allocation-scheduler format (a JSON array: what pilot.py's load_json reads) means what
// pilot.py makes of it: a task without workdir keeps TaskSpec::workdir empty (it runs in its
// task directory <workdir>/<id>), `retries` is retries already spent (taken off max_retries,
// with a warning), fields allot does not know are warnings (LoadedTasks::warnings), and tag
// values may be any JSON. In both formats null means "not written" for every field but id and
// command. A workflow sweep without workdir (its tasks share one cwd) gets a warning.
//
// Task fields: id, command (or python, script, container: exactly one; model/job_spec.h),
// params, cores (N or {min, max}), memory ("2G"), memory_max, gpus, resources ({name: count}),
// nodes (N workers at once, each with cores, memory, gpus and resources; core/gang_placement.h),
// time_limit ("1h30m"; alias timeout, seconds), time_estimate, grace_period, priority,
// max_retries, retry_backoff ("5s" or {initial, factor, max}), env, tags, workdir, depends_on
// (id, list, or patterns), sweep, checkpoint, preemptible, protected, min_runtime, outputs,
// validate.
//
// Details users meet:
//   - ids are strings or integers (7 becomes "7"); see model/task_id.h for what is rejected.
//   - env is a mapping (numbers and booleans become text; file order kept), or a list of
//     "NAME=value" / [name, value]; defaults' env and tags are merged key by key.
//   - retry_backoff "5s" means 5 s before every retry (factor 1); {initial, factor, max}
//     leaves out keys at RetryBackoff's defaults.
//   - cores {min: 2} means {2, 2}; {max: 8} means {1, 8}.
//   - Outside a sweep, braces are left alone; inside one, "{{" and "}}" are literal braces
//     and any other {name} must be a sweep parameter (model/sweep.h, model/string_template.h).
//   - YAML plain scalars are typed (YAML 1.2 core schema), quoted ones stay strings; aliases
//     and "<<" merge keys work. A name ending in .json is read as JSON, .yaml/.yml as YAML;
//     otherwise text starting with '[' or '{' is tried as JSON first.
//
// Diagnostics (Diagnostic::ToString) read "FILE:LINE: task 'ID': field 'FIELD': MESSAGE", e.g.
//   tasks.yaml:12: task 'sim-1': field 'coers': unknown field (did you mean 'cores'?)
//   tasks.yaml:7: task 'a': field 'depends_on': dependency cycle: a -> b -> c -> a
//   tasks.yaml:9: task 'r': field 'depends_on': unknown task 'sim-9'   (nor a held one)
//   tasks.json:3: JSON syntax error at column 15: while parsing value - invalid literal; ...
//   tasks.json:4: task 'big': asks for 64 cores; this machine has 2     (CheckFitsMachine)
// Fields of defaults are named "defaults.<field>"; parts of a field "cores.min", "env.FOO".
// At most 1000 diagnostics are returned per file, after a first one (line 0) saying
// "showing the first 1000 of N problems".
//
// Performance: JSON task lists are read in one pass (each task is parsed as it completes and
// its JSON freed), in about 1.2x the time of nlohmann::json::parse alone; a sweep expands 100k
// tasks in a fraction of that. Pattern dependencies are matched once per distinct pattern,
// against the ids sharing the pattern's literal prefix. YAML is several times slower (yaml-cpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/diagnostic.h"
#include "model/held_task_ids.h"
#include "model/machine.h"
#include "model/scenario_policy_spec.h"
#include "model/task_spec.h"

namespace allot {

// What one machine (or the largest worker) offers.
using MachineCapacity = ResourceAmounts;

struct LoadOptions {
  // The workdir of tasks that name none (absolute: where allot was started, or the
  // submitter's current directory). When empty, the default workdir is "".
  std::string base_dir;
  // Relative paths written in the file — a workdir, a command's program that is a relative path
  // with a '/' (./sim, bin/sim) — are resolved against this absolute directory
  // (model/task_paths.h). When empty: base_dir (and when both are, they stay as written).
  // LoadTaskFile's default is the file's own directory.
  std::string file_dir;
  // When set, a request that can never fit it is one more problem, reported with the others.
  std::optional<MachineCapacity> capacity;
  // When set, the tasks that exist beside the file (a server's earlier submissions): depends_on
  // may name them, patterns match them too, and the file's ids must not repeat them
  // (model/dependency_resolver.h). Asked once, from the loading thread; must outlive the call.
  const HeldTaskIds* held = nullptr;
};

struct LoadedTasks {
  std::vector<TaskSpec> tasks;  // file order; sweeps expanded in place
  // What was ignored or reinterpreted without stopping the load (fields the allocation-scheduler
  // format ignores, `retries`, a sweep whose tasks share a working directory), sorted by line;
  // print them with a "warning: " prefix. Not returned when the file has problems.
  std::vector<Diagnostic> warnings;
  // The workflow's `scenarios:` block (model/scenario_policy_parser.h): how the campaign moves
  // core-hours between its scenarios. nullopt when the file has none (or it is null; always
  // in the allocation-scheduler format, which has no top level).
  std::optional<ScenarioPolicySpec> scenarios;
};

// Parses `text` as the contents of `file_name` (used in messages, in TaskSpec::origin, and for
// the syntax by extension: see above). Returns the tasks, or appends every problem to
// `diagnostics` (may be null) and returns InvalidArgument "<file>: N problems" carrying the
// same diagnostics (Status::diagnostics). An error of options.held's Lookup is returned as
// it is.
Result<LoadedTasks> ParseTaskFile(std::string_view file_name, std::string_view text,
                                  const LoadOptions& options, std::vector<Diagnostic>* diagnostics);

// Reads and parses a file, with relative paths written in it resolved against its directory
// unless options.file_dir says otherwise. A missing or unreadable file is one diagnostic naming it (no line)
// and an IoError status carrying it.
Result<LoadedTasks> LoadTaskFile(const std::string& path, const LoadOptions& options,
                                 std::vector<Diagnostic>* diagnostics);


// Appends a diagnostic for every task whose request can never fit `capacity` (cores.min, memory,
// gpus, any custom resource): at the task's origin, with task_id set and no field, e.g.
// "asks for 64 cores; this machine has 2"; for every multi-node task (`nodes` > 1, field
// "nodes"): one machine is one node; and for every task with an executor (it never runs on
// this machine), one with field "executor". Returns true when every task fits.
bool CheckFitsMachine(const std::vector<TaskSpec>& tasks, const MachineCapacity& capacity,
                      std::vector<Diagnostic>* diagnostics);
// The same for one task.
bool CheckFitsMachine(const TaskSpec& task, const MachineCapacity& capacity,
                      std::vector<Diagnostic>* diagnostics);

}  // namespace allot
