// Randomized: SqliteJournal driven side by side with MemoryJournal (the naive model), with
// crashes, invalid appends and commits mixed in; both must answer and load the same. The seed
// is printed; ALLOT_TEST_SEED=<n> reproduces a run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "journal/journal_backends_testing.h"

namespace allot {
namespace {

using journal_testing::EndEvent;
using journal_testing::MemoryBackend;
using journal_testing::PlainSubmission;
using journal_testing::RichSubmission;
using journal_testing::SameSubmissions;
using journal_testing::SqliteBackend;
using journal_testing::StartEvent;

uint64_t Seed() {
  if (const char* s = std::getenv("ALLOT_TEST_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

TEST(JournalModelTest, SqliteMatchesMemoryUnderRandomOperations) {
  const uint64_t seed = Seed();
  SCOPED_TRACE("ALLOT_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto roll = [&](int n) { return static_cast<int>(rng() % n); };

  MemoryBackend model;
  SqliteBackend real;
  TaskIndex next = 0;  // the index the next valid submission has
  int id_counter = 0;

  for (int step = 0; step < 400; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    Status want, got;
    switch (roll(10)) {
      case 0:
      case 1:
      case 2: {  // submissions, sometimes with a bad index or a reused id
        std::vector<Submission> subs;
        int n = 1 + roll(3);
        for (int i = 0; i < n; ++i) {
          TaskIndex index = next + i + (roll(20) == 0 ? 1 : 0);
          std::string id = roll(20) == 0 && id_counter > 0 ? "t" + std::to_string(roll(id_counter))
                                                           : "t" + std::to_string(id_counter++);
          subs.push_back(roll(2) ? RichSubmission(index, id) : PlainSubmission(index, id));
        }
        want = model.journal().AppendSubmissions(subs);
        got = real.journal().AppendSubmissions(subs);
        break;
      }
      case 3:
      case 4:
      case 5: {  // events, sometimes naming a task not submitted
        std::vector<TaskEvent> events;
        int n = 1 + roll(3);
        for (int i = 0; i < n; ++i) {
          TaskIndex task = static_cast<TaskIndex>(roll(static_cast<int>(next) + 2));
          events.push_back(
              roll(2) ? StartEvent(task, 1 + roll(3), step)
                      : EndEvent(task, 1 + roll(3), step, TaskState::kFailed, roll(3) - 1));
        }
        want = model.journal().AppendEvents(events);
        got = real.journal().AppendEvents(events);
        break;
      }
      case 6: {
        std::string key = "k" + std::to_string(roll(4));
        want = model.journal().PutMeta(key, std::to_string(step));
        got = real.journal().PutMeta(key, std::to_string(step));
        break;
      }
      case 7:
      case 8:
        want = model.journal().Commit();
        got = real.journal().Commit();
        break;
      case 9:
        model.CrashAndReopen();
        real.CrashAndReopen();
        break;
    }
    ASSERT_EQ(want.code(), got.code()) << want.ToString() << " vs " << got.ToString();
    Result<JournalContents> m = model.journal().Load();
    Result<JournalContents> r = real.journal().Load();
    ASSERT_TRUE(m.ok() && r.ok()) << r.status().ToString();
    ASSERT_TRUE(SameSubmissions(r->submissions, m->submissions));
    ASSERT_EQ(r->events, m->events);
    ASSERT_EQ(r->meta, m->meta);
    // After a discard or a crash, indices resume from what the model holds.
    next = model.memory().next_task_index();
  }
}

}  // namespace
}  // namespace allot
