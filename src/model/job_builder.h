// Building a task's JobSpec from its job-type fields and params (model/job_spec.h), once
// defaults are merged: the checks that need the whole task or the file system.
//  - Exactly one of command, python, script, container ("missing; every task needs something
//    to run: ..." / "only one of ... per task").
//  - Relative paths are the task file's neighbours (model/task_paths.h): a `script`, a python
//    `module` given as a .py path, a mount's HOST. The script must be an executable file and the
//    .py file must exist, when the file is loaded: a typo stops the load, not the 500th task.
//  - A python task's params are its keyword arguments: each name must be a Python identifier.
#pragma once

#include <string>

#include "model/diagnostic_sink.h"
#include "model/job_spec.h"
#include "model/task_fields.h"

namespace allot {

// Moves the job fields out of `raw` into `*job` (left empty when `raw` is a command without
// params) and reports what is wrong to `sink` under `task_id`; returns false then. `file_dir`:
// where relative paths point (empty: they stay as written and are not checked).
// Compact JSON text of `j` with the keys of its objects sorted (how specs store params and
// args, so that they read back from the journal as they were written).
std::string CanonicalJson(const OrderedJson& j);

bool BuildJobSpec(RawTask& raw, const std::string& task_id, const std::string& file_dir,
                  DiagnosticSink* sink, Boxed<JobSpec>* job);

}  // namespace allot
