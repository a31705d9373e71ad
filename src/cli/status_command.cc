#include "cli/status_command.h"

#include <cstdlib>
#include <filesystem>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/client_support.h"
#include "cli/cluster_status.h"
#include "cli/exit_codes.h"
#include "journal/journal_event_json.h"
#include "client/task_table.h"
#include "common/units.h"
#include "journal/sqlite_journal.h"
#include "journal/task_summary.h"
#include "model/task_attempt.h"
#include "model/task_attempt_json.h"
#include "model/task_spec_json.h"
#include "server/campaign_lock.h"
#include "study/study_spec.h"

namespace allot {
namespace {

// The task's metrics in the journal, in order.
std::vector<const MetricPoint*> MetricsOf(const JournalContents& contents, TaskIndex t) {
  std::vector<const MetricPoint*> points;
  for (const MetricPoint& m : contents.metrics) {
    if (m.task == t) points.push_back(&m);
  }
  return points;
}

struct StatusOptions {
  std::string workdir = "allot-work";
  std::string db;
  bool json = false;
  bool all = false;
  std::vector<std::string> ids;
  std::string server_dir;
};

// Why a task that is not running is not running, from the journal alone.
std::string Why(const TaskSummary& s, const Submission& sub,
                const std::vector<TaskSummary>& all,
                const std::unordered_map<std::string, TaskIndex>& index) {
  switch (s.state) {
    case TaskState::kWaiting: {
      std::vector<std::string> pending;
      for (const std::string& d : sub.spec.depends_on) {
        const TaskSummary& dep = all[index.at(d)];
        if (dep.state != TaskState::kSucceeded) {
          pending.push_back(fmt::format("{} ({})", d, TaskStateName(dep.state)));
        }
      }
      if (pending.empty()) return s.last_reason.empty() ? "retry backoff" : s.last_reason;
      std::string why = "waiting for " + pending[0];
      for (size_t i = 1; i < pending.size() && i < 4; ++i) why += ", " + pending[i];
      if (pending.size() > 4) why += fmt::format(" and {} more", pending.size() - 4);
      return why;
    }
    case TaskState::kReady: {
      const ResourceRequest& r = sub.spec.resources;
      std::string need = fmt::format("{} core{}", r.cores.min, r.cores.min == 1 ? "" : "s");
      if (s.memory_bytes) need += ", " + FormatSize(s.memory_bytes);
      if (r.gpus) need += fmt::format(", {} GPU{}", r.gpus, r.gpus == 1 ? "" : "s");
      return "ready: waiting for free resources (" + need + ", priority " +
             std::to_string(sub.spec.priority) + ")";
    }
    default:
      return s.last_reason;
  }
}

nlohmann::json ToJson(const TaskSummary& s, const std::string& why) {
  nlohmann::json j;
  j["id"] = s.id;
  j["state"] = std::string(TaskStateName(s.state));
  j["attempts"] = s.attempts;
  // An attempt killed by a signal has no exit code (the journal's -1 is a placeholder).
  j["exit_code"] = s.last_exit_code && !s.last_term_signal ? nlohmann::json(*s.last_exit_code)
                                                           : nlohmann::json(nullptr);
  j["signal"] = s.last_term_signal ? nlohmann::json(s.last_term_signal) : nlohmann::json(nullptr);
  j["timed_out"] = s.last_timed_out;
  j["reason"] = why;
  j["wall_seconds"] = ToSeconds(s.total_wall);
  j["cpu_seconds"] = ToSeconds(s.total_cpu);
  j["max_rss_bytes"] = s.max_rss_bytes;
  j["memory_bytes"] = s.memory_bytes;
  return j;
}

// The attempts of task `t` as TaskAttemptToJson objects.
nlohmann::json AttemptsJson(const JournalContents& contents, TaskIndex t, const std::string& id) {
  std::vector<TaskEvent> events;
  for (const TaskEvent& e : contents.events) {
    if (e.task == t) events.push_back(e);
  }
  nlohmann::json out = nlohmann::json::array();
  for (const TaskAttempt& a : TaskAttemptsOf(events)) out.push_back(TaskAttemptToJson(a, id));
  return out;
}

int ShowStatus(const StatusOptions& o) {
  namespace fs = std::filesystem;
  std::string db = o.db.empty() ? (fs::path(o.workdir) / "allot.db").string() : o.db;
  auto journal = SqliteJournal::OpenReadOnly(db);
  if (!journal.ok()) {
    fmt::print(stderr, "allot status: {}\n", journal.status().message());
    return ExitForStatus(journal.status());
  }
  auto contents = (*journal)->Load();
  if (!contents.ok()) {
    fmt::print(stderr, "allot status: {}\n", contents.status().ToString());
    return kExitInternal;
  }
  // Shown, not refused: status reports what the journal holds, and says it is not everything.
  const std::string& loss = (*journal)->loss();
  if (!loss.empty()) fmt::print(stderr, "allot status: warning: {}\n", loss);
  std::vector<TaskSummary> summaries = SummarizeTasks(*contents);
  std::unordered_map<std::string, TaskIndex> index;
  for (const TaskSummary& s : summaries) index.emplace(s.id, s.index);

  std::vector<TaskIndex> selected;
  for (const std::string& id : o.ids) {
    auto it = index.find(id);
    if (it == index.end()) {
      fmt::print(stderr, "allot status: no task '{}' in {}\n", id, db);
      return kExitBadInput;
    }
    selected.push_back(it->second);
  }
  const bool explicit_ids = !selected.empty();
  if (!explicit_ids) {
    for (const TaskSummary& s : summaries) {
      if (o.json || o.all || s.state != TaskState::kSucceeded) selected.push_back(s.index);
    }
  }
  auto counts = CountStates(summaries);
  // Attempts the journal shows running that nothing drives any more (allot run was killed).
  const int64_t active = counts[static_cast<int>(TaskState::kRunning)] +
                         counts[static_cast<int>(TaskState::kPaused)];
  Result<CampaignLock::Holder> holder = CampaignLock::Probe(db);
  const bool stale = active > 0 && holder.ok() && *holder == CampaignLock::Holder::kNobody;
  const std::string where =
      o.db.empty() ? fmt::format("--workdir {}", o.workdir) : fmt::format("--db {}", o.db);
  // A study's campaign needs the study's own run (it offers the trials' resource).
  bool study = false;
  for (const auto& [key, value] : contents->meta) study = study || key == kStudyMetaKey;
  const std::string resume = study ? "allot study run STUDY.yaml " + where + " (its study file)"
                                   : "allot run --resume " + where;
  if (o.json) {
    nlohmann::json out;
    nlohmann::json tasks = nlohmann::json::array();
    for (TaskIndex t : selected) {
      tasks.push_back(ToJson(summaries[t], Why(summaries[t], contents->submissions[t], summaries,
                                               index)));
      if (explicit_ids) {
        AddJobFields(contents->submissions[t].spec, &tasks.back());
        nlohmann::json& details = tasks.back()["attempt_details"];
        details = AttemptsJson(*contents, t, summaries[t].id);
        // The task's result: what its attempt that succeeded returned (model/task_result.h).
        for (const nlohmann::json& a : details) {
          if (a.contains("result") && a.value("outcome", "") == "succeeded") {
            tasks.back()["result"] = a["result"];
          }
        }
        tasks.back()["metrics"] = LatestMetricsJson(MetricsOf(*contents, t));
      }
    }
    out["tasks"] = std::move(tasks);
    nlohmann::json c;
    for (int i = 0; i < kTaskStateCount; ++i)
      c[std::string(TaskStateName(TaskState(i)))] = counts[i];
    out["counts"] = std::move(c);
    out["total"] = summaries.size();
    out["journal_warning"] = loss.empty() ? nlohmann::json(nullptr) : nlohmann::json(loss);
    // true/false when the journal has an `allot run` lock to ask; null when it has none.
    out["allot_running"] = !holder.ok() || *holder == CampaignLock::Holder::kNoLockFile
                               ? nlohmann::json(nullptr)
                               : nlohmann::json(*holder == CampaignLock::Holder::kSomeone);
    if (stale) out["resume"] = resume;
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  std::string line = fmt::format("{} tasks:", summaries.size());
  for (int i = 0; i < kTaskStateCount; ++i) {
    if (counts[i]) line += fmt::format(" {} {},", counts[i], TaskStateName(TaskState(i)));
  }
  line.pop_back();
  fmt::print("{}\n", line);
  if (stale) {
    fmt::print("allot is not running this campaign (nothing holds {}.lock): {} shown running "
               "ended with it and {} again on resume: {}\n",
               db, active == 1 ? "the attempt" : fmt::format("the {} attempts", active),
               active == 1 ? "runs" : "run", resume);
  }
  if (selected.empty()) return kExitOk;
  // The same table as against a server (client/task_table.h), from the same fields.
  const size_t limit = (o.all || explicit_ids) ? 0 : 50;
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < selected.size() && (limit == 0 || i < limit); ++i) {
    const TaskSummary& s = summaries[selected[i]];
    nlohmann::json row = ToJson(s, Why(s, contents->submissions[s.index], summaries, index));
    row["attempt"] = s.attempts;
    row["why"] = row["reason"];
    rows.push_back(std::move(row));
  }
  const int64_t more =
      static_cast<int64_t>(selected.size()) - static_cast<int64_t>(rows.size());
  fmt::print("{}", FormatTaskTable(rows, 0, more));
  if (explicit_ids) {
    for (TaskIndex t : selected) {
      fmt::print("\n{}: {}\n", summaries[t].id, DescribeWhatRuns(contents->submissions[t].spec));
      fmt::print("{} attempts:\n{}", summaries[t].id,
                 FormatAttemptTable(AttemptsJson(*contents, t, summaries[t].id)));
      const nlohmann::json latest = LatestMetricsJson(MetricsOf(*contents, t));
      if (!latest.empty()) fmt::print("metrics: {}\n", LatestMetricsText(latest));
    }
  }
  return kExitOk;
}

}  // namespace

void AddStatusCommand(CLI::App* app, int* exit_code) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* cmd = app->add_subcommand(
      "status",
      "Show where a campaign stands: from its journal (--workdir, --db), or from a server "
      "(--server-dir, or $ALLOT_SERVER_DIR when neither --workdir nor --db is given)");
  cmd->add_option("ids", options->ids, "Only these tasks (against a server: task refs; one "
                                       "ref shows its attempts)");
  cmd->add_option("--workdir", options->workdir, "The campaign's work directory")
      ->capture_default_str();
  cmd->add_option("--db", options->db, "Journal file (default <workdir>/allot.db)");
  cmd->add_flag("--json", options->json, "Machine-readable: {\"tasks\": [...], \"counts\": {...}}");
  cmd->add_flag("--all", options->all, "List succeeded tasks too");
  AddServerDirOption(cmd, &options->server_dir);
  cmd->callback([cmd, options, exit_code] {
    const char* env_dir = std::getenv("ALLOT_SERVER_DIR");
    const bool server = (cmd->count("--server-dir") || (env_dir && *env_dir)) &&
                        !cmd->count("--workdir") && !cmd->count("--db");
    if (server) {
      *exit_code = ShowClusterStatus(
          {options->server_dir, options->ids, options->json, options->all});
    } else {
      *exit_code = ShowStatus(*options);
    }
  });
}

}  // namespace allot
