// Diagnostic: one problem found in user input, with the place it was found. Validation collects
// every problem before reporting, so a user fixes a file in one pass. A Status carries them
// (Status::diagnostics) from the parser to the CLI, the HTTP body and the Python client, so
// nobody parses a place back out of a message. Plain data; std only.
#pragma once

#include <string>

namespace allot {

struct Diagnostic {
  std::string file;     // as the user named it
  int line = 0;         // 1-based; 0 when unknown
  std::string task_id;  // the task concerned, when there is one
  std::string field;    // "cores", "tasks[3].depends_on", ... when there is one
  std::string message;  // what is wrong and, where possible, how to fix it
  int column = 0;       // 1-based; 0 when unknown (syntax errors have one)

  // "tasks.yaml:12: task 'sim-1': field 'coers': unknown field (did you mean 'cores'?)".
  // Parts that are empty (no line, no task, no field) are left out. The column is not printed
  // (messages that have one say it), so every line reads "FILE[:LINE]: ...".
  std::string ToString() const;

  bool operator==(const Diagnostic&) const = default;
};

}  // namespace allot
