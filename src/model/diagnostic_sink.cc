#include "model/diagnostic_sink.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace allot {

DiagnosticSink::DiagnosticSink(std::string file) : file_(std::move(file)) {}

void DiagnosticSink::Add(int line, std::string task_id, std::string field, std::string message,
                         int column) {
  Diagnostic d;
  d.file = file_;
  d.line = line;
  d.column = column;
  d.task_id = std::move(task_id);
  d.field = std::move(field);
  d.message = std::move(message);
  diagnostics_.push_back(std::move(d));
}

void DiagnosticSink::Finish(std::vector<Diagnostic>* out) {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  if (out != nullptr) {
    size_t total = diagnostics_.size();
    if (total > static_cast<size_t>(kMaxShown)) {
      Diagnostic summary;
      summary.file = file_;
      summary.message = "showing the first " + std::to_string(kMaxShown) + " of " +
                        std::to_string(total) + " problems";
      out->push_back(std::move(summary));
      diagnostics_.resize(kMaxShown);
    }
    out->insert(out->end(), std::make_move_iterator(diagnostics_.begin()),
                std::make_move_iterator(diagnostics_.end()));
  }
  diagnostics_.clear();
}

}  // namespace allot
