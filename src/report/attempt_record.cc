#include "report/attempt_record.h"

#include <algorithm>
#include <unordered_map>

namespace allot {

Duration AttemptRecord::Wall() const {
  if (usage && usage->wall.count() > 0) return usage->wall;
  return Duration(std::max<int64_t>(0, end_us - start_us));
}

Duration AttemptRecord::Cpu() const {
  return usage ? usage->user_cpu + usage->sys_cpu : Duration(0);
}

std::vector<AttemptRecord> EndedAttempts(const JournalContents& contents) {
  std::vector<AttemptRecord> ended;
  std::unordered_map<TaskIndex, AttemptRecord> open;  // by task: at most one attempt at a time
  for (const TaskEvent& e : contents.events) {
    if (e.to == TaskState::kRunning && e.from != TaskState::kPaused) {
      AttemptRecord& r = open[e.task];
      r = AttemptRecord{};
      r.task = e.task;
      r.attempt = e.attempt;
      r.start_us = e.wall_time_us;
      r.cores = static_cast<int>(e.cores.size());
      r.gpus = static_cast<int>(e.gpus.size());
      r.memory_bytes = e.memory_bytes;
      continue;
    }
    if (!IsActive(e.from) || IsActive(e.to)) continue;
    AttemptRecord r;
    auto it = open.find(e.task);
    if (it != open.end()) {
      r = std::move(it->second);
      open.erase(it);
    } else {
      r.task = e.task;
      r.attempt = e.attempt;
      r.start_us = e.usage ? e.wall_time_us - e.usage->wall.count() : e.wall_time_us;
    }
    r.end_us = std::max(e.wall_time_us, r.start_us);
    r.outcome = e.to;
    r.usage = e.usage;
    ended.push_back(std::move(r));
  }
  return ended;
}

}  // namespace allot
