#include "cli/events_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "journal/journal_event_json.h"
#include "journal/journal_reader.h"
#include "server/campaign_lock.h"

namespace allot {
namespace {

struct EventsOptions {
  std::string server_dir;
  std::string workdir;
  std::string db;
  int64_t after = 0;
  int64_t limit = 0;  // 0: no limit
  bool follow = false;
  bool metrics = true;       // also the running attempts' metrics
  int64_t after_metric = 0;
};

// Prints one JSON line; false when stdout is gone (a closed pipe ends --follow quietly).
bool Print(const nlohmann::json& j) {
  std::string line = j.dump() + "\n";
  return std::fwrite(line.data(), 1, line.size(), stdout) == line.size() && std::fflush(stdout) == 0;
}

int FromJournal(const EventsOptions& o) {
  const std::string db = o.db.empty() ? o.workdir + "/allot.db" : o.db;
  Result<std::unique_ptr<JournalReader>> reader = JournalReader::Open(db);
  if (!reader.ok()) {
    std::fprintf(stderr, "allot events: %s\n", reader.status().message().c_str());
    return kExitBadInput;
  }
  int64_t after = o.after, printed = 0, after_metric = o.after_metric, after_decision = 0;
  // --follow ends once nothing drives the journal: asked before each read, so that the read
  // after the answer "nobody" sees every event of the allot that let go.
  bool driven = true;
  while (true) {
    if (o.follow) {
      Result<CampaignLock::Holder> holder = CampaignLock::Probe(db);
      driven = !holder.ok() || *holder != CampaignLock::Holder::kNobody;
    }
    const int64_t batch = o.limit > 0 ? std::min<int64_t>(10000, o.limit - printed) : 10000;
    Result<std::vector<JournalEventRow>> rows = (*reader)->EventsAfter(after, batch);
    if (!rows.ok()) {
      std::fprintf(stderr, "allot events: %s\n", rows.status().message().c_str());
      return kExitInternal;
    }
    for (const JournalEventRow& row : *rows) {
      if (!Print(JournalEventRowToJson(row))) return kExitOk;
      after = row.seq;
      ++printed;
    }
    bool more_metrics = false;
    if (o.metrics && !(o.limit > 0 && printed >= o.limit)) {
      const int64_t room = o.limit > 0 ? std::min<int64_t>(10000, o.limit - printed) : 10000;
      auto metrics = (*reader)->MetricsAfter(after_metric, room);
      if (!metrics.ok()) {
        std::fprintf(stderr, "allot events: %s\n", metrics.status().message().c_str());
        return kExitInternal;
      }
      for (const auto& [row, id] : *metrics) {
        if (!Print(MetricRowToJson(row, id))) return kExitOk;
        after_metric = row.seq;
        ++printed;
      }
      more_metrics = !metrics->empty();
      auto decisions = (*reader)->DecisionsAfter(after_decision, 10000);
      if (!decisions.ok()) {
        std::fprintf(stderr, "allot events: %s\n", decisions.status().message().c_str());
        return kExitInternal;
      }
      for (const auto& [row, id] : *decisions) {
        if (!Print(DecisionRowToJson(row, id))) return kExitOk;
        after_decision = row.seq;
      }
    }
    if (o.limit > 0 && printed >= o.limit) return kExitOk;
    if (rows->empty() && !more_metrics) {
      if (!o.follow || !driven) return kExitOk;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

int FromServer(const EventsOptions& o) {
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("events", o.server_dir, &exit_code);
  if (!client) return exit_code;
  int64_t after = o.after, printed = 0;
  std::optional<int64_t> after_metric, after_decision;
  if (o.metrics) {
    after_metric = o.after_metric;
    after_decision = 0;
  }
  while (true) {
    const int64_t batch = o.limit > 0 ? std::min<int64_t>(10000, o.limit - printed) : 10000;
    Result<nlohmann::json> answer =
        client->Events(after, o.follow ? 30 : 0, batch, after_metric, after_decision);
    if (!answer.ok()) return ReportClientError("events", answer.status());
    const nlohmann::json& events = (*answer)["events"];
    for (const nlohmann::json& e : events) {
      if (o.limit > 0 && printed >= o.limit) return kExitOk;
      if (!Print(e)) return kExitOk;
      ++printed;
    }
    after = (*answer).value("last", after);
    bool more_metrics = false;
    if (after_metric && answer->contains("metrics")) {
      for (const nlohmann::json& m : (*answer)["metrics"]) {
        if (o.limit > 0 && printed >= o.limit) return kExitOk;
        if (!Print(m)) return kExitOk;
        ++printed;
        more_metrics = true;
      }
      after_metric = (*answer).value("last_metric", *after_metric);
      if (answer->contains("decisions")) {
        for (const nlohmann::json& d : (*answer)["decisions"]) {
          if (!Print(d)) return kExitOk;
        }
        after_decision = (*answer).value("last_decision", *after_decision);
      }
    }
    if (o.limit > 0 && printed >= o.limit) return kExitOk;
    if (events.empty() && !more_metrics && !o.follow) return kExitOk;
  }
}

}  // namespace

void AddEventsCommand(CLI::App* app, int* exit_code) {
  auto o = std::make_shared<EventsOptions>();
  CLI::App* cmd = app->add_subcommand(
      "events",
      "Print the campaign's transitions and its tasks' metrics as JSON lines (--follow: as "
      "they happen)");
  AddServerDirOption(cmd, &o->server_dir);
  cmd->add_option("--workdir", o->workdir, "An `allot run` work directory (its allot.db)");
  cmd->add_option("--db", o->db, "An `allot run` journal file");
  cmd->add_option("--after", o->after, "Only events after this sequence number")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit", o->limit, "At most this many lines")->check(CLI::PositiveNumber);
  cmd->add_flag("--no-metrics{false}", o->metrics,
                "Only transitions, not the running tasks' metrics (lines with \"metric\": "
                "`allot metric` and $ALLOT_METRICS_FILE) nor the scenario policy's decisions "
                "(lines with \"decision_seq\")");
  cmd->add_option("--after-metric", o->after_metric,
                  "Only metrics after this metric sequence number (their \"metric_seq\")")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-f,--follow", o->follow,
                "Keep printing new events as they are committed; of an `allot run` journal, until "
                "nothing drives it any more (the run ended or was killed)");
  cmd->callback([o, exit_code] {
    const bool local = !o->workdir.empty() || !o->db.empty();
    const char* env = std::getenv("ALLOT_SERVER_DIR");
    if (local || (o->server_dir.empty() && (env == nullptr || *env == '\0') &&
                  access("allot-work/allot.db", F_OK) == 0)) {
      if (o->workdir.empty()) o->workdir = "allot-work";
      *exit_code = FromJournal(*o);
    } else {
      *exit_code = FromServer(*o);
    }
  });
}

}  // namespace allot
