#include "cli/share_command.h"

#include <cstdio>
#include <map>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/journal_source.h"
#include "common/clock.h"
#include "common/units.h"
#include "core/fair_share.h"

namespace allot {
namespace {

struct ShareOptions {
  JournalSourceFlags source;
  bool json = false;
};

int Run(const ShareOptions& o) {
  Result<CampaignSnapshot> snap = LoadCampaign(o.source);
  if (!snap.ok()) {
    std::fprintf(stderr, "allot share: %s\n", snap.status().message().c_str());
    return snap.status().code() == StatusCode::kUnavailable ? kExitInternal : kExitBadInput;
  }
  const JournalContents& j = snap->contents;
  std::map<std::string, double> weights;
  Duration half_life = std::chrono::hours(1);
  bool configured = false;
  for (const auto& [key, value] : j.meta) {
    if (key == kFairShareMetaKey) configured = ParseFairShareMeta(value, &weights, &half_life);
  }
  FairShare fs(weights, half_life);
  std::vector<const std::string*> project(j.submissions.size());
  static const std::string kNone;
  for (const Submission& s : j.submissions) {
    auto it = s.spec.tags.find("project");
    const std::string& p = it == s.spec.tags.end() ? kNone : it->second;
    if (s.index < project.size()) project[s.index] = &p;
    fs.Add(p);
  }
  // Usage: cores held x wall of every ended attempt, charged when it ended (wall clock).
  std::unordered_map<TaskIndex, size_t> held;
  for (const TaskEvent& e : j.events) {
    if (e.task >= project.size() || project[e.task] == nullptr) continue;
    if (StartsAttempt(e.from, e.to)) held[e.task] = e.cores.size();
    if (e.usage && EndsAttempt(e.from, e.to)) {
      fs.Charge(*project[e.task], static_cast<double>(held[e.task]) * ToSeconds(e.usage->wall),
                TimePoint(Duration(e.wall_time_us)));
    }
  }
  const TimePoint now(Duration(SystemClock::Default()->WallMicros()));
  std::vector<ProjectShare> rows = fs.Table(now);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const ProjectShare& r : rows) {
      out.push_back({{"project", r.project},
                     {"weight", r.weight},
                     {"share", r.share},
                     {"usage_core_hours", r.usage / 3600},
                     {"usage_share", r.usage_share},
                     {"factor", r.factor}});
    }
    nlohmann::json doc = {{"fair_share", configured && !weights.empty()},
                          {"half_life_s", ToSeconds(half_life)},
                          {"projects", out}};
    std::printf("%s\n", doc.dump(2).c_str());
    return kExitOk;
  }
  if (!configured || weights.empty()) {
    std::printf("fair share is off for this campaign (allot run --share PROJECT=WEIGHT turns it "
                "on); usage as it would count:\n");
  } else {
    std::printf("fair share: usage decays with a half-life of %s\n",
                FormatDuration(half_life).c_str());
  }
  std::printf("%-24s %8s %8s %14s %12s %8s\n", "PROJECT", "WEIGHT", "SHARE", "USAGE (core-h)",
              "USAGE SHARE", "FACTOR");
  for (const ProjectShare& r : rows) {
    std::printf("%-24s %8g %7.1f%% %14.4f %11.1f%% %8.3f\n",
                r.project.empty() ? "(none)" : r.project.c_str(), r.weight, 100 * r.share,
                r.usage / 3600, 100 * r.usage_share, r.factor);
  }
  return kExitOk;
}

}  // namespace

void AddShareCommand(CLI::App* app, int* exit_code) {
  auto o = std::make_shared<ShareOptions>();
  CLI::App* cmd = app->add_subcommand(
      "share",
      "Fair share between projects (tags.project): weight, share, decayed usage, factor");
  AddJournalSourceOptions(cmd, &o->source);
  cmd->add_flag("--json", o->json, "JSON instead of a table");
  cmd->footer("The factor is Slurm's 2^(-usage share / share): 1 with no usage, 0.5 at the "
              "share, lower above it; among tasks of equal priority the highest starts first.");
  cmd->callback([o, exit_code] { *exit_code = Run(*o); });
}

}  // namespace allot
