// Test helpers for task-file tests (header-only; used by *_test.cc in this folder).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "model/task_file.h"

namespace allot {

inline void PrintTo(const Diagnostic& d, std::ostream* os) { *os << d.ToString(); }

namespace testing {

struct ParseOutcome {
  bool ok = false;
  std::vector<TaskSpec> tasks;
  std::vector<Diagnostic> diagnostics;
  std::string report;  // FormatDiagnostics(diagnostics)

  const TaskSpec* Find(std::string_view id) const {
    for (const TaskSpec& t : tasks) {
      if (t.id == id) return &t;
    }
    return nullptr;
  }
  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const TaskSpec& t : tasks) ids.push_back(t.id);
    return ids;
  }
};

inline ParseOutcome Parse(std::string_view file_name, std::string_view text,
                          std::string base_dir = "/base") {
  ParseOutcome out;
  LoadOptions options;
  options.base_dir = std::move(base_dir);
  Result<LoadedTasks> r = ParseTaskFile(file_name, text, options, &out.diagnostics);
  out.ok = r.ok();
  if (r.ok()) out.tasks = std::move(r->tasks);
  out.report = FormatDiagnostics(out.diagnostics);
  return out;
}

// Parses text that must be valid; fails the test with the report otherwise.
inline std::vector<TaskSpec> ParseOk(std::string_view file_name, std::string_view text) {
  ParseOutcome out = Parse(file_name, text);
  EXPECT_TRUE(out.ok) << out.report;
  EXPECT_TRUE(out.diagnostics.empty()) << out.report;
  return out.tasks;
}

// Matches a Diagnostic by line, field and a substring of its message.
MATCHER_P3(DiagnosticAt, line, field, message_part, "") {
  return arg.line == line && arg.field == field &&
         arg.message.find(message_part) != std::string::npos;
}

}  // namespace testing
}  // namespace allot
