#include "journal/journal_event_json.h"

#include "model/task_id.h"

#include <chrono>
#include <string>

namespace allot {

nlohmann::json JournalEventRowToJson(const JournalEventRow& row) {
  const TaskEvent& e = row.event;
  nlohmann::json j = {
      {"seq", row.seq},
      {"task", row.task_id},
      {"attempt", e.attempt},
      {"execution", e.attempt > 0
                        ? nlohmann::json(ExecutionRef(row.task_id, e.attempt))
                        : nlohmann::json()},
      {"from", std::string(TaskStateName(e.from))},
      {"to", std::string(TaskStateName(e.to))},
      {"time_us", e.wall_time_us},
      {"reason", e.reason}};
  if (e.usage) {
    j["exit_code"] = e.usage->exit_code;
    j["signal"] = e.usage->term_signal;
    j["wall_s"] = std::chrono::duration<double>(e.usage->wall).count();
    if (!e.usage->slurm_job.empty()) j["slurm_job"] = e.usage->slurm_job;
  }
  if (!e.worker.empty()) j["worker"] = e.worker;
  return j;
}

nlohmann::json MetricRowToJson(const MetricRow& row, const std::string& task_id) {
  nlohmann::json j = {{"metric_seq", row.seq},          {"task", task_id},
                      {"attempt", row.point.attempt},   {"metric", row.point.name},
                      {"value", row.point.value}};
  if (row.point.step) j["step"] = *row.point.step;
  j["time_us"] = row.point.time_us;
  return j;
}

nlohmann::json DecisionRowToJson(const DecisionRow& row, const std::string& task_id) {
  const ScenarioDecision& d = row.decision;
  return {{"decision_seq", row.seq},          {"scenario", d.scenario},
          {"priority_offset", d.priority_offset}, {"stopped", d.stopped},
          {"reason", d.reason},               {"task", task_id},
          {"time_us", d.time_us}};
}

nlohmann::json LatestMetricsJson(const std::vector<const MetricPoint*>& points) {
  nlohmann::json out = nlohmann::json::object();
  for (const MetricPoint* p : points) {
    nlohmann::json one = {{"value", p->value}, {"attempt", p->attempt}, {"time_us", p->time_us}};
    if (p->step) one["step"] = *p->step;
    out[p->name] = std::move(one);
  }
  return out;
}

std::string LatestMetricsText(const nlohmann::json& latest) {
  std::string text;
  for (const auto& [name, m] : latest.items()) {
    if (!text.empty()) text += ", ";
    text += name + " " + m["value"].dump();
    if (m.contains("step")) text += " (step " + m["step"].dump() + ")";
  }
  return text;
}

}  // namespace allot
