// DiagnosticSink: collects the diagnostics of one task file. Finish() hands them over sorted by
// line, at most kMaxShown of them plus one line saying how many there were, so a generated
// file with one mistake repeated 100,000 times still gives a readable report.
// Thread-compatible.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/diagnostic.h"

namespace allot {

class DiagnosticSink {
 public:
  static constexpr int kMaxShown = 1000;
  static constexpr int kMaxWarningsPerKind = 3;

  explicit DiagnosticSink(std::string file);

  void Add(int line, std::string task_id, std::string field, std::string message, int column = 0);
  // Appends the diagnostics to `out` (when not null) and empties the sink.
  void Finish(std::vector<Diagnostic>* out);

  void AddWarning(int line, std::string task_id, std::string field, std::string message);
  // Appends the warnings to `out`, sorted by line, and empties them.
  void TakeWarnings(std::vector<Diagnostic>* out);

  const std::string& file() const { return file_; }
  int count() const { return static_cast<int>(diagnostics_.size()); }

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
  std::vector<Diagnostic> warnings_;
  // (field, message) -> how many warnings of that kind were added, and the first one's line.
  std::map<std::pair<std::string, std::string>, std::pair<int, int>> warning_kinds_;
};

}  // namespace allot
