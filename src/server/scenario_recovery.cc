#include "server/scenario_recovery.h"

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "journal/journal_reader.h"
#include "model/scenario_policy_json.h"

namespace allot {

Status RestoreScenarios(Scheduler* scheduler, JournalStore* journal,
                        const std::string& db_path) {
  if (scheduler->scenario_board() == nullptr) {
    ALLOT_ASSIGN_OR_RETURN(std::optional<std::string> policy,
                           journal->GetMeta(std::string(kScenarioPolicyMetaKey)));
    if (policy) {
      Result<ScenarioPolicySpec> spec = ScenarioPolicyFromJson(*policy);
      if (!spec.ok()) return spec.status().WithPrefix(db_path + ": meta scenario_policy");
      scheduler->SetScenarioPolicy(*spec);
    }
  }
  ALLOT_ASSIGN_OR_RETURN(std::vector<MetricPoint> points, journal->LoadMetrics());
  if (points.empty()) return Status::Ok();
  std::unique_ptr<JournalReader> reader;
  std::unordered_map<TaskIndex, std::string> scenarios;
  Status failed;
  auto scenario_of = [&](TaskIndex t) -> std::string {
    auto [it, added] = scenarios.try_emplace(t);
    if (!added || !failed.ok()) return it->second;
    if (reader == nullptr) {
      Result<std::unique_ptr<JournalReader>> opened = JournalReader::Open(db_path);
      if (!opened.ok()) {
        failed = opened.status();
        return "";
      }
      reader = std::move(*opened);
    }
    Result<TaskSpec> spec = reader->SpecOf(t);
    if (!spec.ok()) {
      failed = spec.status();
      return "";
    }
    auto tag = spec->tags.find("scenario");
    if (tag != spec->tags.end()) it->second = tag->second;
    return it->second;
  };
  scheduler->RestoreMetrics(points, scenario_of);
  return failed;
}

}  // namespace allot
