#include "core/autoalloc/allocation_planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const TimePoint kNow = TimePoint(Duration(std::chrono::hours(1000)));

AllocQueueConfig Queue() {
  AllocQueueConfig q;
  q.name = "short";
  q.time_limit = 1h;
  q.workers_per_alloc = 1;
  q.cores_per_worker = 4;
  q.max_workers = 8;
  q.max_pending = 2;
  return q;
}

std::vector<WaitingTask> Tasks(int n, int cores, Duration each, std::string queue = "") {
  return std::vector<WaitingTask>(n, WaitingTask{cores, 0, 0, each, std::move(queue)});
}

AllocSnapshot Running(std::string id, int workers, Duration left,
                      std::optional<Duration> idle = std::nullopt) {
  AllocSnapshot a;
  a.job_id = std::move(id);
  a.running = true;
  a.workers = workers;
  a.ends_at = kNow + left;
  if (idle) a.idle_since = kNow - *idle;
  return a;
}

AllocSnapshot Pending(std::string id, int workers) {
  AllocSnapshot a;
  a.job_id = std::move(id);
  a.workers = workers;
  return a;
}

TEST(AllocationPlannerTest, NothingWaitingSubmitsNothingAndSaysWhy) {
  AllocPlan p = PlanAllocations(kNow, Queue(), {}, {}, {}, false);
  EXPECT_EQ(p.submit, 0);
  EXPECT_EQ(p.reason, "not submitting: no task is waiting");
  std::vector<WaitingTask> huge(1, WaitingTask{1000, 0, 0, std::chrono::minutes(1), ""});
  p = PlanAllocations(kNow, Queue(), {}, huge, {}, false);
  EXPECT_THAT(p.reason, HasSubstr("not submitting: no waiting task fits it (not counted: 1 task "
                                  "larger than a worker"));
}

TEST(AllocationPlannerTest, WorkThatFitsGetsAsManyWorkersAsItsCoreHoursNeedWithinTheLimits) {
  // 40 tasks x 4 cores x 30 min = 80 core-hours; a worker gives 4 cores x 59 min.
  std::vector<WaitingTask> w = Tasks(40, 4, 30min);
  AllocPlan p = PlanAllocations(kNow, Queue(), {}, w, {}, false);
  EXPECT_EQ(p.submit, 2) << p.reason;  // max_pending 2
  EXPECT_THAT(p.reason, HasSubstr("submitting 2 allocations: 40 tasks waiting"));
  EXPECT_THAT(p.reason, HasSubstr("held back by the limits"));
}

TEST(AllocationPlannerTest, NeverMoreWorkersThanTheWorkCanFill) {
  std::vector<WaitingTask> w = Tasks(3, 1, 50min);  // 3 cores of work: one 4-core worker
  AllocPlan p = PlanAllocations(kNow, Queue(), {}, w, {}, false);
  EXPECT_EQ(p.submit, 1);
}

TEST(AllocationPlannerTest, PendingAllocationsCountAsComing) {
  std::vector<WaitingTask> w = Tasks(3, 1, 50min);
  std::vector<AllocSnapshot> a = {Pending("101", 1)};
  AllocPlan p = PlanAllocations(kNow, Queue(), a, w, {}, false);
  EXPECT_EQ(p.submit, 0);
  EXPECT_THAT(p.reason, HasSubstr("and 1 worker is there or coming already"));
}

TEST(AllocationPlannerTest, TasksThatCannotRunInAnAllocationAreNotCountedAndNamed) {
  std::vector<WaitingTask> w = Tasks(2, 1, 2h);            // longer than the allocation
  for (const WaitingTask& t : Tasks(1, 8, 1min)) w.push_back(t);  // larger than a worker
  for (const WaitingTask& t : Tasks(4, 1, 1min, "long")) w.push_back(t);
  AllocPlan p = PlanAllocations(kNow, Queue(), {}, w, {}, false);
  EXPECT_EQ(p.submit, 0);
  EXPECT_THAT(p.reason, HasSubstr("2 tasks longer than the 59m"));
  EXPECT_THAT(p.reason, HasSubstr("1 task larger than a worker (4 cores)"));
  EXPECT_THAT(p.reason, HasSubstr("4 tasks for other queues"));
}

TEST(AllocationPlannerTest, TheMaximumOfWorkersCountsRunningAndPendingOnes) {
  AllocQueueConfig q = Queue();
  q.max_workers = 3;
  q.max_pending = 10;
  std::vector<AllocSnapshot> a = {Running("1", 1, 50min), Running("2", 1, 50min)};
  AllocPlan p = PlanAllocations(kNow, q, a, Tasks(100, 4, 50min), {}, false);
  EXPECT_EQ(p.submit, 1);
}

TEST(AllocationPlannerTest, TheMinimumPoolIsKeptWithoutWork) {
  AllocQueueConfig q = Queue();
  q.min_workers = 2;
  AllocPlan p = PlanAllocations(kNow, q, {}, {}, {}, false);
  EXPECT_EQ(p.submit, 2);
  EXPECT_THAT(p.reason, HasSubstr("the pool has 0 workers of its minimum 2"));
}

TEST(AllocationPlannerTest, AReplacementIsSubmittedOnceBeforeAnAllocationEndsWhileWorkRemains) {
  std::vector<AllocSnapshot> a = {Running("7", 1, 4min)};  // replace_before: 6 min of 1h
  std::vector<WaitingTask> w = Tasks(1, 1, 1min);
  AllocPlan p = PlanAllocations(kNow, Queue(), a, w, {}, false);
  EXPECT_THAT(p.replacing, ElementsAre("7"));
  EXPECT_GE(p.submit, 1);
  EXPECT_THAT(p.reason, HasSubstr("replacing 7, which ends in 4m"));
  a[0].replaced = true;
  EXPECT_THAT(PlanAllocations(kNow, Queue(), a, w, {}, false).replacing, IsEmpty());
  a[0].replaced = false;
  EXPECT_THAT(PlanAllocations(kNow, Queue(), a, {}, {}, false).replacing, IsEmpty())
      << "no work, no replacement";
}

TEST(AllocationPlannerTest, AReplacementTakesTheSlotOfTheAllocationItReplacesAtTheLimit) {
  AllocQueueConfig q = Queue();
  q.max_workers = 2;
  std::vector<AllocSnapshot> a = {Running("7", 1, 4min), Running("8", 1, 50min)};
  std::vector<WaitingTask> w = Tasks(1, 1, 1min);
  AllocPlan p = PlanAllocations(kNow, q, a, w, {}, false);
  EXPECT_THAT(p.replacing, ElementsAre("7"));
  EXPECT_EQ(p.submit, 1) << p.reason;  // 8 is not about to end: no room for more
  // Pending allocations still count: at max_pending, no replacement.
  q.max_pending = 1;
  a.push_back(Pending("9", 1));
  q.max_workers = 3;
  p = PlanAllocations(kNow, q, a, w, {}, false);
  EXPECT_THAT(p.replacing, IsEmpty());
  EXPECT_THAT(p.reason, HasSubstr("no room to replace 7 before it ends"));
}

TEST(AllocationPlannerTest, IdleAllocationsAreReleasedAfterTheTimeoutButNotBelowTheMinimum) {
  AllocQueueConfig q = Queue();
  q.min_workers = 2;
  std::vector<AllocSnapshot> a = {Running("1", 1, 50min, 6min), Running("2", 1, 50min, 6min),
                                  Running("3", 1, 50min, 1min)};  // "3": idle 1 min only
  AllocPlan p = PlanAllocations(kNow, q, a, {}, {}, false);
  // 3 workers, minimum 2: releasing "1" leaves 2; releasing "2" too would leave 1.
  EXPECT_THAT(p.release, ElementsAre("1"));
  EXPECT_THAT(p.reason, HasSubstr("releasing 1 idle for 5m00s or more"));
  q.min_workers = 0;
  EXPECT_THAT(PlanAllocations(kNow, q, a, {}, {}, false).release, ElementsAre("1", "2"));
}

TEST(AllocationPlannerTest, NothingIsReleasedWhileCountedWorkWaits) {
  std::vector<AllocSnapshot> a = {Running("1", 1, 50min, 10min)};
  AllocPlan p = PlanAllocations(kNow, Queue(), a, Tasks(1, 1, 1min), {}, false);
  EXPECT_THAT(p.release, IsEmpty());
}

TEST(AllocationPlannerTest, FailuresBackOffExponentiallyThenPauseTheQueue) {
  std::vector<WaitingTask> w = Tasks(4, 4, 30min);
  SubmitFailures f{2, kNow - 30s, "sbatch: error: invalid partition"};
  AllocPlan p = PlanAllocations(kNow, Queue(), {}, w, f, false);  // waits 60 s after the 2nd
  EXPECT_EQ(p.submit, 0);
  EXPECT_THAT(p.reason, HasSubstr("backing off for 30s after 2 failed submissions"));
  f.last = kNow - 61s;
  EXPECT_GT(PlanAllocations(kNow, Queue(), {}, w, f, false).submit, 0);
  f.consecutive = 5;
  p = PlanAllocations(kNow, Queue(), {}, w, f, false);
  EXPECT_TRUE(p.paused);
  EXPECT_EQ(p.submit, 0);
  EXPECT_THAT(p.reason, HasSubstr("paused after 5 failed submissions in a row"));
}

TEST(AllocationPlannerTest, APausedQueueSubmitsNothingButStillReleasesIdleAllocations) {
  std::vector<AllocSnapshot> a = {Running("9", 1, 50min, 10min)};
  AllocPlan p = PlanAllocations(kNow, Queue(), a, {}, {}, true);
  EXPECT_EQ(p.submit, 0);
  EXPECT_THAT(p.release, ElementsAre("9"));
  EXPECT_THAT(p.reason, HasSubstr("paused (allot alloc resume short)"));
}

TEST(AllocationPlannerTest, MinUtilizationHoldsBackAllocationsTheWorkWouldLeaveMostlyIdle) {
  AllocQueueConfig q = Queue();
  q.min_utilization = 0.5;
  AllocPlan p = PlanAllocations(kNow, q, {}, Tasks(1, 1, 5min), {}, false);
  EXPECT_EQ(p.submit, 0);
  EXPECT_THAT(p.reason, HasSubstr("only 2% busy (--min-utilization 50%)"));
}

}  // namespace
}  // namespace allot
