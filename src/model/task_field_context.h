// TaskFieldParser::Context: where the parser is (the task and the field being read), and
// how a problem with it is reported. Internal to the task-field parser (task_fields.cc,
// task_job_fields.cc).
#pragma once

#include <string>
#include <utility>

#include "model/diagnostic_sink.h"
#include "model/source_doc.h"
#include "model/task_fields.h"

namespace allot {

// Where the parser is: the task being read and the field being read.
class TaskFieldParser::Context {
 public:
  Context(DiagnosticSink* sink, bool is_defaults, RawTask* task)
      : sink_(sink), is_defaults_(is_defaults), task_(task) {}

  RawTask& task() { return *task_; }
  bool is_defaults() const { return is_defaults_; }
  const std::string& task_id() const { return task_id_; }
  void set_task_id(std::string id) { task_id_ = std::move(id); }

  void Enter(const std::string& key, int line) {
    key_ = &key;
    line_ = line;
  }
  const std::string& key() const { return *key_; }

  // A problem with the current field, at its line.
  void Error(const std::string& message) { Report(line_, "", message); }
  // A problem with a part of the current field (`sub` is "min", "FOO", ...), at `at`'s line.
  void Error(const SourceValue& at, const std::string& sub, const std::string& message) {
    Report(at.line(), sub, message);
  }
  // Something ignored or reinterpreted that does not stop the run, at the field's line.
  void Warn(const std::string& message) { sink_->AddWarning(line_, task_id_, *key_, message); }

 private:
  void Report(int line, const std::string& sub, const std::string& message) {
    std::string label = (is_defaults_ ? "defaults." : "") + *key_;
    if (!sub.empty()) label += "." + sub;
    sink_->Add(line, task_id_, std::move(label), message);
    task_->has_errors = true;
  }

  DiagnosticSink* sink_;
  bool is_defaults_;
  RawTask* task_;
  std::string task_id_;
  const std::string* key_ = nullptr;
  int line_ = 0;
};

}  // namespace allot
