#include "report/attempt_record.h"

#include <algorithm>
#include "model/task_attempt.h"

namespace allot {

Duration AttemptRecord::Wall() const {
  if (usage && usage->wall.count() > 0) return usage->wall;
  return Duration(std::max<int64_t>(0, end_us - start_us));
}

Duration AttemptRecord::Cpu() const {
  return usage ? usage->user_cpu + usage->sys_cpu : Duration(0);
}

std::vector<AttemptRecord> EndedAttempts(const JournalContents& contents) {
  AttemptFold fold;
  for (const TaskEvent& e : contents.events) fold.Apply(e);
  std::vector<AttemptRecord> ended;
  ended.reserve(fold.ended().size());
  for (const TaskAttempt& a : fold.ended()) {
    AttemptRecord& r = ended.emplace_back();
    r.task = a.task;
    r.attempt = a.attempt;
    r.start_us = a.started_us;
    r.end_us = *a.ended_us;
    r.cores = static_cast<int>(a.cores.size());
    r.gpus = static_cast<int>(a.gpus.size());
    r.memory_bytes = a.memory_bytes;
    r.outcome = a.state;
    r.end = a.outcome;
    r.reason = a.reason;
    r.usage = a.usage;
  }
  return ended;
}

}  // namespace allot
