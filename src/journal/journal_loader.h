// Reading a whole journal database into JournalContents, or into a RecoveryConsumer, checking
// it as it goes.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "journal/journal_store.h"
#include "journal/sqlite_db.h"

namespace allot {

// Opens another read-only connection to the same journal file.
using JournalReaderFactory = std::function<Result<SqliteDb>()>;

// Reads every committed row of `db` in one read transaction. Corruption naming the file when
// indices are not dense, an event names an unknown task, or a value is out of range.
// REQUIRES: `db` holds a checked journal schema and has no transaction open.
Result<JournalContents> LoadJournal(SqliteDb& db);

// JournalStore::LoadForRecovery over `db`: the tasks without their specs, which of them
// finished (a light pass over the events), then the specs of the unfinished ones (and of rows
// from before schema version 3), to consumer->OnTasks; meanwhile a second connection from
// `open_reader` reads the events of the same committed state, which go to consumer->OnEvents
// in chunks as they come (EventChunks). A journal without the brief columns (version 2,
// read-only) is read by LoadJournal.
// Errors as LoadJournal, or the consumer's. REQUIRES: as LoadJournal.
// What it read goes to `leftovers` (freeing a million tasks' worth takes a while; the caller
// may do it off the critical path).
struct LoadLeftovers {
  // Shared with the consumer, which may keep it (RecoveryConsumer::OnTaskBlock).
  std::shared_ptr<std::vector<Submission>> submissions = std::make_shared<std::vector<Submission>>();
  std::vector<std::vector<TaskEvent>> event_chunks;
};
Status LoadJournalForRecovery(SqliteDb& db, const JournalReaderFactory& open_reader,
                              RecoveryConsumer* consumer, LoadLeftovers* leftovers);

}  // namespace allot
