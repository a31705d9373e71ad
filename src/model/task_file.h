// Loading task files: the allocation-scheduler format (a JSON array of tasks) and the workflow
// document (JSON or YAML with defaults, tasks, depends_on, sweeps). Produces validated,
// fully-expanded TaskSpecs in file order, or every problem found, each naming file, line and
// field. Machine limits are checked separately (CheckFitsMachine), because the file is read
// before the machine is known on some paths.
//
// Workflow document:
//   defaults: {<any task field>}          # merged under every task
//   tasks:
//     - id: "sim-{energy}-{seed}"          # {name} substituted in id, command, env,
//       command: "geant4 --e {energy}"     #   workdir, tags and depends_on
//       sweep: {grid: {energy: [1, 5], seed: [1, 2]}, zip: {a: [..], b: [..]}}
//     - id: aggregate
//       depends_on: ["sim-*"]             # glob patterns expand to every matching id
//
// Task fields: id, command, cores (N or {min, max}), memory ("2G"), gpus, resources
// ({name: count}), time_limit ("1h30m"; alias timeout, seconds), time_estimate, grace_period,
// priority, max_retries, retry_backoff ("5s" or {initial, factor, max}), env, tags, workdir,
// depends_on (id, list, or patterns), sweep.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/diagnostic.h"
#include "model/task_spec.h"

namespace allot {

struct LoadOptions {
  // Relative task workdirs are resolved against this absolute directory.
  std::string base_dir;
};

struct LoadedTasks {
  std::vector<TaskSpec> tasks;  // file order; sweeps expanded in place
};

// Parses `text` as the contents of `file_name` (used only in messages). JSON when the text
// starts with '[' or '{' and parses as JSON, otherwise YAML.
// Returns the tasks, or `diagnostics` filled with every problem and an InvalidArgument status.
Result<LoadedTasks> ParseTaskFile(std::string_view file_name, std::string_view text,
                                  const LoadOptions& options, std::vector<Diagnostic>* diagnostics);

// Reads and parses a file. A missing or unreadable file is one diagnostic naming it.
Result<LoadedTasks> LoadTaskFile(const std::string& path, const LoadOptions& options,
                                 std::vector<Diagnostic>* diagnostics);

// What one machine (or the largest worker) offers.
struct MachineCapacity {
  int cores = 0;
  int64_t memory_bytes = 0;
  int gpus = 0;
  std::map<std::string, int64_t> custom;
};

// Appends a diagnostic for every task whose request can never fit `capacity` (cores.min, memory,
// gpus, any custom resource). Returns true when every task fits.
bool CheckFitsMachine(const std::vector<TaskSpec>& tasks, const MachineCapacity& capacity,
                      std::vector<Diagnostic>* diagnostics);

}  // namespace allot
