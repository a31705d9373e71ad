// DiagnosticSink: collects the diagnostics of one task file. Finish() hands them over sorted by
// line, at most kMaxShown of them plus one line saying how many there were, so a generated
// file with one mistake repeated 100,000 times still gives a readable report.
// Thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "model/diagnostic.h"

namespace allot {

class DiagnosticSink {
 public:
  static constexpr int kMaxShown = 1000;

  explicit DiagnosticSink(std::string file);

  void Add(int line, std::string task_id, std::string field, std::string message, int column = 0);
  // Appends the diagnostics to `out` (when not null) and empties the sink.
  void Finish(std::vector<Diagnostic>* out);

  const std::string& file() const { return file_; }
  int count() const { return static_cast<int>(diagnostics_.size()); }

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace allot
