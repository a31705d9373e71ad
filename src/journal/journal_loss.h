// Whether a journal lost committed records, checked when it is opened: SqliteJournal refuses
// to write to such a journal unless told to accept the loss, and readers (allot status) warn.
//
// Two witnesses, both kept outside what a lost write-ahead log can take away:
//  1. the CommitRecord beside the journal (commit_record.h): exact counts of what was
//     committed; a journal holding less has lost that much;
//  2. journal_info "writer", set in the main file (checkpointed) while a writer has the journal
//     open and removed when it closes cleanly: a journal whose writer did not close it, found
//     without its -wal, has lost the commits made after its last checkpoint; how many is
//     known only from the record, which a copy of the main file alone leaves behind.
// Thread-compatible functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "journal/commit_record.h"
#include "journal/sqlite_db.h"

namespace allot {

// What is beside the journal file before SQLite opens it (opening creates a -wal).
struct JournalSurroundings {
  bool wal_present = false;
  std::optional<CommittedCounts> record;
};
Result<JournalSurroundings> InspectSurroundings(const std::string& journal_path);

// What the journal holds, read in one transaction.
struct JournalHolds {
  std::string journal_id;  // "" before the first commit of a writer of this version
  std::string writer;      // the open writer's "pid N on HOST since TIME"; "" when closed cleanly
  int64_t tasks = 0;
  int64_t last_seq = 0;
};
Result<JournalHolds> ReadHolds(SqliteDb& db);

// "" when nothing is known to be lost; else a description naming the journal file and how many
// events and task submissions are missing (or that the number is unknown).
std::string DescribeJournalLoss(const std::string& journal_path, const JournalSurroundings& before,
                                const JournalHolds& holds);

}  // namespace allot
