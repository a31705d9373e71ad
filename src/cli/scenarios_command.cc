#include "cli/scenarios_command.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/journal_source.h"
#include "core/scenario/scenario_board.h"
#include "model/scenario_policy_json.h"
#include "report/group_by.h"
#include "report/usage_report.h"

namespace allot {
namespace {

struct ScenariosOptions {
  JournalSourceFlags source;
  bool json = false;
};

std::string Number(std::optional<double> v) {
  if (!v) return "-";
  return fmt::format("{:.6g}", *v);
}

int Show(const ScenariosOptions& o) {
  Result<CampaignSnapshot> snapshot = LoadCampaign(o.source);
  if (!snapshot.ok()) {
    fmt::print(stderr, "allot scenarios: {}\n", snapshot.status().message());
    return snapshot.status().code() == StatusCode::kNotFound ? kExitBadInput : kExitInternal;
  }
  const JournalContents& c = snapshot->contents;
  std::optional<ScenarioPolicySpec> policy;
  for (const auto& [key, value] : c.meta) {
    if (key == kScenarioPolicyMetaKey) {
      Result<ScenarioPolicySpec> spec = ScenarioPolicyFromJson(value);
      if (!spec.ok()) {
        fmt::print(stderr, "allot scenarios: the journal's {}: {}\n", key,
                   spec.status().message());
        return kExitInternal;
      }
      policy = *spec;
    }
  }
  // The board, rebuilt from the journal's metrics (the same as the run's: it is deterministic).
  ScenarioBoard board(policy.value_or(ScenarioPolicySpec{}));
  for (const MetricPoint& m : c.metrics) {
    if (m.task >= c.submissions.size()) continue;
    const auto& tags = c.submissions[m.task].spec.tags;
    auto tag = tags.find("scenario");
    if (tag != tags.end() && !tag->second.empty()) board.Observe(tag->second, m, nullptr);
  }
  UsageReportOptions usage_options;
  usage_options.by = *ParseGroupBy("scenario");
  const UsageReport usage = BuildUsageReport(c, usage_options);
  std::map<std::string, const GroupUsage*> usage_of;
  for (const GroupUsage& g : usage.groups) usage_of[g.group] = &g;
  // Scenarios without metrics still count (tasks that never reported, or no policy).
  std::vector<ScenarioStanding> ranking = policy ? board.Ranking() : std::vector<ScenarioStanding>{};
  std::map<std::string, bool> listed;
  for (const ScenarioStanding& s : ranking) listed[s.scenario] = true;
  for (const GroupUsage& g : usage.groups) {
    if (g.group.empty() || g.group == kNoGroup || listed.count(g.group)) continue;
    ScenarioStanding s;
    s.scenario = g.group;
    ranking.push_back(s);
  }
  if (o.json) {
    nlohmann::json out = nlohmann::json::object();
    out["policy"] = policy ? nlohmann::json::parse(ScenarioPolicyToJson(*policy))
                           : nlohmann::json(nullptr);
    nlohmann::json rows = nlohmann::json::array();
    int rank = 0;
    for (const ScenarioStanding& s : ranking) {
      nlohmann::json r = {{"rank", ++rank}, {"scenario", s.scenario}};
      r["score"] = s.score ? nlohmann::json(*s.score) : nlohmann::json(nullptr);
      r["rung"] = s.rung;
      r["priority_offset"] = s.priority_offset;
      r["stopped"] = s.stopped;
      r["step"] = s.step ? nlohmann::json(*s.step) : nlohmann::json(nullptr);
      r["latest"] = s.latest;
      r["note"] = s.note;
      auto u = usage_of.find(s.scenario);
      r["tasks"] = u != usage_of.end() ? u->second->tasks : 0;
      r["attempts"] = u != usage_of.end() ? u->second->attempts : 0;
      r["succeeded"] = u != usage_of.end() ? u->second->succeeded : 0;
      r["core_hours_allocated"] = u != usage_of.end() ? u->second->core_hours_allocated : 0.0;
      r["core_hours_used"] = u != usage_of.end() ? u->second->core_hours_used : 0.0;
      rows.push_back(std::move(r));
    }
    out["scenarios"] = std::move(rows);
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (!policy) {
    fmt::print("no scenario policy in this campaign (a workflow's `scenarios:` block sets one); "
               "its scenarios by core-hours:\n");
  } else {
    fmt::print("policy: {}\n", ScenarioPolicyToJson(*policy));
  }
  if (ranking.empty()) {
    fmt::print("no scenarios (tasks tagged scenario)\n");
    return kExitOk;
  }
  fmt::print("{:>4}  {:<20} {:>10} {:>5} {:>8} {:>8} {:>9} {:>9}  {}\n", "RANK", "SCENARIO",
             "SCORE", "RUNG", "PRIORITY", "STEP", "CORE-H", "USED-H", "STATE");
  int rank = 0;
  for (const ScenarioStanding& s : ranking) {
    auto u = usage_of.find(s.scenario);
    const double alloc = u != usage_of.end() ? u->second->core_hours_allocated : 0.0;
    const double used = u != usage_of.end() ? u->second->core_hours_used : 0.0;
    const std::string state =
        s.stopped ? "stopped" : (s.priority_offset < 0 ? "deprioritized" : "");
    fmt::print("{:>4}  {:<20} {:>10} {:>5} {:>+8} {:>8} {:>9.4g} {:>9.4g}  {}\n", ++rank,
               s.scenario, Number(s.score), s.rung >= 0 ? std::to_string(s.rung) : "-",
               s.priority_offset, s.step ? std::to_string(*s.step) : "-", alloc, used, state);
    if (!s.note.empty()) fmt::print("      {}\n", s.note);
  }
  return kExitOk;
}

}  // namespace

void AddScenariosCommand(CLI::App* app, int* exit_code) {
  auto o = std::make_shared<ScenariosOptions>();
  CLI::App* cmd = app->add_subcommand(
      "scenarios",
      "Rank the campaign's scenarios (tags.scenario) by its scenario policy: score, rung, "
      "priority, stopped or not and why, core-hours");
  AddJournalSourceOptions(cmd, &o->source);
  cmd->add_flag("--json", o->json, "One JSON document");
  cmd->callback([o, exit_code] { *exit_code = Show(*o); });
}

}  // namespace allot
