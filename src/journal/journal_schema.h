// The SQLite schema of an Allot journal, its version, and the check that a file is one.
//
//   tasks(idx, id, initial_state, submitted_us, spec, priority, cores, memory, profile)
//                                     one row per submission; spec is JSON; priority, cores
//                                     (cores.min), memory and profile (tags.profile, NULL when
//                                     untagged) repeat what recovering a finished task needs,
//                                     so that it is loaded without decoding its spec (NULL in
//                                     rows written before version 3)
//   events(seq, task, attempt, from_state, to_state, time_us, exit_code, term_signal, timed_out,
//          wall_us, user_us, sys_us, max_rss, cores, gpus, memory, reason, worker, by_user,
//          read_bytes, write_bytes, peak_cores, memory_exceeded, checkpoint, outputs,
//          result, slurm_job)
//                                     usage columns are NULL when the event ended no attempt;
//                                     cores/gpus are "0,1,2" (NULL when none); memory is the
//                                     memory held on -> running, the grown request on -> ready
//                                     after an attempt killed at its memory limit; checkpoint
//                                     is a checkpointing attempt's record (JSON,
//                                     model/checkpoint_report.h), NULL for others; outputs is
//                                     a succeeded attempt's declared outputs (JSON,
//                                     model/output_manifest.h), NULL for others; result is
//                                     what a succeeded attempt returned (JSON,
//                                     model/task_result.h), NULL when nothing; slurm_job
//                                     the Slurm job an attempt ran as (executor: slurm),
//                                     NULL for others
//   metrics(seq, task, attempt, name, step, value, time_us)
//                                     running attempts' intermediate metrics
//                                     (model/metric_point.h); step NULL when none
//   scenario_decisions(seq, time_us, scenario, priority_offset, stopped, reason, task)
//                                     what the scenario policy decided
//                                     (model/scenario_decision.h)
//   meta(key, value)                  the campaign's metadata (JournalStore::PutMeta)
//   journal_info(key, value)          the journal's own: journal_id, writer (set while a writer
//                                     has it open: journal_loss.h), loss_accepted; created by
//                                     a writer's first commit where it is missing
//   states(id, name)                  the TaskState names, for people's queries
//   task_events (view)                events with task ids, state names and readable times
//   task_metrics (view)               metrics with task ids and readable times
//   task_states (view)                each task's current state by name
//
// Files are identified by PRAGMA application_id = kJournalApplicationId and versioned by
// PRAGMA user_version = kJournalSchemaVersion.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "journal/sqlite_db.h"

namespace allot {

inline constexpr int32_t kJournalApplicationId = 0x416c6f74;  // "Alot"
// 2: events.worker, by_user, read_bytes, write_bytes, peak_cores, memory_exceeded
// 3: tasks.priority, cores, memory, profile
// 4: events.checkpoint
// 5: events.outputs
// 6: events.result
// 7: metrics (and the task_metrics view), scenario_decisions
// 8: events.slurm_job
inline constexpr int kJournalSchemaVersion = 8;

// Creates journal_info where a journal of an earlier build lacks it (same schema version:
// readers of version 2 ignore the table).
inline constexpr const char* kCreateJournalInfoSql =
    "CREATE TABLE IF NOT EXISTS journal_info(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    " WITHOUT ROWID";

enum class SchemaMode {
  kMustExist,      // an empty database is not a journal
  kCreateIfEmpty,  // an empty database gets the schema
};

// OK when `db` holds an Allot journal this code can read (after creating it, per `mode`, and
// upgrading an older one when `db` is writable; a read-only one of version 2 is read as it is).
// InvalidArgument naming the file when it is something else; FailedPrecondition when it was
// written by a newer schema version.
Status CheckJournalSchema(SqliteDb& db, SchemaMode mode);

// Whether the tasks table has the brief columns (version 3 on).
Result<bool> HasTaskBriefColumns(SqliteDb& db);
// `sql`, a SELECT of events columns, with NULL for the columns a read-only journal of an
// earlier version lacks (checkpoint before version 4, outputs before 5, result before 6), named as "e.name" or
// ", name" in it.
Result<std::string> SelectEventsFor(SqliteDb& db, std::string sql);

}  // namespace allot
