// What every task-file fuzz target checks beyond "no crash": a file is either refused with
// diagnostics that name a place, or accepted as tasks that serialize to valid JSON (what the
// journal and the API do with them) and read back equal.
#pragma once

#include <cstdlib>
#include <cstdio>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "model/task_file.h"
#include "model/task_spec_json.h"

namespace allot::fuzz {

[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

inline void CheckTaskFile(std::string_view name, std::string_view text) {
  LoadOptions options;
  options.base_dir = "/base";
  std::vector<Diagnostic> diagnostics;
  Result<LoadedTasks> loaded = ParseTaskFile(name, text, options, &diagnostics);
  if (!loaded.ok()) {
    if (diagnostics.empty()) Fail("a refused file has no diagnostic");
    std::string report = FormatDiagnostics(diagnostics);
    if (report.empty()) Fail("empty report");
    return;
  }
  for (const TaskSpec& spec : loaded->tasks) {
    // Strict dump: throws on invalid UTF-8, which aborted allot before (issue 8.4).
    const std::string dumped = TaskSpecToJson(spec).dump();
    Result<TaskSpec> back = TaskSpecFromJson(nlohmann::json::parse(dumped));
    if (!back.ok()) Fail("an accepted task does not read back from its JSON");
    if (!(*back == spec)) Fail("an accepted task reads back different from its JSON");
  }
}

}  // namespace allot::fuzz
