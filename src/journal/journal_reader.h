// JournalReader: queries of a live journal for the API (events after a sequence number, the
// attempts and spec of one task), on its own read-only connection, beside the server's writer
// (WAL lets both proceed). Sees only committed data. Not thread-safe: open one per thread or
// per request (opening costs about a hundred microseconds).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <string>
#include <vector>

#include "common/result.h"
#include "journal/metric_rows.h"
#include "journal/sqlite_db.h"
#include "model/task_event.h"
#include "model/task_spec.h"

namespace allot {

// One journaled transition with its sequence number and the task's id.
struct JournalEventRow {
  int64_t seq = 0;  // 1, 2, 3, ... in commit order
  std::string task_id;
  TaskEvent event;
};

class JournalReader {
 public:
  // NotFound when there is no file; the journal's own errors otherwise.
  static Result<std::unique_ptr<JournalReader>> Open(const std::string& path);

  // Up to `limit` events with seq > `after`, in order.
  Result<std::vector<JournalEventRow>> EventsAfter(int64_t after, int64_t limit);
  // Every event of one task, in order.
  Result<std::vector<JournalEventRow>> EventsOf(TaskIndex task);
  // The task's spec as submitted. NotFound for an index never submitted.
  Result<TaskSpec> SpecOf(TaskIndex task);
  // Up to `limit` metrics with metric seq > `after` (of `task` only, when given), in order,
  // each with its task's id. None from a journal older than the metrics table.
  Result<std::vector<std::pair<MetricRow, std::string>>> MetricsAfter(
      int64_t after, int64_t limit, std::optional<TaskIndex> task = std::nullopt);
  // Up to `limit` scenario decisions with seq > `after`, in order, each with the id of the
  // task whose metric caused it.
  Result<std::vector<std::pair<DecisionRow, std::string>>> DecisionsAfter(int64_t after,
                                                                         int64_t limit);
  // The highest committed seq (0 when none).
  Result<int64_t> LastSeq();

 private:
  explicit JournalReader(SqliteDb db) : db_(std::move(db)) {}
  Result<std::vector<JournalEventRow>> Query(const char* sql, int64_t a, int64_t b);
  // The id of task `t` (cached in `ids`); "" when there is none.
  Result<std::string> IdOf(TaskIndex t, std::unordered_map<TaskIndex, std::string>* ids);

  SqliteDb db_;
};

}  // namespace allot
