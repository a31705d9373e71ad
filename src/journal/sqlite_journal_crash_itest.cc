// Kill-and-reopen recovery and a full disk, with real processes: a child writes the journal
// and is SIGKILLed (or hits a file-size limit); the parent reopens and checks that exactly the
// committed batches are there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "journal/journal_testing.h"
#include "journal/sqlite_journal.h"

namespace allot {
namespace {

using journal_testing::EndEvent;
using journal_testing::PlainSubmission;
using journal_testing::RichSubmission;
using journal_testing::ScopedTempDir;
using journal_testing::StartEvent;

constexpr int kTasksPerBatch = 10;

// Batch b: tasks [b*10, b*10+10) submitted and each started.
Status AppendBatch(SqliteJournal& j, int b) {
  std::vector<Submission> subs;
  std::vector<TaskEvent> events;
  for (int i = 0; i < kTasksPerBatch; ++i) {
    TaskIndex index = static_cast<TaskIndex>(b * kTasksPerBatch + i);
    subs.push_back(RichSubmission(index, "batch" + std::to_string(b) + "-" + std::to_string(i)));
    events.push_back(StartEvent(index, 1, b));
  }
  ALLOT_RETURN_IF_ERROR(j.AppendSubmissions(subs));
  return j.AppendEvents(events);
}

// Tells the parent how far the child got; one byte per message.
void Tell(int fd, char what) {
  if (write(fd, &what, 1) != 1) _exit(90);
}

// Reads the child's messages until `what` arrives; false when the child went away first.
bool WaitFor(int fd, char what) {
  char c;
  while (read(fd, &c, 1) == 1) {
    if (c == what) return true;
  }
  return false;
}

class SqliteJournalCrashTest : public ::testing::TestWithParam<JournalDurability> {
 protected:
  // Forks a child that runs `body(write_fd)` and then _exits 0; returns its pid and the
  // parent's read end.
  template <typename Body>
  pid_t Fork(Body body, int* read_fd) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      body(fds[1]);
      _exit(0);
    }
    close(fds[1]);
    *read_fd = fds[0];
    return pid;
  }

  std::unique_ptr<SqliteJournal> Reopen() {
    auto j = SqliteJournal::Open(path_, {.must_exist = true, .durability = GetParam()});
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? std::move(j).value() : nullptr;
  }

  // The journal holds batches 0..n-1 exactly.
  void ExpectExactlyBatches(SqliteJournal& j, int n) {
    Result<JournalContents> c = j.Load();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_EQ(c->submissions.size(), static_cast<size_t>(n * kTasksPerBatch));
    ASSERT_EQ(c->events.size(), static_cast<size_t>(n * kTasksPerBatch));
    for (int b = 0; b < n; ++b) {
      EXPECT_EQ(c->submissions[b * kTasksPerBatch].spec.id, "batch" + std::to_string(b) + "-0");
      EXPECT_EQ(c->events[b * kTasksPerBatch].wall_time_us, b);
    }
    if (!j.read_only()) {
      EXPECT_EQ(j.next_task_index(), static_cast<TaskIndex>(n * kTasksPerBatch));
    }
  }

  ScopedTempDir dir_;
  std::string path_ = dir_.File("journal.db");
};

TEST_P(SqliteJournalCrashTest, KilledWriterKeepsExactlyItsCommittedBatches) {
  constexpr int kCommitted = 7;
  int from_child;
  pid_t child = Fork(
      [&](int to_parent) {
        auto j = SqliteJournal::Open(path_, {.create_new = true, .durability = GetParam()});
        if (!j.ok()) _exit(10);
        for (int b = 0; b < kCommitted; ++b) {
          if (!AppendBatch(**j, b).ok() || !(*j)->Commit().ok()) _exit(11);
        }
        if (!AppendBatch(**j, kCommitted).ok()) _exit(12);
        Tell(to_parent, 'u');  // committed 7, batch 8 open
        // Keep the batch growing, far past the page cache, so SQLite spills uncommitted pages
        // into the WAL, until the parent kills us mid-append.
        for (int64_t n = 0;; ++n) {
          TaskEvent e = EndEvent(static_cast<TaskIndex>(n % (kCommitted * kTasksPerBatch)), 1, n,
                                 TaskState::kFailed, 1);
          e.reason = std::string(200, 'r');
          if (!(*j)->AppendEvents(std::vector{e}).ok()) _exit(13);
          if (n == 150'000) Tell(to_parent, 's');  // ~40 MB appended: spilled by now
        }
      },
      &from_child);
  ASSERT_TRUE(WaitFor(from_child, 's')) << "child failed before the kill";
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exit " << WEXITSTATUS(status);
  close(from_child);

  // `allot status` first: a reader recovers the WAL index without a writer.
  auto reader = SqliteJournal::OpenReadOnly(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ExpectExactlyBatches(**reader, kCommitted);
  reader->reset();

  auto j = Reopen();
  ASSERT_NE(j, nullptr);
  ExpectExactlyBatches(*j, kCommitted);
  // And the journal goes on from there.
  ASSERT_TRUE(AppendBatch(*j, kCommitted).ok());
  ASSERT_TRUE(j->Commit().ok());
  j = Reopen();
  ExpectExactlyBatches(*j, kCommitted + 1);
}

TEST_P(SqliteJournalCrashTest, ReaderSeesCommittedBatchesOfAWriterInAnotherProcess) {
  int from_child;
  int to_child[2];
  ASSERT_EQ(pipe(to_child), 0);
  pid_t child = Fork(
      [&](int to_parent) {
        close(to_child[1]);  // so that the parent's close is our EOF
        auto j = SqliteJournal::Open(path_, {.create_new = true, .durability = GetParam()});
        if (!j.ok()) _exit(10);
        for (int b = 0; b < 3; ++b) {
          if (!AppendBatch(**j, b).ok() || !(*j)->Commit().ok()) _exit(11);
        }
        if (!AppendBatch(**j, 3).ok()) _exit(12);
        Tell(to_parent, 'u');
        char c;
        (void)read(to_child[0], &c, 1);  // hold the open batch until the parent has read
        _exit(0);
      },
      &from_child);
  ASSERT_TRUE(WaitFor(from_child, 'u'));
  auto reader = SqliteJournal::OpenReadOnly(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ExpectExactlyBatches(**reader, 3);
  close(to_child[1]);
  close(to_child[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(from_child);
}

// A file-size limit (RLIMIT_FSIZE) makes the WAL write of a commit fail as a full disk does.
TEST_P(SqliteJournalCrashTest, CommitThatCannotBeWrittenDiscardsItsBatchOnly) {
  int from_child;
  pid_t child = Fork(
      [&](int to_parent) {
        auto j = SqliteJournal::Open(path_, {.create_new = true, .durability = GetParam()});
        if (!j.ok()) _exit(10);
        if (!AppendBatch(**j, 0).ok() || !(*j)->Commit().ok()) _exit(11);
        struct stat wal;
        if (stat((path_ + "-wal").c_str(), &wal) != 0) _exit(12);
        signal(SIGXFSZ, SIG_IGN);
        rlimit old_limit;
        getrlimit(RLIMIT_FSIZE, &old_limit);
        rlimit small = old_limit;
        small.rlim_cur = static_cast<rlim_t>(wal.st_size) + 16 * 1024;
        setrlimit(RLIMIT_FSIZE, &small);
        // ~2 MB: more than the limit allows the WAL to grow.
        for (int b = 1; b < 60; ++b) {
          if (!AppendBatch(**j, b).ok()) _exit(13);  // the cache holds it all until Commit
        }
        Status failed = (*j)->Commit();
        if (failed.ok()) _exit(14);
        if (failed.code() != StatusCode::kIoError) _exit(15);
        if (failed.message().find(path_) == std::string::npos) _exit(16);
        setrlimit(RLIMIT_FSIZE, &old_limit);
        // The next batch continues after batch 0.
        if ((*j)->next_task_index() != kTasksPerBatch) _exit(17);
        if (!AppendBatch(**j, 1).ok() || !(*j)->Commit().ok()) _exit(18);
        Tell(to_parent, 'd');
      },
      &from_child);
  EXPECT_TRUE(WaitFor(from_child, 'd'));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "see the _exit codes in the child";
  close(from_child);
  auto j = Reopen();
  ASSERT_NE(j, nullptr);
  ExpectExactlyBatches(*j, 2);
}

INSTANTIATE_TEST_SUITE_P(Durability, SqliteJournalCrashTest,
                         ::testing::Values(JournalDurability::kNormal, JournalDurability::kFull),
                         [](const auto& info) {
                           return std::string(JournalDurabilityName(info.param));
                         });

}  // namespace
}  // namespace allot
