#include "cli/profiles_command.h"

#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/journal_source.h"
#include "common/units.h"
#include "core/profile/learned_request.h"
#include "core/profile/profile_update_builder.h"
#include "learn/campaign_history.h"
#include "model/profile_update_json.h"

namespace allot {
namespace {

struct ProfilesOptions {
  JournalSourceFlags source;
  bool json = false;
  bool updates = false;
};

std::string Dur(const std::optional<Duration>& d) { return d ? FormatDuration(*d) : "-"; }
std::string Size(const std::optional<int64_t>& b) { return b ? FormatSize(*b) : "-"; }

nlohmann::json SummaryJson(const ProfileSummary& s) {
  auto seconds = [](const std::optional<Duration>& d) {
    return d ? nlohmann::json(std::chrono::duration<double>(*d).count()) : nlohmann::json();
  };
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return {{"profile", s.profile},
          {"attempts", s.attempts},
          {"succeeded", s.succeeded},
          {"failed", s.failed},
          {"oom_killed", s.oom_killed},
          {"timed_out", s.timed_out},
          {"time_p50_s", seconds(s.wall_p50)},
          {"time_p90_s", seconds(s.wall_p90)},
          {"time_p99_s", seconds(s.wall_p99)},
          {"peak_rss_p95", opt(s.peak_rss_p95)},
          {"peak_rss_max", opt(s.peak_rss_max)},
          {"cores_used_mean", opt(s.cores_used_mean)},
          {"cores_used_max", opt(s.cores_used_max)},
          {"waste",
           {{"core_hours_allocated", s.waste.core_seconds_allocated / 3600},
            {"core_hours_used", s.waste.core_seconds_used / 3600},
            {"core_hours_wasted", s.waste.core_seconds_wasted / 3600},
            {"memory_gib_hours_requested", s.waste.memory_byte_seconds_requested / 3600 / (1 << 30)},
            {"memory_gib_hours_used", s.waste.memory_byte_seconds_used / 3600 / (1 << 30)},
            {"memory_gib_hours_wasted", s.waste.memory_byte_seconds_wasted / 3600 / (1 << 30)}}}};
}

int Run(const ProfilesOptions& o) {
  Result<CampaignSnapshot> snap = LoadCampaign(o.source);
  if (!snap.ok()) {
    std::fprintf(stderr, "allot profiles: %s\n", snap.status().message().c_str());
    return snap.status().code() == StatusCode::kUnavailable ? kExitInternal : kExitBadInput;
  }
  ProfileStore store = LearnProfiles(snap->contents);
  if (o.updates) {
    int printed = 0;
    std::string short_of;  // the profiles that have too little history, for the note below
    for (const auto& [name, stats] : store.profiles()) {
      if (auto update = BuildProfileUpdate(stats)) {
        std::printf("%s\n", ProfileUpdateToJson(*update).dump().c_str());
        ++printed;
      } else {
        short_of += fmt::format("{}{} ({} so far)", short_of.empty() ? "" : ", ", name,
                                stats.window_successes());
      }
    }
    if (printed == 0) {
      // JSON lines stay on stdout; why there are none goes to stderr.
      std::fprintf(stderr,
                   "allot profiles: no updates: %s\n",
                   store.profiles().empty()
                       ? "no attempt has ended yet"
                       : fmt::format("a profile needs {} successful attempts before it teaches "
                                     "anything; {}",
                                     kMinSamplesToLearn, short_of)
                             .c_str());
    }
    return kExitOk;
  }
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, stats] : store.profiles()) out.push_back(SummaryJson(stats.Summarize()));
    std::printf("%s\n", nlohmann::json{{"profiles", out}}.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%-20s %8s %6s %9s %9s %10s %10s %11s %13s\n", "PROFILE", "ATTEMPTS", "OK",
              "TIME P50", "TIME P90", "RSS P95", "RSS MAX", "CORES USED", "CORE-H WASTED");
  for (const auto& [name, stats] : store.profiles()) {
    ProfileSummary s = stats.Summarize();
    std::string cores = s.cores_used_mean ? fmt::format("{:.2f}/{:.2f}", *s.cores_used_mean,
                                                        s.cores_used_max.value_or(0))
                                          : "-";
    std::printf("%-20s %8lld %6lld %9s %9s %10s %10s %11s %13.3f\n", s.profile.c_str(),
                static_cast<long long>(s.attempts), static_cast<long long>(s.succeeded),
                Dur(s.wall_p50).c_str(), Dur(s.wall_p90).c_str(), Size(s.peak_rss_p95).c_str(),
                Size(s.peak_rss_max).c_str(), cores.c_str(), s.waste.core_seconds_wasted / 3600);
  }
  return kExitOk;
}

}  // namespace

void AddProfilesCommand(CLI::App* app, int* exit_code) {
  auto o = std::make_shared<ProfilesOptions>();
  CLI::App* cmd = app->add_subcommand(
      "profiles", "What the campaign learned per task profile (time, memory, cores used, waste)");
  AddJournalSourceOptions(cmd, &o->source);
  cmd->add_flag("--json", o->json, "JSON instead of a table");
  cmd->add_flag("--updates", o->updates,
                "Profile-update records as JSON lines ({profile, command: update, "
                "execution_requirement})");
  cmd->callback([o, exit_code] { *exit_code = Run(*o); });
}

}  // namespace allot
