// Rows of the journal's tasks and events tables (journal_schema.h): the SQL that writes and
// reads them and the conversions between rows and Submission / TaskEvent. Stateless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "journal/journal_store.h"

struct sqlite3_stmt;

namespace allot {

inline constexpr const char* kInsertTaskSql =
    "INSERT INTO tasks(idx, id, initial_state, submitted_us, spec, priority, cores, memory,"
    " profile) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
inline constexpr const char* kInsertEventSql =
    "INSERT INTO events(seq, task, attempt, from_state, to_state, time_us, exit_code,"
    " term_signal, timed_out, wall_us, user_us, sys_us, max_rss, cores, gpus, memory, reason,"
    " worker, by_user, read_bytes, write_bytes, peak_cores, memory_exceeded, checkpoint,"
    " outputs, result, slurm_job)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)";
inline constexpr const char* kSelectTasksSql =
    "SELECT idx, initial_state, submitted_us, spec FROM tasks ORDER BY idx";
// What LoadForRecovery needs of a finished task (schema version 3 on), then the spec JSON
// (read only for the others).
inline constexpr const char* kSelectTaskBriefsSql =
    "SELECT idx, initial_state, submitted_us, id, priority, cores, memory, profile, spec"
    " FROM tasks ORDER BY idx";

// Which state each event leads to, for the finished flags. ?1, ?2: the first and last seq.
inline constexpr const char* kSelectEventEndsSql =
    "SELECT task, to_state FROM events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq";
// ?1, ?2: the first and the last seq to read. For a read-only journal of an earlier schema
// version, through SelectEventsFor (journal/journal_schema.h).
inline constexpr const char* kSelectEventsSql =
    "SELECT task, attempt, from_state, to_state, time_us, exit_code, term_signal, timed_out,"
    " wall_us, user_us, sys_us, max_rss, cores, gpus, memory, reason, worker, by_user,"
    " read_bytes, write_bytes, peak_cores, memory_exceeded, checkpoint, outputs, result,"
    " slurm_job FROM events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq";

// Binds `submission` to a kInsertTaskSql statement. `spec_json` holds the bound JSON text and
// must outlive the statement's next step.
void BindSubmission(sqlite3_stmt* stmt, const Submission& submission, std::string& spec_json);
// Binds `event` as row `seq` to a kInsertEventSql statement. `cores` and `gpus` hold bound
// text and must outlive the statement's next step.
void BindEvent(sqlite3_stmt* stmt, int64_t seq, const TaskEvent& event, std::string& cores,
               std::string& gpus);

// Reads the current row of a kSelectTasksSql statement, all but the spec (ReadSpecJson, column
// 3). Corruption when a value is out of range.
Status ReadSubmission(sqlite3_stmt* stmt, Submission* out);
// Reads the current row of a kSelectTaskBriefsSql statement: out->spec gets the id and, when
// the row has them (written by version 3 on), priority, cores.min (as cores {min, min}),
// memory_bytes and tags.profile; returns whether it had them. Corruption as ReadSubmission.
Result<bool> ReadTaskBrief(sqlite3_stmt* stmt, Submission* out);
// Reads column `col` of the current row, a spec's JSON, into `json`.
void ReadSpecJson(sqlite3_stmt* stmt, int col, std::string* json);
// Corruption naming task `index` when `json` is not a TaskSpec document. Thread-safe.
Status DecodeSpec(std::string_view json, TaskIndex index, TaskSpec* out);
// Reads the current row of a kSelectEventsSql statement. Corruption when a value is out of
// range.
Status ReadEvent(sqlite3_stmt* stmt, TaskEvent* out);

// "0,1,2" <-> {0, 1, 2}; "" for none.
void FormatIdList(const std::vector<int>& ids, std::string* out);
bool ParseIdList(std::string_view text, std::vector<int>* out);

}  // namespace allot
