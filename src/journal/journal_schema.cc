#include "journal/journal_schema.h"

#include <sqlite3.h>

#include <string>

#include "model/task_state.h"

namespace allot {
namespace {

constexpr const char* kCreateSchema = R"sql(
CREATE TABLE tasks(
  idx INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  initial_state INTEGER NOT NULL,
  submitted_us INTEGER NOT NULL,
  spec TEXT NOT NULL,
  priority INTEGER,
  cores INTEGER,
  memory INTEGER,
  profile TEXT);
CREATE TABLE events(
  seq INTEGER PRIMARY KEY,
  task INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  from_state INTEGER NOT NULL,
  to_state INTEGER NOT NULL,
  time_us INTEGER NOT NULL,
  exit_code INTEGER,
  term_signal INTEGER,
  timed_out INTEGER,
  wall_us INTEGER,
  user_us INTEGER,
  sys_us INTEGER,
  max_rss INTEGER,
  cores TEXT,
  gpus TEXT,
  memory INTEGER,
  reason TEXT,
  worker TEXT,
  by_user INTEGER,
  read_bytes INTEGER,
  write_bytes INTEGER,
  peak_cores REAL,
  memory_exceeded INTEGER,
  checkpoint TEXT,
  outputs TEXT,
  result TEXT,
  slurm_job TEXT);
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE metrics(
  seq INTEGER PRIMARY KEY,
  task INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  name TEXT NOT NULL,
  step INTEGER,
  value REAL NOT NULL,
  time_us INTEGER NOT NULL);
CREATE INDEX metrics_by_task ON metrics(task);
CREATE TABLE scenario_decisions(
  seq INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  scenario TEXT NOT NULL,
  priority_offset INTEGER NOT NULL,
  stopped INTEGER NOT NULL,
  reason TEXT NOT NULL,
  task INTEGER NOT NULL);
CREATE VIEW task_metrics AS
  SELECT m.seq, t.id AS task_id, m.attempt, m.name, m.step, m.value,
         strftime('%Y-%m-%d %H:%M:%f', m.time_us / 1e6, 'unixepoch') AS time_utc
  FROM metrics m JOIN tasks t ON t.idx = m.task;
CREATE TABLE journal_info(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE states(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE VIEW task_events AS
  SELECT e.seq, t.id AS task_id, e.attempt, f.name AS from_state, s.name AS to_state,
         strftime('%Y-%m-%d %H:%M:%f', e.time_us / 1e6, 'unixepoch') AS time_utc,
         e.exit_code, e.term_signal, e.timed_out, e.wall_us / 1e6 AS wall_s,
         e.user_us / 1e6 AS user_s, e.sys_us / 1e6 AS sys_s, e.max_rss, e.cores, e.gpus,
         e.memory, e.reason, e.worker, e.by_user, e.read_bytes, e.write_bytes, e.peak_cores,
         e.memory_exceeded, e.checkpoint, e.outputs, e.result, e.slurm_job
  FROM events e JOIN tasks t ON t.idx = e.task
       JOIN states f ON f.id = e.from_state JOIN states s ON s.id = e.to_state;
CREATE VIEW task_states AS
  SELECT t.idx, t.id, s.name AS state, l.attempt
  FROM tasks t
       LEFT JOIN (SELECT task, to_state, attempt, MAX(seq) FROM events GROUP BY task) l
              ON l.task = t.idx
       JOIN states s ON s.id = COALESCE(l.to_state, t.initial_state);
)sql";

Status CreateSchema(SqliteDb& db) {
  ALLOT_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", "creating the journal"));
  std::string sql = kCreateSchema;
  for (int i = 0; i < kTaskStateCount; ++i) {
    sql += "INSERT INTO states VALUES(" + std::to_string(i) + ",'" +
           std::string(TaskStateName(static_cast<TaskState>(i))) + "');";
  }
  sql += "PRAGMA application_id=" + std::to_string(kJournalApplicationId) + ";";
  sql += "PRAGMA user_version=" + std::to_string(kJournalSchemaVersion) + ";";
  sql += "COMMIT;";
  Status s = db.Exec(sql.c_str(), "creating the journal");
  if (!s.ok() && db.InTransaction()) (void)db.Exec("ROLLBACK", "creating the journal");
  return s;
}

constexpr const char* kTaskEventsView = R"sql(
CREATE VIEW task_events AS
  SELECT e.seq, t.id AS task_id, e.attempt, f.name AS from_state, s.name AS to_state,
         strftime('%Y-%m-%d %H:%M:%f', e.time_us / 1e6, 'unixepoch') AS time_utc,
         e.exit_code, e.term_signal, e.timed_out, e.wall_us / 1e6 AS wall_s,
         e.user_us / 1e6 AS user_s, e.sys_us / 1e6 AS sys_s, e.max_rss, e.cores, e.gpus,
         e.memory, e.reason, e.worker, e.by_user, e.read_bytes, e.write_bytes, e.peak_cores,
         e.memory_exceeded, e.checkpoint, e.outputs, e.result, e.slurm_job
  FROM events e JOIN tasks t ON t.idx = e.task
       JOIN states f ON f.id = e.from_state JOIN states s ON s.id = e.to_state;
)sql";

// Runs an upgrade script; a failure rolls it back and says how to upgrade.
Status RunUpgrade(SqliteDb& db, const std::string& sql, int from_version) {
  Status s = db.Exec(sql.c_str(), "upgrading the journal");
  if (!s.ok()) {
    if (db.InTransaction()) (void)db.Exec("ROLLBACK", "upgrading the journal");
    return Status::FailedPrecondition(
        db.path() + ": journal schema version " + std::to_string(from_version) +
        " needs an upgrade, which failed (" + s.message() +
        "); open it once with `allot run --resume` as its owner");
  }
  return Status::Ok();
}

// Version 1 (before cluster mode) lacks events.worker, by_user and the sampled usage columns
// (read_bytes, write_bytes, peak_cores, memory_exceeded).
Status UpgradeFromVersion1(SqliteDb& db) {
  std::string sql =
      "BEGIN IMMEDIATE;"
      "ALTER TABLE events ADD COLUMN worker TEXT;"
      "ALTER TABLE events ADD COLUMN by_user INTEGER;"
      "ALTER TABLE events ADD COLUMN read_bytes INTEGER;"
      "ALTER TABLE events ADD COLUMN write_bytes INTEGER;"
      "ALTER TABLE events ADD COLUMN peak_cores REAL;"
      "ALTER TABLE events ADD COLUMN memory_exceeded INTEGER;"
      "DROP VIEW task_events;";
  // the view is made again by UpgradeFromVersion3, with the columns of then
  
  sql += "PRAGMA user_version=2; COMMIT;";
  return RunUpgrade(db, sql, 1);
}

// Version 2 lacks the brief columns of tasks; rows written before stay NULL there (their spec
// is decoded instead).
Status UpgradeFromVersion2(SqliteDb& db) {
  return RunUpgrade(db,
              "BEGIN IMMEDIATE;"
              "ALTER TABLE tasks ADD COLUMN priority INTEGER;"
              "ALTER TABLE tasks ADD COLUMN cores INTEGER;"
              "ALTER TABLE tasks ADD COLUMN memory INTEGER;"
              "ALTER TABLE tasks ADD COLUMN profile TEXT;"
              "PRAGMA user_version=3; COMMIT;",
              2);
}

// Adds events.<column> (TEXT, NULL in the rows before) and makes the task_events view again
// with it: version `from` to `from` + 1.
Status AddEventsColumn(SqliteDb& db, const std::string& column, int from) {
  std::string sql = "BEGIN IMMEDIATE;ALTER TABLE events ADD COLUMN " + column +
                    " TEXT;DROP VIEW task_events;";
  sql += kTaskEventsView;
  sql += "PRAGMA user_version=" + std::to_string(from + 1) + "; COMMIT;";
  return RunUpgrade(db, sql, from);
}

// Version 3 lacks events.checkpoint (a checkpointing attempt's record, model/checkpoint_report.h).
Status UpgradeFromVersion3(SqliteDb& db) { return AddEventsColumn(db, "checkpoint", 3); }

// Version 4 lacks events.outputs (declared outputs' manifest, model/output_manifest.h).
Status UpgradeFromVersion4(SqliteDb& db) { return AddEventsColumn(db, "outputs", 4); }

// Version 5 lacks events.result (what a succeeded attempt returned, model/task_result.h).
Status UpgradeFromVersion5(SqliteDb& db) { return AddEventsColumn(db, "result", 5); }

// Version 7 lacks events.slurm_job (the Slurm job of an attempt run as one,
// exec/slurm_job_launcher.h).
Status UpgradeFromVersion7(SqliteDb& db) { return AddEventsColumn(db, "slurm_job", 7); }

// Version 6 lacks the metrics table and its view (model/metric_point.h), and the
// scenario_decisions table (model/scenario_decision.h).
Status UpgradeFromVersion6(SqliteDb& db) {
  return RunUpgrade(db,
                    "BEGIN IMMEDIATE;"
                    "CREATE TABLE metrics(seq INTEGER PRIMARY KEY, task INTEGER NOT NULL,"
                    " attempt INTEGER NOT NULL, name TEXT NOT NULL, step INTEGER,"
                    " value REAL NOT NULL, time_us INTEGER NOT NULL);"
                    "CREATE INDEX metrics_by_task ON metrics(task);"
                    "CREATE TABLE scenario_decisions(seq INTEGER PRIMARY KEY,"
                    " time_us INTEGER NOT NULL, scenario TEXT NOT NULL,"
                    " priority_offset INTEGER NOT NULL, stopped INTEGER NOT NULL,"
                    " reason TEXT NOT NULL, task INTEGER NOT NULL);"
                    "CREATE VIEW task_metrics AS"
                    " SELECT m.seq, t.id AS task_id, m.attempt, m.name, m.step, m.value,"
                    " strftime('%Y-%m-%d %H:%M:%f', m.time_us / 1e6, 'unixepoch') AS time_utc"
                    " FROM metrics m JOIN tasks t ON t.idx = m.task;"
                    "PRAGMA user_version=7; COMMIT;",
                    6);
}

// A journal created before a state was added (held) lacks its row in `states`, which the
// views join: add the missing names (no schema version of its own: readers ignore the rows).
Status AddMissingStateNames(SqliteDb& db) {
  ALLOT_ASSIGN_OR_RETURN(int64_t names, db.QueryInt("SELECT COUNT(*) FROM states"));
  if (names >= kTaskStateCount || sqlite3_db_readonly(db.get(), "main") == 1) return Status::Ok();
  std::string sql = "BEGIN IMMEDIATE;";
  for (int i = 0; i < kTaskStateCount; ++i) {
    sql += "INSERT OR IGNORE INTO states VALUES(" + std::to_string(i) + ",'" +
           std::string(TaskStateName(static_cast<TaskState>(i))) + "');";
  }
  sql += "COMMIT;";
  Status s = db.Exec(sql.c_str(), "adding state names to the journal");
  if (!s.ok() && db.InTransaction()) (void)db.Exec("ROLLBACK", "adding state names");
  return s;
}

}  // namespace

Result<bool> HasTaskBriefColumns(SqliteDb& db) {
  ALLOT_ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  return version >= 3;
}

Result<std::string> SelectEventsFor(SqliteDb& db, std::string sql) {
  ALLOT_ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  struct Added {
    const char* column;
    int64_t since;
  };
  for (const Added& a : {Added{"checkpoint", 4}, Added{"outputs", 5}, Added{"result", 6},
                         Added{"slurm_job", 8}}) {
    if (version >= a.since) continue;
    for (const std::string prefix : {"e.", ", "}) {
      const std::string name = prefix + a.column;
      if (size_t at = sql.find(name); at != std::string::npos) {
        sql.replace(at, name.size(), prefix == "e." ? "NULL" : ", NULL");
        break;
      }
    }
  }
  return sql;
}

Status CheckJournalSchema(SqliteDb& db, SchemaMode mode) {
  // The first read of the file; a file that is not SQLite fails here with NOTADB.
  ALLOT_ASSIGN_OR_RETURN(int64_t app_id, db.QueryInt("PRAGMA application_id"));
  ALLOT_ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  ALLOT_ASSIGN_OR_RETURN(int64_t objects, db.QueryInt("SELECT COUNT(*) FROM sqlite_master"));
  if (app_id == kJournalApplicationId) {
    if (version > kJournalSchemaVersion) {
      return Status::FailedPrecondition(
          db.path() + ": journal schema version " + std::to_string(version) +
          " was written by a newer Allot (this one reads up to version " +
          std::to_string(kJournalSchemaVersion) + ")");
    }
    if (version < 1) return Status::Corruption(db.path() + ": journal has no schema version");
    // A read-only journal of version 2 to 6 is read as it is (HasTaskBriefColumns,
    // SelectEventsFor); version 1 has no view of its events until upgraded.
    const bool read_only = sqlite3_db_readonly(db.get(), "main") == 1;
    if (version == 1) ALLOT_RETURN_IF_ERROR(UpgradeFromVersion1(db));
    if (version <= 2 && !(version == 2 && read_only)) {
      ALLOT_RETURN_IF_ERROR(UpgradeFromVersion2(db));
    }
    if (version <= 3 && !(version >= 2 && read_only)) {
      ALLOT_RETURN_IF_ERROR(UpgradeFromVersion3(db));
    }
    if (version <= 4 && !(version >= 2 && read_only)) {
      ALLOT_RETURN_IF_ERROR(UpgradeFromVersion4(db));
    }
    if (version <= 5 && !(version >= 2 && read_only)) {
      ALLOT_RETURN_IF_ERROR(UpgradeFromVersion5(db));
    }
    if (version <= 6 && !(version >= 2 && read_only)) {
      ALLOT_RETURN_IF_ERROR(UpgradeFromVersion6(db));
    }
    if (version <= 7 && !(version >= 2 && read_only)) {
      ALLOT_RETURN_IF_ERROR(UpgradeFromVersion7(db));
    }
    return AddMissingStateNames(db);
  }
  if (app_id == 0 && version == 0 && objects == 0) {
    if (mode == SchemaMode::kCreateIfEmpty) return CreateSchema(db);
    return Status::InvalidArgument(db.path() + ": not an Allot journal (the file is empty)");
  }
  return Status::InvalidArgument(db.path() +
                                 ": not an Allot journal (an SQLite database of another kind)");
}

}  // namespace allot
