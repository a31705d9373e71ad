#include "core/attempt_outcome.h"

#include <gtest/gtest.h>

#include "testing/task_builder.h"

namespace allot {
namespace {

AttemptUsage Exit(int code) {
  AttemptUsage u;
  u.exit_code = code;
  return u;
}

constexpr int64_t kMiB = int64_t{1} << 20;

TEST(AttemptOutcomeTest, ExitZeroSucceeds) {
  TaskRecord rec;
  rec.attempts = 1;
  EXPECT_EQ(DecideOutcome(TaskBuilder("a"), rec, Exit(0), "", 0, 0).kind,
            OutcomeKind::kSucceed);
}

TEST(AttemptOutcomeTest, ALaunchErrorOrATimeLimitIsNeverASuccess) {
  TaskRecord rec;
  rec.attempts = 1;
  AttemptOutcome launch = DecideOutcome(TaskBuilder("a"), rec, Exit(0), "could not start: x", 0, 0);
  EXPECT_EQ(launch.kind, OutcomeKind::kFail);
  EXPECT_EQ(launch.reason, "could not start: x");
  AttemptUsage timed = Exit(0);
  timed.timed_out = true;
  EXPECT_EQ(DecideOutcome(TaskBuilder("a"), rec, timed, "", 0, 0).reason,
            "exceeded its time limit");
}

TEST(AttemptOutcomeTest, ExitZeroWithoutItsDeclaredOutputsIsAFailureOfItsOwn) {
  TaskRecord rec;
  rec.attempts = 1;
  AttemptUsage u = Exit(0);
  u.output_error = "declared output 'out.h5' is missing (nothing matches /runs/out.h5)";
  AttemptOutcome retried = DecideOutcome(TaskBuilder("a").Retries(1), rec, u, "", 0, 0);
  EXPECT_EQ(retried.kind, OutcomeKind::kRetry);
  EXPECT_EQ(retried.reason.rfind(u.output_error + "; retry 1 of 1", 0), 0u) << retried.reason;
  AttemptOutcome failed = DecideOutcome(TaskBuilder("a"), rec, u, "", 0, 0);
  EXPECT_EQ(failed.kind, OutcomeKind::kFail);
  EXPECT_EQ(failed.reason, u.output_error);
}

TEST(AttemptOutcomeTest, ACommandTheShellCannotRunIsNotRetried) {
  TaskRecord rec;
  rec.attempts = 1;
  AttemptOutcome missing = DecideOutcome(TaskBuilder("a").Retries(3), rec, Exit(127), "", 0, 0);
  EXPECT_EQ(missing.kind, OutcomeKind::kFail);
  EXPECT_EQ(missing.reason, "exit code 127 (command not found; not retried)");
  AttemptOutcome denied = DecideOutcome(TaskBuilder("a").Retries(3), rec, Exit(126), "", 0, 0);
  EXPECT_EQ(denied.kind, OutcomeKind::kFail);
  EXPECT_EQ(denied.reason, "exit code 126 (command not executable; not retried)");
  EXPECT_EQ(DecideOutcome(TaskBuilder("a").Retries(3), rec, Exit(125), "", 0, 0).kind,
            OutcomeKind::kRetry);
}

TEST(AttemptOutcomeTest, ACommandTheShellCannotRunIsExplainedByItsStderrTail) {
  TaskRecord rec;
  rec.attempts = 1;
  AttemptUsage missing = Exit(127);
  missing.stderr_tail = "sh: 1: examples/demo/simulate.sh: not found";
  AttemptOutcome out = DecideOutcome(TaskBuilder("a").Retries(3), rec, missing, "", 0, 0);
  EXPECT_EQ(out.kind, OutcomeKind::kFail);
  EXPECT_EQ(out.reason, "exit code 127: sh: 1: examples/demo/simulate.sh: not found (not retried)");
  EXPECT_EQ(DescribeExit(missing), "exit code 127: sh: 1: examples/demo/simulate.sh: not found");
}

TEST(AttemptOutcomeTest, RetriesCountOnlyTheTasksOwnFailures) {
  TaskSpec spec = TaskBuilder("a").Retries(2, std::chrono::seconds(10));
  TaskRecord rec;
  rec.attempts = 3;
  rec.crashes = 1;  // lost once: not its fault
  AttemptOutcome second = DecideOutcome(spec, rec, Exit(1), "", 0, 0);
  EXPECT_EQ(second.kind, OutcomeKind::kRetry);
  EXPECT_EQ(second.delay, std::chrono::seconds(20));
  EXPECT_EQ(second.reason, "exit code 1; retry 2 of 2 in 20s");
  rec.attempts = 4;
  AttemptOutcome done = DecideOutcome(spec, rec, Exit(1), "", 0, 0);
  EXPECT_EQ(done.kind, OutcomeKind::kFail);
  EXPECT_EQ(done.reason, "exit code 1 (after 4 attempts)");
}

TEST(AttemptOutcomeTest, AMemoryKillGrowsOnlyWithMemoryMaxAndUpToTheCap) {
  AttemptUsage oom = Exit(-1);
  oom.term_signal = 9;
  oom.memory_exceeded = true;
  oom.max_rss_bytes = 120 * kMiB;
  TaskRecord rec;
  rec.attempts = 1;
  AttemptOutcome fixed = DecideOutcome(TaskBuilder("a").Memory(100 * kMiB), rec, oom, "",
                                       100 * kMiB, 1024 * kMiB);
  EXPECT_EQ(fixed.kind, OutcomeKind::kFail);
  EXPECT_NE(fixed.reason.find("killed at its memory limit"), std::string::npos);
  TaskSpec grows = TaskBuilder("a").Memory(100 * kMiB).MemoryMax(1024 * kMiB);
  AttemptOutcome more = DecideOutcome(grows, rec, oom, "", 100 * kMiB, 1024 * kMiB);
  EXPECT_EQ(more.kind, OutcomeKind::kGrowMemory);
  EXPECT_EQ(more.memory_bytes, 256 * kMiB);  // 2 x 100 MiB, rounded up to 64 MiB
  AttemptOutcome capped = DecideOutcome(grows, rec, oom, "", 1024 * kMiB, 1024 * kMiB);
  EXPECT_EQ(capped.kind, OutcomeKind::kFail);
  EXPECT_NE(capped.reason.find("memory_max 1 GiB reached"), std::string::npos) << capped.reason;
}

}  // namespace
}  // namespace allot
