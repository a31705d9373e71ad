// Reading a whole journal database into JournalContents, checking it as it goes.
#pragma once

#include "journal/journal_store.h"
#include "journal/sqlite_db.h"

namespace allot {

// Reads every committed row of `db` in one read transaction. Corruption naming the file when
// indices are not dense, an event names an unknown task, or a value is out of range.
// REQUIRES: `db` holds a checked journal schema and has no transaction open.
Result<JournalContents> LoadJournal(SqliteDb& db);

}  // namespace allot
