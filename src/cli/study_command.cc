#include "cli/study_command.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "cli/diagnostics_output.h"
#include "cli/exit_codes.h"
#include "cli/journal_source.h"
#include "cli/relative_to.h"
#include "cli/run_command.h"
#include "cli/run_options.h"
#include "cli/study_status.h"
#include "journal/sqlite_journal.h"
#include "model/diagnostic.h"
#include "model/task_file.h"
#include "study/study_spec_parser.h"
#include "study/study_view.h"
#include "study/study_workflow.h"

namespace allot {
namespace {

namespace fs = std::filesystem;

struct StudyRunOptions {
  std::string study_file;
  RunOptions run;
};

struct StudyStatusOptions {
  JournalSourceFlags source;
  bool json = false;
};

int BadInput(const std::string& message) {
  fmt::print(stderr, "allot study run: {}\n", message);
  return kExitBadInput;
}

int Refuse(const StudyRunOptions& o, const std::vector<Diagnostic>& diagnostics,
           const std::string& what) {
  fmt::print(stderr, "{}", FormatDiagnostics(diagnostics));
  WriteDiagnosticsJson("study run", o.run.diagnostics_json, diagnostics);
  fmt::print(stderr, "allot study run: {} problem{} in {}{}; nothing was run\n",
             diagnostics.size(), diagnostics.size() == 1 ? "" : "s", o.study_file, what);
  return kExitBadInput;
}

// The loader's problems with the generated workflow, placed in the study file: at the key of
// the trial task they come from (else the task's line), said once for all trials, with trial
// prefixes taken out of messages ("unknown task 't0003-c'" reads "unknown task 'c'").
std::vector<Diagnostic> PlaceInStudy(const StudySpec& spec, const std::string& study_file,
                                     const std::vector<Diagnostic>& found) {
  static const std::regex kTrialPrefix("\\bt[0-9]{4,}-");
  const std::vector<std::string> locals = TrialTaskIds(spec);
  std::set<std::tuple<int, std::string, std::string>> seen;
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : found) {
    Diagnostic p;
    p.file = study_file;
    p.line = spec.trial_line;
    std::string field_prefix = "trial";
    size_t task = 0;
    for (size_t i = 0; spec.trial_is_workflow() && i < locals.size(); ++i) {
      const std::string suffix = "-" + locals[i];
      if (d.task_id.size() > suffix.size() &&
          d.task_id.compare(d.task_id.size() - suffix.size(), suffix.size(), suffix) == 0) {
        p.line = i < spec.trial_task_lines.size() ? spec.trial_task_lines[i] : spec.trial_line;
        field_prefix = "trial.tasks[" + std::to_string(i) + "]";
        task = i;
      }
    }
    const std::string key = d.field.substr(0, d.field.find_first_of(".["));
    if (task < spec.trial_key_lines.size()) {
      auto it = spec.trial_key_lines[task].find(key);
      if (it != spec.trial_key_lines[task].end() && it->second > 0) p.line = it->second;
    }
    p.field = d.field.empty() ? field_prefix : field_prefix + "." + d.field;
    p.message = std::regex_replace(d.message, kTrialPrefix, "");
    if (seen.insert({p.line, p.field, p.message}).second) out.push_back(std::move(p));
  }
  return out;
}

// The top-level keys in which two normalized specs differ.
std::string ChangedKeys(const std::string& before, const std::string& now) {
  const OrderedJson a = OrderedJson::parse(before, nullptr, false);
  const OrderedJson b = OrderedJson::parse(now, nullptr, false);
  if (!a.is_object() || !b.is_object()) return "the whole file";
  std::string keys;
  std::set<std::string> all;
  for (auto it = a.begin(); it != a.end(); ++it) all.insert(it.key());
  for (auto it = b.begin(); it != b.end(); ++it) all.insert(it.key());
  for (const std::string& k : all) {
    if (!a.contains(k) || !b.contains(k) || a[k] != b[k]) keys += (keys.empty() ? "" : ", ") + k;
  }
  return keys.empty() ? "key order" : keys;
}

Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

Result<StudyView> LoadStudy(const std::string& db) {
  ALLOT_ASSIGN_OR_RETURN(std::unique_ptr<SqliteJournal> journal, SqliteJournal::OpenReadOnly(db));
  ALLOT_ASSIGN_OR_RETURN(JournalContents c, journal->Load());
  ALLOT_ASSIGN_OR_RETURN(std::optional<StudyView> view,
                         StudyFromJournal(c.meta, c.submissions, c.events));
  if (!view) {
    return Status::InvalidArgument(db + ": not a study's journal (it was started by allot run, "
                                        "not allot study run)");
  }
  return std::move(*view);
}

int RunStudy(StudyRunOptions o) {
  std::ifstream in(o.study_file);
  if (!in) return BadInput(fmt::format("cannot read {}: {}", o.study_file, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  std::vector<Diagnostic> problems;
  std::vector<Diagnostic> warnings;
  Result<StudySpec> spec = ParseStudySpec(o.study_file, text.str(), &problems, &warnings);
  if (!spec.ok()) return Refuse(o, problems, "");
  for (const Diagnostic& w : warnings) fmt::print(stderr, "warning: {}\n", w.ToString());
  Result<std::vector<TrialPoint>> trials = SampleTrials(*spec);
  if (!trials.ok()) return BadInput(o.study_file + ": " + trials.status().message());
  for (const std::string& r : o.run.resources) {
    if (r.rfind(std::string(kStudyResource) + "=", 0) == 0) {
      return BadInput(fmt::format("--resource {}: the study sets {} itself (its `parallel`)", r,
                                  kStudyResource));
    }
  }

  // The workflow, checked as `allot run` will load it before anything is written.
  const fs::path study_dir = fs::absolute(o.study_file).parent_path();
  const std::string workflow = CompileStudy(*spec, *trials).dump(2) + "\n";
  LoadOptions load;
  load.base_dir = fs::current_path().string();
  if (Status s = ApplyRelativeTo(study_dir.string(), &load); !s.ok()) return BadInput(s.message());
  std::vector<Diagnostic> found;
  Result<LoadedTasks> loaded = ParseTaskFile("workflow.json", workflow, load, &found);
  if (!found.empty()) {
    return Refuse(o, PlaceInStudy(*spec, o.study_file, found), " (its trial, as a workflow)");
  }
  if (!loaded.ok()) return BadInput(loaded.status().message());

  const std::string normalized = StudySpecToJson(*spec);
  const fs::path workdir = fs::absolute(o.run.workdir);
  const fs::path db = o.run.db.empty() ? workdir / "allot.db" : fs::absolute(o.run.db);
  std::error_code ec;
  const bool resume = fs::exists(db, ec);
  if (resume) {
    Result<std::unique_ptr<SqliteJournal>> journal = SqliteJournal::OpenReadOnly(db.string());
    if (!journal.ok()) return BadInput(journal.status().message());
    Result<std::optional<std::string>> stored = (*journal)->GetMeta(std::string(kStudyMetaKey));
    if (!stored.ok()) return BadInput(stored.status().message());
    if (!*stored) {
      return BadInput(fmt::format("{} holds a campaign that is not a study (allot run's); choose "
                                  "another --workdir or --db for the study",
                                  db.string()));
    }
    if (**stored != normalized) {
      return BadInput(fmt::format(
          "{} differs from the study the journal at {} was started with (changed: {}); a "
          "study resumes only unchanged: restore the file, or start a new study with another "
          "--workdir",
          o.study_file, db.string(), ChangedKeys(**stored, normalized)));
    }
  } else if (o.run.retry_failed) {
    return BadInput("--retry-failed: only when resuming a study (no journal at " + db.string() +
                    ")");
  }
  const fs::path generated = workdir / "study";
  fs::create_directories(generated, ec);
  if (ec) return BadInput(fmt::format("cannot create {}: {}", generated.string(), ec.message()));
  if (Status s = WriteText(generated / "workflow.json", workflow); !s.ok()) {
    return BadInput(s.message());
  }
  if (Status s = WriteText(generated / "study.json",
                           OrderedJson::parse(normalized).dump(2) + "\n");
      !s.ok()) {
    return BadInput(s.message());
  }

  RunOptions run = o.run;
  run.command = "study run";
  run.tasks_file = (generated / "workflow.json").string();
  run.relative_to = study_dir.string();
  run.workdir = workdir.string();
  run.db = db.string();
  run.resume = resume;
  run.resources.push_back(fmt::format("{}={}", kStudyResource, spec->parallel));
  run.meta = {{std::string(kStudyMetaKey), normalized}};
  if (!run.quiet) {
    fmt::print("study {}: {} trial{} ({} sampler, seed {}), {} in parallel{}\n", spec->name,
               trials->size(), trials->size() == 1 ? "" : "s", SamplerName(spec->sampler),
               spec->seed, spec->parallel, resume ? "; resuming" : "");
  }
  const int code = RunCampaign(run);
  if (!run.quiet && fs::exists(db, ec)) {
    Result<StudyView> view = LoadStudy(db.string());
    if (view.ok()) fmt::print("{}", StudySummaryLine(*view));
  }
  if (code == kExitAllocationEnded || code > 128) {  // stopped: the summary says --resume
    fmt::print(stderr, "allot study run: to continue, run the same command again: allot study "
                       "run {} --workdir {}\n", o.study_file, o.run.workdir);
  }
  return code;
}

int ShowStatus(const StudyStatusOptions& o) {
  Result<CampaignSnapshot> snapshot = LoadCampaign(o.source);
  if (!snapshot.ok()) {
    fmt::print(stderr, "allot study status: {}\n", snapshot.status().message());
    return snapshot.status().code() == StatusCode::kNotFound ? kExitBadInput : kExitInternal;
  }
  const JournalContents& c = snapshot->contents;
  Result<std::optional<StudyView>> view = StudyFromJournal(c.meta, c.submissions, c.events);
  if (!view.ok()) {
    fmt::print(stderr, "allot study status: the journal's study: {}\n", view.status().message());
    return kExitInternal;
  }
  if (!*view) {
    fmt::print(stderr, "allot study status: not a study's journal (started by allot run, not "
                       "allot study run)\n");
    return kExitBadInput;
  }
  if (o.json) {
    fmt::print("{}\n", StudyResultsToJson((*view)->spec, (*view)->results).dump(2));
  } else {
    fmt::print("{}", StudyStatusText(**view));
  }
  return kExitOk;
}

void AddRunFlags(CLI::App* cmd, RunOptions* o) {
  cmd->add_option("--workdir", o->workdir,
                  "Where the journal, the generated workflow (study/) and each trial task's "
                  "output go; an existing one is resumed")
      ->capture_default_str();
  cmd->add_option("--db", o->db, "Journal file (default <workdir>/allot.db)");
  cmd->add_option("--cores", o->cores, "Use this many cores (default: all this process may use)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--memory", o->memory, "Memory to hand out, e.g. 16G (default: detected)");
  cmd->add_option("--gpus", o->gpus, "GPUs: a count (2) or device ids (0,3)");
  cmd->add_option("--resource", o->resources,
                  "A custom resource this machine offers, NAME=COUNT (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--max-workers", o->max_workers, "Most tasks running at once")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--end-time", o->end_time, "When the allocation ends (as allot run)");
  cmd->add_option("--end-margin", o->end_margin, "How long before --end-time the run stops")
      ->capture_default_str();
  cmd->add_flag("--retry-failed", o->retry_failed,
                "When resuming: failed and stopped trials run again");
  cmd->add_option("--durability", o->durability, "normal or full")->capture_default_str();
  cmd->add_option("--progress", o->progress, "auto, tty, plain or none")->capture_default_str();
  cmd->add_option("--sample-interval", o->sample_interval, "Usage sampling of running tasks")
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", o->quiet, "No progress and no summary on the terminal");
  AddDiagnosticsJsonOption(cmd, &o->diagnostics_json);
}

}  // namespace

void AddStudyCommand(CLI::App* app, int* exit_code) {
  CLI::App* study = app->add_subcommand(
      "study", "Parameter studies: sample a space, run a trial per point, rank the results");
  study->require_subcommand(1);

  auto run = std::make_shared<StudyRunOptions>();
  CLI::App* run_cmd = study->add_subcommand(
      "run", "Run (or resume) the study a STUDY.yaml describes on this machine");
  run_cmd->add_option("file", run->study_file, "The study file (YAML, or JSON)")->required();
  AddRunFlags(run_cmd, &run->run);
  run_cmd->callback([run, exit_code] { *exit_code = RunStudy(*run); });

  auto status = std::make_shared<StudyStatusOptions>();
  CLI::App* status_cmd = study->add_subcommand(
      "status", "Where a study stands: trials, objectives, the best trial or the Pareto front");
  AddJournalSourceOptions(status_cmd, &status->source);
  status_cmd->add_flag("--json", status->json,
                       "One JSON document: {study, trials, counts, best | pareto_front}");
  status_cmd->callback([status, exit_code] { *exit_code = ShowStatus(*status); });
}

}  // namespace allot
