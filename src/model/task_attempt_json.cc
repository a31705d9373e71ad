#include "model/task_attempt_json.h"

#include "model/task_id.h"

namespace allot {

nlohmann::json TaskAttemptToJson(const TaskAttempt& a, const std::string& task_id) {
  using Json = nlohmann::json;
  Json j = {{"attempt", a.attempt},
            {"execution", ExecutionRef(task_id, a.attempt)},
            {"worker", a.worker},
            {"cores", a.cores},
            {"memory", a.memory_bytes},
            {"started_us", a.started_us},
            {"state", std::string(TaskStateName(a.state))},
            // How the attempt itself ended; while it runs, its state (running or paused).
            {"outcome", a.ended_us ? std::string(AttemptEndName(a.outcome))
                                   : std::string(TaskStateName(a.state))}};
  if (a.ended_us) j["ended_us"] = *a.ended_us;
  if (a.usage) {
    const AttemptUsage& u = *a.usage;
    const double wall = ToSeconds(u.wall);
    const double cpu = ToSeconds(u.user_cpu + u.sys_cpu);
    j["exit_code"] = u.term_signal != 0 ? Json(nullptr) : Json(u.exit_code);
    j["signal"] = u.term_signal;
    j["timed_out"] = u.timed_out;
    j["wall_s"] = wall;
    j["cpu_s"] = cpu;
    j["user_s"] = ToSeconds(u.user_cpu);
    j["sys_s"] = ToSeconds(u.sys_cpu);
    j["mean_cores"] = wall > 0 ? cpu / wall : 0.0;
    j["peak_cores"] = u.peak_cores;
    j["max_rss"] = u.max_rss_bytes;
    j["read_bytes"] = u.read_bytes;
    j["write_bytes"] = u.write_bytes;
    j["memory_exceeded"] = u.memory_exceeded;
    // The Slurm job it ran as (executor: slurm); its usage above is Slurm's accounting.
    if (!u.slurm_job.empty()) j["slurm_job"] = u.slurm_job;
    if (!u.checkpoint.empty()) {
      // The attempt's checkpoint record (model/checkpoint_report.h); its text when it is not
      // JSON (a journal edited by hand).
      Json record = Json::parse(u.checkpoint, nullptr, false);
      j["checkpoint"] = record.is_discarded() ? Json(u.checkpoint) : std::move(record);
    }
    if (!u.result.empty()) {
      // What it returned (model/task_result.h).
      Json result = Json::parse(u.result, nullptr, false);
      j["result"] = result.is_discarded() ? Json(u.result) : std::move(result);
    }
    if (!u.outputs.empty()) {
      // What it produced of its declared outputs (model/output_manifest.h).
      Json manifest = Json::parse(u.outputs, nullptr, false);
      j["outputs"] = manifest.is_discarded() ? Json(u.outputs) : std::move(manifest);
    }
  }
  if (a.ended_us) j["reason"] = a.reason;
  return j;
}

}  // namespace allot
