// TaskExpander: turns one RawTask (defaults already merged) into the TaskSpecs it stands for —
// one, or one per sweep row with {name} placeholders substituted — checking what needs the
// whole task: a missing id or command, a bad id, placeholders. Dependencies stay as written
// (patterns included) for DependencyResolver.
#pragma once

#include <string>
#include <vector>

#include "model/diagnostic_sink.h"
#include "model/task_fields.h"
#include "model/task_file.h"
#include "model/task_spec.h"

namespace allot {

struct PendingTask {
  TaskSpec spec;               // depends_on as written (after substitution) until resolved
  std::vector<int> dep_lines;  // the line of each depends_on entry
  int id_line = 0;
};

class TaskExpander {
 public:
  // `options` and `sink` must outlive the expander.
  TaskExpander(const std::string& file, const LoadOptions& options, DiagnosticSink* sink);

  // The allocation-scheduler format: a task that names no workdir runs in its own task
  // directory (TaskSpec::workdir stays empty; the worker runs it in <workdir>/<task id>).
  // Otherwise it runs in options.base_dir, and a sweep whose tasks would all share it gets a
  // warning.
  void set_allocation_format(bool on) { allocation_format_ = on; }

  // Appends the tasks of `raw` to `out`. A task whose id cannot be known is left out.
  void Expand(RawTask&& raw, std::vector<PendingTask>* out);

  // True when a task was left out for want of a usable id: references to it cannot be told
  // from typos.
  bool ids_incomplete() const { return ids_incomplete_; }

 private:
  // The spec every row starts from; false when it has no id or command.
  bool BuildBase(RawTask& raw, PendingTask* base);  // moves out of `raw`
  void ExpandSweep(const RawTask& raw, PendingTask base, std::vector<PendingTask>* out);
  // A relative workdir against file_dir(); none: options_.base_dir.
  std::string ResolveWorkdir(const std::string& workdir) const;
  // Where relative paths written in the file point (model/task_paths.h).
  const std::string& file_dir() const;

  std::string file_;
  const LoadOptions& options_;
  DiagnosticSink* sink_;
  bool ids_incomplete_ = false;
  bool allocation_format_ = false;
};

}  // namespace allot
