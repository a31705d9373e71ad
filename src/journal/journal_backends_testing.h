// The JournalStore backends the contract suite runs against, each able to "crash and reopen".
// Header-only; for tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "journal/journal_testing.h"
#include "journal/memory_journal.h"
#include "journal/sqlite_journal.h"

namespace allot::journal_testing {

class MemoryBackend {
 public:
  JournalStore& journal() { return journal_; }
  MemoryJournal& memory() { return journal_; }
  // Loses the open batch the way a crash does, and opens the journal again.
  void CrashAndReopen() { journal_.DropUncommitted(); }

 private:
  MemoryJournal journal_;
};

class SqliteBackend {
 public:
  SqliteBackend() : path_(dir_.File("journal.db")) { Reopen({.create_new = true}); }
  JournalStore& journal() { return *journal_; }
  // Closing a connection with an open transaction loses it as a crash would (the kill -9 case
  // is tested in sqlite_journal_itest.cc).
  void CrashAndReopen() {
    journal_.reset();
    Reopen({.must_exist = true});
  }

 private:
  void Reopen(const SqliteJournalOptions& options) {
    auto opened = SqliteJournal::Open(path_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    journal_ = std::move(opened).value();
  }

  ScopedTempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteJournal> journal_;
};

}  // namespace allot::journal_testing
