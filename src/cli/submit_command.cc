#include "cli/submit_command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/diagnostics_output.h"
#include "cli/exit_codes.h"
#include "client/submit_document.h"
#include "protocol/access_file.h"

namespace allot {
namespace {

struct SubmitFlags {
  std::string server_dir;
  std::vector<std::string> words;
  SubmitOptions task;
  bool json = false;
  std::string diagnostics_json;
};

constexpr size_t kMaxIdsListed = 20;

// The flags that shape a task built from a command; a task file says all of that itself.
constexpr const char* kTaskFlags[] = {"--name",   "--cores",       "--mem",      "--gpus", "--nodes",
                                      "--time-limit", "--time-estimate", "--priority",
                                      "--max-retries", "--array", "--after", "--tag", "--env",
                                      "--workdir"};

bool LooksLikeTaskFile(const std::string& word) {
  std::string ext = std::filesystem::path(word).extension().string();
  return ext == ".json" || ext == ".yaml" || ext == ".yml";
}

void PrintIds(const nlohmann::json& ids, bool array) {
  if (!ids.is_array()) return;
  if (array && ids.size() > kMaxIdsListed) {
    fmt::print("{} ... {} ({} tasks)\n", ids.front().get<std::string>(),
               ids.back().get<std::string>(), ids.size());
    return;
  }
  for (const auto& id : ids) fmt::print("{}\n", id.is_string() ? id.get<std::string>() : id.dump());
}

int Submit(CLI::App* cmd, SubmitFlags& f) {
  std::vector<std::string> rest = cmd->remaining();
  const bool dashdash = std::find(rest.begin(), rest.end(), "--") != rest.end();
  if (f.words.empty()) {
    fmt::print(stderr, "allot submit: give a task file, or a command after --\n");
    return kExitBadInput;
  }
  const bool file = !dashdash && f.words.size() == 1 && LooksLikeTaskFile(f.words[0]);
  std::string name, text, file_dir;
  if (file) {
    for (const char* flag : kTaskFlags) {
      if (cmd->count(flag)) {
        fmt::print(stderr,
                   "allot submit: {} applies to a command (allot submit [options] -- COMMAND); "
                   "a task file says everything itself\n",
                   flag);
        return kExitBadInput;
      }
    }
    std::ifstream in(f.words[0], std::ios::binary);
    if (!in) {
      fmt::print(stderr, "allot submit: cannot read {}\n", f.words[0]);
      return kExitBadInput;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    name = f.words[0];
    text = buffer.str();
    // Relative paths in the file are the file's (model/task_paths.h).
    file_dir = std::filesystem::absolute(f.words[0]).parent_path().string();
  } else {
    f.task.command = f.words;
    if (f.task.name.empty()) f.task.name = DefaultTaskName(f.words[0], RandomHex(3));
    Result<nlohmann::json> doc = BuildSubmitDocument(f.task);
    if (!doc.ok()) return ReportClientError("submit", doc.status());
    name = CommandSubmissionName(f.words);
    text = doc->dump(2);
  }
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("submit", f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<nlohmann::json> answer =
      client->Submit(name, text, std::filesystem::current_path().string(), file_dir);
  if (!answer.ok()) {
    WriteDiagnosticsJson("submit", f.diagnostics_json, answer.status().diagnostics());
    return ReportClientError("submit", answer.status());
  }
  if (const auto w = answer->find("warnings"); w != answer->end() && w->is_array()) {
    for (const auto& warning : *w) {
      if (const auto text = warning.find("text"); text != warning.end() && text->is_string()) {
        fmt::print(stderr, "warning: {}\n", text->get<std::string>());
      }
    }
  }
  if (f.json) {
    fmt::print("{}\n", answer->dump(2));
  } else {
    PrintIds((*answer)["ids"], !f.task.array.empty());
  }
  return kExitOk;
}

}  // namespace

void AddSubmitCommand(CLI::App* app, int* exit_code) {
  auto f = std::make_shared<SubmitFlags>();
  CLI::App* cmd = app->add_subcommand(
      "submit",
      "Add tasks to a running server: a task file (.json/.yaml/.yml), or one command (or an "
      "array of them) given after --");
  cmd->footer(
      "Examples:\n"
      "  allot submit workflow.yaml\n"
      "  allot submit --cores 2 --mem 4G -- ./sim --seed 1\n"
      "  allot submit --array 1-1000 --name sim -- ./sim --seed '{index}'   # ids sim-1..sim-1000\n"
      "Prints the ids, one per line (an array of more than 20: first ... last (count)).\n"
      "Exit: 0 submitted; 2 bad input (nothing submitted; every problem printed) or no server;\n"
      "3 the server cannot be reached.");
  cmd->add_option("words", f->words, "FILE, or COMMAND ARGS... after --");
  AddServerDirOption(cmd, &f->server_dir);
  SubmitOptions& t = f->task;
  cmd->add_option("--name", t.name,
                  "Task id (array: ids NAME-INDEX); default: the program's name and a random "
                  "suffix");
  cmd->add_option("--cores", t.cores, "N, or MIN-MAX for an elastic task");
  cmd->add_option("--mem", t.memory, "Memory, e.g. 4G");
  cmd->add_option("--gpus", t.gpus, "GPU count");
  cmd->add_option("--nodes", t.nodes,
                  "Workers the task spans at once, each giving it --cores, --mem and --gpus "
                  "(MPI: README, Multi-node tasks)");
  cmd->add_option("--time-limit", t.time_limit, "e.g. 2h, 90min, 01:30:00");
  cmd->add_option("--time-estimate", t.time_estimate, "A hint for backfilling");
  cmd->add_option("--priority", t.priority, "Higher runs first");
  cmd->add_option("--max-retries", t.max_retries, "Retries after a failure");
  cmd->add_option("--array", t.array,
                  "One task per index: 1-1000, 1-100:2 (step), 1,5,7; {index} in the command "
                  "(and env, tags, workdir, --after) is the index, also in $ALLOT_ARRAY_INDEX");
  // One value per occurrence, so that `--tag a=1 -- COMMAND` leaves "--" to mark the command.
  cmd->add_option("--after", t.after, "Depend on this task id or glob pattern (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--tag", t.tags, "KEY=VALUE metadata (repeatable)")->allow_extra_args(false);
  cmd->add_option("--env", t.env, "KEY=VALUE environment (repeatable)")->allow_extra_args(false);
  cmd->add_option("--workdir", t.workdir, "The task's working directory (relative: to here)");
  cmd->add_flag("--json", f->json, "Print the server's answer ({\"ids\": [...]})");
  AddDiagnosticsJsonOption(cmd, &f->diagnostics_json);
  cmd->callback([cmd, f, exit_code] { *exit_code = Submit(cmd, *f); });
}

}  // namespace allot
