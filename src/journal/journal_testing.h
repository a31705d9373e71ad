// Test helpers for the journal layer's tests: a scratch directory and sample records.
// Header-only; included by *_test.cc and *_itest.cc only.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "journal/journal_store.h"
#include "model/task_spec_json.h"

namespace allot::journal_testing {

// A fresh directory under the test temp dir, removed with everything in it when dropped.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string pattern = ::testing::TempDir() + "allot-journal-XXXXXX";
    char* dir = mkdtemp(pattern.data());
    EXPECT_NE(dir, nullptr) << "mkdtemp " << pattern;
    path_ = pattern;
  }
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Submission::operator== is unusable while SourceLocation has no operator==; the JSON form is
// lossless (task_spec_json.h), so equal documents mean equal specs.
inline ::testing::AssertionResult SameSubmissions(const std::vector<Submission>& a,
                                                  const std::vector<Submission>& b) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure() << a.size() << " vs " << b.size() << " submissions";
  }
  for (size_t i = 0; i < a.size(); ++i) {
    nlohmann::json ja = TaskSpecToJson(a[i].spec);
    nlohmann::json jb = TaskSpecToJson(b[i].spec);
    if (a[i].index != b[i].index || a[i].initial_state != b[i].initial_state ||
        a[i].wall_time_us != b[i].wall_time_us || ja != jb ||
        a[i].spec.origin.file != b[i].spec.origin.file ||
        a[i].spec.origin.line != b[i].spec.origin.line) {
      return ::testing::AssertionFailure()
             << "submission " << i << " differs:\n  " << a[i].index << " "
             << static_cast<int>(a[i].initial_state) << " " << a[i].wall_time_us << " " << ja.dump()
             << "\n  " << b[i].index << " " << static_cast<int>(b[i].initial_state) << " "
             << b[i].wall_time_us << " " << jb.dump();
    }
  }
  return ::testing::AssertionSuccess();
}

// A submission with most TaskSpec fields set to non-default values.
inline Submission RichSubmission(TaskIndex index, const std::string& id) {
  Submission s;
  s.index = index;
  s.initial_state = index % 2 == 0 ? TaskState::kReady : TaskState::kWaiting;
  s.wall_time_us = 1'700'000'000'000'000 + index;
  TaskSpec& t = s.spec;
  t.id = id;
  t.command = "geant4 --energy 5 --seed " + std::to_string(index) + " 'quoted arg'";
  t.resources.cores = {2, 8};
  t.resources.memory_bytes = int64_t{3} << 30;
  t.resources.gpus = 1;
  t.resources.custom = {{"licenses", 2}};
  t.time_limit = std::chrono::seconds(5400);
  t.time_estimate = std::chrono::milliseconds(1500);
  t.grace_period = std::chrono::seconds(30);
  t.priority = -3;
  t.max_retries = 2;
  t.retry_backoff = {std::chrono::seconds(5), 3.0, std::chrono::minutes(2)};
  t.env = {{"Z", "1"}, {"A", "x=y \"quoted\""}};
  t.tags = {{"project", "epic"}, {"scenario", "b\xc3\xa9ta"}};
  t.workdir = "/scratch/runs/" + id;
  t.depends_on = {"prep", "calib"};
  if (index % 2 == 1) {
    t.checkpoint = CheckpointSpec{.signal = 10, .grace = std::chrono::seconds(90),
                                  .every = std::chrono::minutes(10), .files = {"state.bin", "*.h5"},
                                  .exit_code = 85, .keep = 3, .dir = "/shared/ckpt"};
  }
  t.origin = {"tasks.yaml", 12};
  return s;
}

// A submission with a default spec but the id.
inline Submission PlainSubmission(TaskIndex index, const std::string& id) {
  Submission s;
  s.index = index;
  s.spec.id = id;
  s.spec.command = "true";
  s.wall_time_us = 1000 + index;
  return s;
}

inline TaskEvent StartEvent(TaskIndex task, uint32_t attempt, int64_t at_us) {
  TaskEvent e;
  e.task = task;
  e.attempt = attempt;
  e.from = TaskState::kReady;
  e.to = TaskState::kRunning;
  e.wall_time_us = at_us;
  e.cores = {0, 3, 17};
  e.gpus = {1};
  e.memory_bytes = int64_t{1} << 30;
  return e;
}

inline TaskEvent EndEvent(TaskIndex task, uint32_t attempt, int64_t at_us, TaskState to,
                          int exit_code) {
  TaskEvent e;
  e.task = task;
  e.attempt = attempt;
  e.from = TaskState::kRunning;
  e.to = to;
  e.wall_time_us = at_us;
  AttemptUsage& u = e.usage.emplace();
  u.exit_code = exit_code;
  u.wall = std::chrono::milliseconds(1500);
  u.user_cpu = std::chrono::milliseconds(1200);
  u.sys_cpu = std::chrono::milliseconds(100);
  u.max_rss_bytes = 123456789;
  u.read_bytes = 4096;
  u.write_bytes = 1 << 20;
  u.peak_cores = 1.25;
  if (exit_code != 0) e.reason = "exit code " + std::to_string(exit_code);
  return e;
}

// Runs SQL on `path` through a plain SQLite connection (what a user's sqlite3 shell does).
inline void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
  sqlite3_free(err);
  sqlite3_close(db);
}

// The first column of each row of `sql`, joined with '|' between columns and ';' after rows.
inline std::string RawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string out;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* t = sqlite3_column_text(stmt, i);
      if (i > 0) out += "|";
      out += t != nullptr ? reinterpret_cast<const char*>(t) : "NULL";
    }
    out += ";";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// A RecoveryConsumer that keeps everything it is handed, in the form Load returns.
class CollectingConsumer final : public RecoveryConsumer {
 public:
  Status OnTasks(std::span<Submission> submissions,
                 const std::vector<bool>& finished) override {
    ++task_calls;
    contents.submissions.assign(submissions.begin(), submissions.end());
    this->finished = finished;
    return Status::Ok();
  }
  Status OnEvents(std::span<const TaskEvent> events) override {
    ++event_chunks;
    contents.events.insert(contents.events.end(), events.begin(), events.end());
    return Status::Ok();
  }
  JournalContents contents;
  std::vector<bool> finished;
  int task_calls = 0;
  int event_chunks = 0;
};

// LoadForRecovery collected into JournalContents (without meta).
inline Result<JournalContents> CollectForRecovery(JournalStore& journal,
                                                  CollectingConsumer* consumer = nullptr) {
  CollectingConsumer own;
  CollectingConsumer* c = consumer != nullptr ? consumer : &own;
  ALLOT_RETURN_IF_ERROR(journal.LoadForRecovery(c));
  return c->contents;
}

}  // namespace allot::journal_testing
