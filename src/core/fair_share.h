// FairShare: projects' (tags.project) shares of the cores, as Slurm's classic fair-share
// factor has them. Each project has a weight; its share S is its weight over the weights of
// the projects in the campaign. Its usage is the core-seconds its ended attempts used, decayed
// with a half-life (usage from one half-life ago counts half); its usage share U is its usage
// over all usage. Its factor is F = 2^(-U/S): 1 with no usage, 0.5 at exactly its share, less
// above it. Among ready tasks of equal priority the project with the highest factor starts
// first (Scheduler::ScheduleOn); a task's priority still comes first.
// Deterministic (times come from the caller); thread-compatible.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/time.h"

namespace allot {

struct ProjectShare {
  std::string project;   // "" for tasks without tags.project
  double weight = 1;
  double share = 0;      // weight / the weights of all projects known
  double usage = 0;      // decayed core-seconds
  double usage_share = 0;
  double factor = 1;     // 2^(-usage_share / share)
};

class FairShare {
 public:
  // `weights`: project -> weight (> 0); a project not named has weight 1.
  FairShare(std::map<std::string, double> weights, Duration half_life);

  // A project with tasks in the campaign (its share counts from now on).
  void Add(const std::string& project);
  // Charges `core_seconds` to `project` at `now`.
  void Charge(const std::string& project, double core_seconds, TimePoint now);
  // Every known project at `now`, with `extra` core-seconds (attempts under way, say) added to
  // their usage for this answer only; sorted by project.
  std::vector<ProjectShare> Table(TimePoint now,
                                  const std::map<std::string, double>& extra = {}) const;
  double WeightOf(const std::string& project) const;
  Duration half_life() const { return half_life_; }

 private:
  struct Account {
    double usage = 0;  // decayed to `at`
    TimePoint at;
  };
  double Decayed(const Account& a, TimePoint now) const;

  std::map<std::string, double> weights_;
  Duration half_life_;
  std::map<std::string, Account> accounts_;
};

}  // namespace allot

namespace allot {

// The journal's metadata key for a campaign's fair-share settings, and their JSON text:
// {"weights": {project: weight}, "half_life_s": seconds} (weights empty: fair share off).
inline constexpr const char* kFairShareMetaKey = "fair_share";
std::string FairShareMeta(const std::map<std::string, double>& weights, Duration half_life);
// Reads FairShareMeta's text; false when it is not that.
bool ParseFairShareMeta(const std::string& text, std::map<std::string, double>* weights,
                        Duration* half_life);

}  // namespace allot
