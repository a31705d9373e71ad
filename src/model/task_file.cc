#include "model/task_file.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "model/dependency_resolver.h"
#include "model/diagnostic_sink.h"
#include "model/did_you_mean.h"
#include "model/json_source.h"
#include "model/scenario_policy_parser.h"
#include "model/task_expander.h"
#include "model/task_fields.h"
#include "model/value_readers.h"
#include "model/yaml_source.h"

namespace allot {
namespace {

enum class Syntax { kJson, kYaml, kGuess };

Syntax SyntaxFromName(std::string_view file_name) {
  std::string ext = std::filesystem::path(file_name).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".json") return Syntax::kJson;
  if (ext == ".yaml" || ext == ".yml") return Syntax::kYaml;
  return Syntax::kGuess;
}

// The first character of the text that is not a byte-order mark or white space; 0 when none.
char FirstSignificant(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t first = text.find_first_not_of(" \t\r\n");
  return first == std::string_view::npos ? '\0' : text[first];
}

bool LooksLikeJson(std::string_view text) {
  char first = FirstSignificant(text);
  return first == '[' || first == '{';
}

// Turns a document into tasks: reads each task's fields (as the JSON reader streams them, or
// by walking the list), then merges defaults, expands and resolves.
class DocumentReader {
 public:
  // `allocation_format`: the text is a JSON array (task_file.h).
  DocumentReader(const std::string& file, const LoadOptions& options, DiagnosticSink* sink,
                 bool allocation_format)
      : sink_(sink),
        fields_(sink),
        expander_(file, options, sink),
        held_(options.held) {
    fields_.set_allocation_format(allocation_format);
    expander_.set_allocation_format(allocation_format);
  }

  // One element of the task list.
  void OnTask(const SourceValue& element) {
    if (!element.json().is_object()) {
      sink_->Add(element.line(), "", "",
                 "a task must be a mapping of fields such as id and command (got " +
                     DescribeValue(element.json()) + ")");
      return;
    }
    raw_.push_back(fields_.Parse(element, false));
  }

  std::vector<PendingTask> Read(const SourceDoc& doc) {
    for (const SourceError& dup : doc.duplicate_keys) sink_->Add(dup.line, "", "", dup.message);
    SourceValue root(doc);
    const OrderedJson& j = root.json();
    if (j.is_array()) {
      ReadTasks(root, false, doc.task_list_streamed);
    } else if (j.is_object()) {
      ReadWorkflow(root, doc.task_list_streamed);
    } else {
      sink_->Add(root.line(), "", "",
                 j.is_null() ? "the file is empty; expected a list of tasks or a mapping with "
                               "'tasks'"
                             : "expected a list of tasks or a mapping with 'tasks' (got " +
                                   DescribeValue(j) + ")");
    }
    std::vector<PendingTask> tasks;
    tasks.reserve(raw_.size());
    while (!raw_.empty()) {
      RawTask raw = std::move(raw_.front());
      raw_.pop_front();
      if (defaults_) raw = MergeDefaults(*defaults_, std::move(raw));
      expander_.Expand(std::move(raw), &tasks);
    }
    resolve_status_ = ResolveDependencies(&tasks, expander_.ids_incomplete(), held_, sink_);
    return tasks;
  }

  // Not OK when the held ids could not be asked (Read's tasks are then unresolved).
  const Status& resolve_status() const { return resolve_status_; }
  // The workflow's `scenarios:` block, once Read; nullopt when absent, null or invalid.
  std::optional<ScenarioPolicySpec>& scenarios() { return scenarios_; }

 private:
  void ReadWorkflow(const SourceValue& root, bool streamed) {
    for (size_t i = 0; i < root.size(); ++i) {
      const std::string& key = root.KeyAt(i);
      if (key == "tasks" || key == "defaults" || key == "name" || key == "description" ||
          key == kScenariosKey) {
        continue;
      }
      std::string hint =
          DidYouMean(key, {"tasks", "defaults", "name", "description", kScenariosKey});
      sink_->Add(root.Child(i).line(), "", key,
                 "unknown top-level key; expected tasks, defaults, name, description, "
                 "scenarios" +
                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    if (std::optional<SourceValue> s = root.Find(kScenariosKey)) {
      scenarios_ = ParseScenarioPolicy(*s, sink_);
    }
    if (std::optional<SourceValue> d = root.Find("defaults")) {
      if (d->json().is_object()) {
        defaults_ = fields_.Parse(*d, true);
      } else if (!d->json().is_null()) {
        sink_->Add(d->line(), "", "defaults",
                   "must be a mapping of task fields (got " + DescribeValue(d->json()) + ")");
      }
    }
    std::optional<SourceValue> tasks = root.Find("tasks");
    if (!tasks) {
      sink_->Add(root.line(), "", "tasks", "missing 'tasks': the list of tasks to run");
      return;
    }
    if (!tasks->json().is_array()) {
      sink_->Add(tasks->line(), "", "tasks",
                 "must be a list of tasks (got " + DescribeValue(tasks->json()) + ")");
      return;
    }
    ReadTasks(*tasks, true, streamed);
  }

  void ReadTasks(const SourceValue& list, bool in_workflow, bool streamed) {
    if (list.size() == 0) {
      sink_->Add(list.line(), "", in_workflow ? "tasks" : "", "the task list is empty");
      return;
    }
    if (streamed) return;  // OnTask has seen them
    for (size_t i = 0; i < list.size(); ++i) OnTask(list.Child(i));
  }

  DiagnosticSink* sink_;
  TaskFieldParser fields_;
  TaskExpander expander_;
  const HeldTaskIds* held_;
  Status resolve_status_;
  std::optional<RawTask> defaults_;
  std::optional<ScenarioPolicySpec> scenarios_;
  std::deque<RawTask> raw_;  // a deque: RawTask is large, and moving it on growth is not free
};

// Reads `text` as JSON (streaming tasks) or YAML into tasks, reporting to `sink`. False on a
// syntax error, which is then the only diagnostic. `*resolved` is the resolver's status,
// `*scenarios` the workflow's scenario policy.
bool ReadDocument(Syntax syntax, std::string_view text, const std::string& file,
                  const LoadOptions& options, DiagnosticSink* sink,
                  std::vector<PendingTask>* tasks, Status* resolved,
                  std::optional<ScenarioPolicySpec>* scenarios) {
  SourceDoc doc;
  SourceError error;
  DocumentReader reader(file, options, sink,
                        syntax == Syntax::kJson && FirstSignificant(text) == '[');
  bool ok = syntax == Syntax::kJson
                ? ParseJsonSource(text, &doc, &error,
                                  [&reader](const SourceValue& v) { reader.OnTask(v); })
                : ParseYamlSource(text, &doc, &error);
  if (!ok) {
    *sink = DiagnosticSink(file);  // drop what streamed tasks reported before the error
    std::string where = error.column > 0 ? " at column " + std::to_string(error.column) : "";
    sink->Add(error.line, "", "",
              std::string(syntax == Syntax::kJson ? "JSON" : "YAML") + " syntax error" + where +
                  ": " + error.message,
              error.column);
    return false;
  }
  *tasks = reader.Read(doc);
  *resolved = reader.resolve_status();
  *scenarios = std::move(reader.scenarios());
  return true;
}

// InvalidArgument "<file>: N problems" carrying `problems` (N counts those the sink left out),
// which are also appended to `diagnostics` when it is not null.
Status Failed(const std::string& file, int count, std::vector<Diagnostic> problems,
              std::vector<Diagnostic>* diagnostics) {
  if (diagnostics != nullptr) {
    diagnostics->insert(diagnostics->end(), problems.begin(), problems.end());
  }
  return Status::InvalidArgument(file + ": " + std::to_string(count) +
                                 (count == 1 ? " problem" : " problems"))
      .WithDiagnostics(std::move(problems));
}

}  // namespace

Result<LoadedTasks> ParseTaskFile(std::string_view file_name, std::string_view text,
                                  const LoadOptions& options,
                                  std::vector<Diagnostic>* diagnostics) {
  const std::string file(file_name);
  DiagnosticSink sink(file);
  try {
    Syntax syntax = SyntaxFromName(file_name);
    if (syntax == Syntax::kGuess) syntax = LooksLikeJson(text) ? Syntax::kJson : Syntax::kYaml;
    std::vector<PendingTask> pending;
    Status resolved;
    std::optional<ScenarioPolicySpec> scenarios;
    if (!ReadDocument(syntax, text, file, options, &sink, &pending, &resolved, &scenarios) &&
        SyntaxFromName(file_name) == Syntax::kGuess && syntax == Syntax::kJson) {
      // Not JSON after all; YAML reads what JSON does and more. When YAML fails too, the
      // JSON error is the one to show, as the text looked like JSON.
      DiagnosticSink yaml_sink(file);
      if (ReadDocument(Syntax::kYaml, text, file, options, &yaml_sink, &pending, &resolved,
                       &scenarios)) {
        sink = std::move(yaml_sink);
      }
    }
    if (!resolved.ok()) return resolved;
    std::vector<Diagnostic> too_large;
    if (options.capacity) {
      for (const PendingTask& t : pending) CheckFitsMachine(t.spec, *options.capacity, &too_large);
    }
    if (sink.count() > 0 || !too_large.empty()) {
      const int count = sink.count() + static_cast<int>(too_large.size());
      std::vector<Diagnostic> problems;
      sink.Finish(&problems);
      problems.insert(problems.end(), too_large.begin(), too_large.end());
      return Failed(file, count, std::move(problems), diagnostics);
    }
    LoadedTasks loaded;
    sink.TakeWarnings(&loaded.warnings);
    loaded.scenarios = std::move(scenarios);
    loaded.tasks.reserve(pending.size());
    for (PendingTask& t : pending) loaded.tasks.push_back(std::move(t.spec));
    return loaded;
  } catch (const std::exception& e) {
    // A bug, or memory exhausted: still an answer, not a crash.
    sink.Add(0, "", "", std::string("internal error while reading the file: ") + e.what());
    const int count = sink.count();
    std::vector<Diagnostic> problems;
    sink.Finish(&problems);
    return Failed(file, count, std::move(problems), diagnostics);
  }
}

Result<LoadedTasks> LoadTaskFile(const std::string& path, const LoadOptions& options,
                                 std::vector<Diagnostic>* diagnostics) {
  auto fail = [&](const std::string& why) -> Status {
    Diagnostic d;
    d.file = path;
    d.message = "cannot read the task file: " + why;
    if (diagnostics != nullptr) diagnostics->push_back(d);
    return Status::IoError(path + ": " + why).WithDiagnostics({std::move(d)});
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail("it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return fail(std::strerror(errno));
  if (!options.file_dir.empty()) return ParseTaskFile(path, text, options, diagnostics);
  LoadOptions with_dir = options;
  with_dir.file_dir = std::filesystem::absolute(path, ec).parent_path().string();
  return ParseTaskFile(path, text, with_dir, diagnostics);
}

}  // namespace allot
