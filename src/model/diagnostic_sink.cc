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

void DiagnosticSink::AddWarning(int line, std::string task_id, std::string field,
                                std::string message) {
  auto& [count, first_line] = warning_kinds_[{field, message}];
  if (count++ == 0) first_line = line;
  if (count > kMaxWarningsPerKind) return;
  Diagnostic d;
  d.file = file_;
  d.line = line;
  d.task_id = std::move(task_id);
  d.field = std::move(field);
  d.message = std::move(message);
  warnings_.push_back(std::move(d));
}

void DiagnosticSink::TakeWarnings(std::vector<Diagnostic>* out) {
  std::stable_sort(warnings_.begin(), warnings_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  for (const auto& [kind, seen] : warning_kinds_) {
    if (seen.first <= kMaxWarningsPerKind) continue;
    Diagnostic more;
    more.file = file_;
    more.line = seen.second;
    more.field = kind.first;
    more.message = "the same in " + std::to_string(seen.first - kMaxWarningsPerKind) +
                   " more tasks";
    warnings_.push_back(std::move(more));
  }
  if (out != nullptr) {
    out->insert(out->end(), std::make_move_iterator(warnings_.begin()),
                std::make_move_iterator(warnings_.end()));
  }
  warnings_.clear();
  warning_kinds_.clear();
}

}  // namespace allot
