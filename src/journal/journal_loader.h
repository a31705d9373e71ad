// Reading a whole journal database into JournalContents, checking it as it goes.
#pragma once

#include <functional>

#include "journal/journal_store.h"
#include "journal/sqlite_db.h"

namespace allot {

// How much of each task's spec LoadJournal decodes.
enum class LoadScope {
  kEverything,  // every spec (JournalStore::Load)
  // Specs of unfinished tasks only; a task that finished (its last event ends it for good)
  // comes as a brief Submission where its row has the brief columns (JournalStore::
  // LoadForRecovery). The events are read on a second connection, in parallel with the tasks.
  kRecovery,
};

// Opens another read-only connection to the same journal file.
using JournalReaderFactory = std::function<Result<SqliteDb>()>;

// Reads every committed row of `db` in one read transaction (with kRecovery, the second
// connection reads exactly the events that transaction sees). Corruption naming the file when
// indices are not dense, an event names an unknown task, or a value is out of range.
// REQUIRES: `db` holds a checked journal schema and has no transaction open; `open_reader` is
// set for kRecovery.
Result<JournalContents> LoadJournal(SqliteDb& db, LoadScope scope = LoadScope::kEverything,
                                    const JournalReaderFactory& open_reader = nullptr);

}  // namespace allot
