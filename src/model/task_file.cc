#include "model/task_file.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "model/dependency_resolver.h"
#include "model/did_you_mean.h"
#include "model/diagnostic_sink.h"
#include "model/json_source.h"
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

bool LooksLikeJson(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (text[first] == '[' || text[first] == '{');
}

// Reads the text into `doc`; a syntax error is one diagnostic.
bool ReadSource(std::string_view file_name, std::string_view text, SourceDoc* doc,
                DiagnosticSink* sink) {
  Syntax syntax = SyntaxFromName(file_name);
  SourceError error;
  bool ok;
  std::string kind = "JSON";
  if (syntax == Syntax::kJson || (syntax == Syntax::kGuess && LooksLikeJson(text))) {
    ok = ParseJsonSource(text, doc, &error);
    if (!ok && syntax == Syntax::kGuess) {
      // Not JSON after all; YAML reads what JSON does and more. Report the JSON error when
      // YAML fails too, as the text looked like JSON.
      SourceDoc yaml_doc;
      SourceError yaml_error;
      if (ParseYamlSource(text, &yaml_doc, &yaml_error)) {
        *doc = std::move(yaml_doc);
        ok = true;
      }
    }
  } else {
    kind = "YAML";
    ok = ParseYamlSource(text, doc, &error);
  }
  if (!ok) {
    sink->Add(error.line, "", "", kind + " syntax error: " + error.message, error.column);
    return false;
  }
  for (const SourceError& dup : doc->duplicate_keys) sink->Add(dup.line, "", "", dup.message);
  return true;
}

// Walks the document: the list of tasks, or the workflow mapping.
class DocumentReader {
 public:
  DocumentReader(const std::string& file, const SourceDoc& doc, const LoadOptions& options,
                 DiagnosticSink* sink)
      : doc_(doc), sink_(sink), fields_(doc.lines, sink), expander_(file, options, sink) {}

  std::vector<PendingTask> Read() {
    const OrderedJson& root = doc_.root;
    if (root.is_array()) {
      ReadTasks(root, "");
    } else if (root.is_object()) {
      ReadWorkflow(root);
    } else {
      sink_->Add(std::max(1, doc_.lines.Find("")), "", "",
                 root.is_null() ? "the file is empty; expected a list of tasks or a mapping "
                                  "with 'tasks'"
                                : "expected a list of tasks or a mapping with 'tasks' (got " +
                                      DescribeValue(root) + ")");
    }
    ResolveDependencies(&tasks_, expander_.ids_incomplete(), sink_);
    return std::move(tasks_);
  }

 private:
  void ReadWorkflow(const OrderedJson& root) {
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string& key = it.key();
      if (key == "tasks" || key == "defaults" || key == "name" || key == "description") continue;
      std::string hint = DidYouMean(key, {"tasks", "defaults", "name", "description"});
      sink_->Add(doc_.lines.Find(ChildPath("", key)), "", key,
                 "unknown top-level key; expected tasks, defaults, name, description" +
                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    if (auto d = root.find("defaults"); d != root.end()) {
      if (d->is_object()) {
        defaults_ = fields_.Parse(*d, "/defaults", true);
      } else if (!d->is_null()) {
        sink_->Add(doc_.lines.Find("/defaults"), "", "defaults",
                   "must be a mapping of task fields (got " + DescribeValue(*d) + ")");
      }
    }
    auto tasks = root.find("tasks");
    if (tasks == root.end()) {
      sink_->Add(std::max(1, doc_.lines.Find("")), "", "tasks",
                 "missing 'tasks': the list of tasks to run");
      return;
    }
    if (!tasks->is_array()) {
      sink_->Add(doc_.lines.Find("/tasks"), "", "tasks",
                 "must be a list of tasks (got " + DescribeValue(*tasks) + ")");
      return;
    }
    ReadTasks(*tasks, "/tasks");
  }

  void ReadTasks(const OrderedJson& list, const std::string& path) {
    if (list.empty()) {
      sink_->Add(std::max(1, doc_.lines.Find(path)), "", path.empty() ? "" : "tasks",
                 "the task list is empty");
      return;
    }
    tasks_.reserve(list.size());
    std::string task_path;
    for (size_t i = 0; i < list.size(); ++i) {
      task_path = ChildPath(path, i);
      const OrderedJson& element = list[i];
      if (!element.is_object()) {
        sink_->Add(doc_.lines.Find(task_path), "", "",
                   "a task must be a mapping of fields such as id and command (got " +
                       DescribeValue(element) + ")");
        continue;
      }
      RawTask raw = fields_.Parse(element, task_path, false);
      if (defaults_) raw = MergeDefaults(*defaults_, std::move(raw));
      expander_.Expand(raw, &tasks_);
    }
  }

  const SourceDoc& doc_;
  DiagnosticSink* sink_;
  TaskFieldParser fields_;
  TaskExpander expander_;
  std::optional<RawTask> defaults_;
  std::vector<PendingTask> tasks_;
};

Status Failed(DiagnosticSink* sink, std::vector<Diagnostic>* diagnostics) {
  int count = sink->count();
  sink->Finish(diagnostics);
  return Status::InvalidArgument(sink->file() + ": " + std::to_string(count) +
                                 (count == 1 ? " problem" : " problems"));
}

}  // namespace

Result<LoadedTasks> ParseTaskFile(std::string_view file_name, std::string_view text,
                                  const LoadOptions& options,
                                  std::vector<Diagnostic>* diagnostics) {
  DiagnosticSink sink{std::string(file_name)};
  try {
    SourceDoc doc;
    if (!ReadSource(file_name, text, &doc, &sink)) return Failed(&sink, diagnostics);
    DocumentReader reader(sink.file(), doc, options, &sink);
    std::vector<PendingTask> pending = reader.Read();
    if (sink.count() > 0) return Failed(&sink, diagnostics);
    LoadedTasks loaded;
    loaded.tasks.reserve(pending.size());
    for (PendingTask& t : pending) loaded.tasks.push_back(std::move(t.spec));
    return loaded;
  } catch (const std::exception& e) {
    // A bug, or memory exhausted: still an answer, not a crash.
    sink.Add(0, "", "", std::string("internal error while reading the file: ") + e.what());
    return Failed(&sink, diagnostics);
  }
}

Result<LoadedTasks> LoadTaskFile(const std::string& path, const LoadOptions& options,
                                 std::vector<Diagnostic>* diagnostics) {
  auto fail = [&](const std::string& why) -> Status {
    if (diagnostics != nullptr) {
      Diagnostic d;
      d.file = path;
      d.message = "cannot read the task file: " + why;
      diagnostics->push_back(std::move(d));
    }
    return Status::IoError(path + ": " + why);
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail("it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return fail(std::strerror(errno));
  return ParseTaskFile(path, text, options, diagnostics);
}

}  // namespace allot
