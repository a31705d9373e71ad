#include "journal/journal_loss.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

namespace allot {

Result<JournalSurroundings> InspectSurroundings(const std::string& journal_path) {
  JournalSurroundings s;
  struct stat st;
  const std::string wal = journal_path + "-wal";
  if (stat(wal.c_str(), &st) == 0) {
    s.wal_present = true;
  } else if (errno != ENOENT) {
    return ErrnoStatus("cannot inspect " + wal, errno);
  }
  ALLOT_ASSIGN_OR_RETURN(s.record, CommitRecord::Read(CommitRecord::PathFor(journal_path)));
  return s;
}

Result<JournalHolds> ReadHolds(SqliteDb& db) {
  ALLOT_RETURN_IF_ERROR(db.Exec("BEGIN", "reading the journal"));
  JournalHolds h;
  auto read = [&]() -> Status {
    ALLOT_ASSIGN_OR_RETURN(
        int64_t has_info,
        db.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'journal_info'"));
    if (has_info) {  // journals of earlier builds have none until their next writer commits
      ALLOT_ASSIGN_OR_RETURN(
          h.journal_id, db.QueryText("SELECT value FROM journal_info WHERE key = 'journal_id'"));
      ALLOT_ASSIGN_OR_RETURN(h.writer,
                             db.QueryText("SELECT value FROM journal_info WHERE key = 'writer'"));
    }
    ALLOT_ASSIGN_OR_RETURN(h.tasks, db.QueryInt("SELECT COALESCE(MAX(idx) + 1, 0) FROM tasks"));
    ALLOT_ASSIGN_OR_RETURN(h.last_seq, db.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM events"));
    return Status::Ok();
  };
  Status s = read();
  Status end = db.Exec("COMMIT", "reading the journal");
  if (!s.ok()) return s;
  if (!end.ok()) return end;
  return h;
}

namespace {

std::string Plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string DescribeJournalLoss(const std::string& journal_path, const JournalSurroundings& before,
                                const JournalHolds& holds) {
  const std::string wal = journal_path + "-wal";
  // A record of another journal (a file copied over this one) says nothing about this one.
  const bool record_applies =
      before.record && (holds.journal_id.empty() || holds.journal_id == before.record->journal_id);
  if (record_applies) {
    const CommittedCounts& r = *before.record;
    const int64_t events = std::max<int64_t>(r.last_seq - holds.last_seq, 0);
    const int64_t tasks = std::max<int64_t>(r.tasks - holds.tasks, 0);
    if (events == 0 && tasks == 0) return "";
    return journal_path + ": " + Plural(events, "committed event", "committed events") + " and " +
           Plural(tasks, "task submission", "task submissions") +
           " are missing from the journal: it holds " + Plural(holds.tasks, "task", "tasks") +
           " and events up to seq " + std::to_string(holds.last_seq) + ", but " +
           CommitRecord::PathFor(journal_path) + " records " + Plural(r.tasks, "task", "tasks") +
           " and events up to seq " + std::to_string(r.last_seq) + " as committed; its " +
           "write-ahead log " + wal +
           (before.wal_present ? " is damaged or older than the journal's last commits"
                               : " was deleted, or the file was copied without it") +
           ". Going on from what the file holds would run finished tasks again";
  }
  if (!holds.writer.empty() && !before.wal_present) {
    return journal_path + ": the journal was not closed cleanly (its writer was " + holds.writer +
           ") and its write-ahead log " + wal +
           " is missing: what was committed after its last checkpoint is missing, how many "
           "events is unknown (" + CommitRecord::PathFor(journal_path) +
           " is not beside it). Going on from what the file holds may run finished tasks again";
  }
  return "";
}

}  // namespace allot
