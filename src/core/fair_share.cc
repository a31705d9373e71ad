#include "core/fair_share.h"

#include <cmath>

namespace allot {

FairShare::FairShare(std::map<std::string, double> weights, Duration half_life)
    : weights_(std::move(weights)), half_life_(half_life) {
  for (const auto& [project, w] : weights_) accounts_.emplace(project, Account{});
}

void FairShare::Add(const std::string& project) { accounts_.try_emplace(project); }

double FairShare::WeightOf(const std::string& project) const {
  auto it = weights_.find(project);
  return it == weights_.end() ? 1.0 : it->second;
}

double FairShare::Decayed(const Account& a, TimePoint now) const {
  if (a.usage == 0 || half_life_ <= Duration(0)) return a.usage;
  const double halves = ToSeconds(now - a.at) / ToSeconds(half_life_);
  return halves <= 0 ? a.usage : a.usage * std::exp2(-halves);
}

void FairShare::Charge(const std::string& project, double core_seconds, TimePoint now) {
  Account& a = accounts_[project];
  a.usage = Decayed(a, now) + core_seconds;
  a.at = now;
}

std::vector<ProjectShare> FairShare::Table(TimePoint now,
                                           const std::map<std::string, double>& extra) const {
  std::vector<ProjectShare> rows;
  double weights = 0, usage = 0;
  for (const auto& [project, a] : accounts_) {
    ProjectShare& r = rows.emplace_back();
    r.project = project;
    r.weight = WeightOf(project);
    r.usage = Decayed(a, now);
    if (auto it = extra.find(project); it != extra.end()) r.usage += it->second;
    weights += r.weight;
    usage += r.usage;
  }
  for (ProjectShare& r : rows) {
    r.share = weights > 0 ? r.weight / weights : 0;
    r.usage_share = usage > 0 ? r.usage / usage : 0;
    r.factor = r.share > 0 ? std::exp2(-r.usage_share / r.share) : 0;
  }
  return rows;
}

}  // namespace allot

#include <nlohmann/json.hpp>

namespace allot {

std::string FairShareMeta(const std::map<std::string, double>& weights, Duration half_life) {
  nlohmann::json j = {{"weights", weights}, {"half_life_s", ToSeconds(half_life)}};
  return j.dump();
}

bool ParseFairShareMeta(const std::string& text, std::map<std::string, double>* weights,
                        Duration* half_life) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("weights") || !j["weights"].is_object() ||
      !j.contains("half_life_s") || !j["half_life_s"].is_number()) {
    return false;
  }
  weights->clear();
  for (const auto& [project, w] : j["weights"].items()) {
    if (!w.is_number()) return false;
    (*weights)[project] = w.get<double>();
  }
  *half_life = Duration(static_cast<int64_t>(j["half_life_s"].get<double>() * 1e6));
  return true;
}

}  // namespace allot
