// PriorityBackfillPolicy on hand-made snapshots: the policy alone, without the Scheduler.
#include "core/policy/priority_backfill_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "testing/task_builder.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

MATCHER_P2(Chose, task, cores, "") { return arg.task == task && arg.cores == cores; }

class PolicyTest : public ::testing::Test {
 protected:
  TaskIndex Add(TaskSpec spec) {
    TaskIndex t = static_cast<TaskIndex>(specs_.size());
    ready_.Push(t, spec.priority);
    specs_.push_back(std::move(spec));
    return t;
  }
  void Running(int cores, std::optional<Duration> ends_in, int64_t memory = 0) {
    RunningView v;
    v.held.cores = cores;
    v.held.memory_bytes = memory;
    if (ends_in) v.expected_end = now_ + *ends_in;
    running_.push_back(v);
  }
  std::vector<Choice> Choose(int free_cores, int64_t free_memory = 0, int slots = 1 << 30) {
    PolicyInput in;
    in.now = now_;
    in.ready = &ready_;
    in.spec = [this](TaskIndex t) -> const TaskSpec& { return specs_[t]; };
    in.free.cores = free_cores;
    in.free.memory_bytes = free_memory;
    in.start_slots = slots;
    in.running = [running = running_] { return running; };
    in.ends_at = ends_at_;
    in.gang_here = [this](TaskIndex) { return gang_here_; };
    std::vector<Choice> out;
    blocked_.reset();
    policy_.Choose(in, &out, &blocked_);
    return out;
  }

  PriorityBackfillPolicy policy_{256, 0.0};  // strict EASY unless a test says otherwise
  TimePoint now_{Duration(5'000'000)};
  std::vector<TaskSpec> specs_;
  ReadyQueue ready_;
  std::vector<RunningView> running_;
  std::optional<Blocked> blocked_;
  std::optional<TimePoint> ends_at_;
  bool gang_here_ = true;
};

MATCHER_P2(Held, task, cores, "") { return arg.task == task && arg.cores == cores && arg.hold; }

TEST_F(PolicyTest, StartsInQueueOrderWhileTasksFit) {
  TaskIndex a = Add(TaskBuilder("a").Cores(2));
  TaskIndex b = Add(TaskBuilder("b").Cores(2).Priority(1));
  TaskIndex c = Add(TaskBuilder("c").Cores(1));
  EXPECT_THAT(Choose(5), ElementsAre(Chose(b, 2), Chose(a, 2), Chose(c, 1)));
  EXPECT_FALSE(blocked_.has_value());
}

TEST_F(PolicyTest, AMultiNodeTaskThatFitsIsHeldTakingItsShareButNoSlot) {
  TaskIndex mpi = Add(TaskBuilder("mpi").Cores(2).Nodes(2));
  TaskIndex one = Add(TaskBuilder("one").Cores(1));
  TaskIndex two = Add(TaskBuilder("two").Cores(1));
  // One start slot: the hold takes none; its share is kept from the tasks behind it.
  EXPECT_THAT(Choose(3, 0, /*slots=*/1), ElementsAre(Held(mpi, 2), Chose(one, 1)));
  EXPECT_FALSE(Choose(3, 0, 1)[1].hold);
  EXPECT_THAT(Choose(3), ElementsAre(Held(mpi, 2), Chose(one, 1)));
  (void)two;
}

TEST_F(PolicyTest, AMultiNodeTaskThatDoesNotFitIsTheHeadWithAReservation) {
  Running(2, 10s);
  TaskIndex mpi = Add(TaskBuilder("mpi").Cores(3).Nodes(2));
  TaskIndex longer = Add(TaskBuilder("long").Cores(1).Estimate(100s));
  TaskIndex shorter = Add(TaskBuilder("short").Cores(1).Estimate(5s));
  EXPECT_THAT(Choose(1), ElementsAre(Chose(shorter, 1)));
  ASSERT_TRUE(blocked_.has_value());
  EXPECT_EQ(blocked_->task, mpi);
  (void)longer;
}

TEST_F(PolicyTest, AMultiNodeTaskNotForThisWorkerIsPassedOver) {
  gang_here_ = false;
  Add(TaskBuilder("mpi").Cores(1).Nodes(2));
  TaskIndex b = Add(TaskBuilder("b").Cores(1));
  EXPECT_THAT(Choose(1), ElementsAre(Chose(b, 1)));
  EXPECT_FALSE(blocked_.has_value());
}

TEST_F(PolicyTest, NeverChoosesMoreThanIsFree) {
  for (int i = 0; i < 10; ++i) Add(TaskBuilder("t" + std::to_string(i)).Cores(3));
  std::vector<Choice> out = Choose(10);
  int cores = 0;
  for (const Choice& c : out) cores += c.cores;
  EXPECT_EQ(out.size(), 3u);
  EXPECT_LE(cores, 10);
}

TEST_F(PolicyTest, ElasticTaskGetsMinOfMaxAndFree) {
  TaskIndex e = Add(TaskBuilder("e").Cores(2, 8));
  EXPECT_THAT(Choose(5), ElementsAre(Chose(e, 5)));
  EXPECT_THAT(Choose(16), ElementsAre(Chose(e, 8)));
  EXPECT_THAT(Choose(1), IsEmpty());
}

TEST_F(PolicyTest, StartSlotsLimitTheChoices) {
  Add(TaskBuilder("a"));
  Add(TaskBuilder("b"));
  TaskIndex c = Add(TaskBuilder("c"));
  EXPECT_EQ(Choose(8, 0, 2).size(), 2u);
  ASSERT_TRUE(blocked_.has_value());
  EXPECT_EQ(blocked_->task, c);
}

TEST_F(PolicyTest, HeadThatDoesNotFitIsReportedBlocked) {
  TaskIndex big = Add(TaskBuilder("big").Cores(8));
  Running(4, std::nullopt);
  EXPECT_THAT(Choose(4), IsEmpty());
  ASSERT_TRUE(blocked_.has_value());
  EXPECT_EQ(blocked_->task, big);
  EXPECT_EQ(blocked_->reason, "needs 8 cores, 4 free");
}

TEST_F(PolicyTest, UnknownShadowMeansTheHeadKeepsWhatIsFreeUpToItsNeed) {
  Add(TaskBuilder("head").Cores(6).Priority(1));
  Add(TaskBuilder("small").Estimate(1s));
  Running(4, std::nullopt);  // ends who knows when
  Running(1, 1s);
  EXPECT_THAT(Choose(3), IsEmpty()) << "even a 1s task would eat into the head's cores";
}

TEST_F(PolicyTest, TaskEndingBeforeTheShadowTimeBackfills) {
  Add(TaskBuilder("head").Cores(8).Priority(1));
  TaskIndex quick = Add(TaskBuilder("quick").Estimate(10s));
  Add(TaskBuilder("slow").Estimate(30s));
  TaskIndex limited = Add(TaskBuilder("limited").TimeLimit(15s).Grace(5s));  // 20s at most
  Add(TaskBuilder("limited-grace").TimeLimit(15s).Grace(6s));  // SIGKILL at 21s: too late
  Running(6, 20s);
  EXPECT_THAT(Choose(2), ElementsAre(Chose(quick, 1), Chose(limited, 1)));
}

TEST_F(PolicyTest, ShadowIsTheEarliestTimeEnoughHasEnded) {
  Add(TaskBuilder("head").Cores(6).Priority(1));
  TaskIndex fits = Add(TaskBuilder("fits").Estimate(15s));
  Add(TaskBuilder("too-late").Estimate(25s));
  Running(2, 30s);
  Running(3, 10s);
  Running(1, 20s);  // free 2: +3 at 10s = 5, +1 at 20s = 6 -> shadow 20s
  EXPECT_THAT(Choose(2), ElementsAre(Chose(fits, 1)));
}

TEST_F(PolicyTest, LongTaskUsesOnlyTheExtraBeyondTheReservation) {
  Add(TaskBuilder("head").Cores(6).Priority(1));
  TaskIndex l1 = Add(TaskBuilder("long1"));
  Add(TaskBuilder("long2").Cores(2));
  TaskIndex l3 = Add(TaskBuilder("long3"));
  Running(5, 100s);  // free 3; at the shadow 8 are free and the head needs 6: extra 2
  EXPECT_THAT(Choose(3), ElementsAre(Chose(l1, 1), Chose(l3, 1)))
      << "after long1 only 1 extra core is left: long2 (2 cores) would delay the head";
}

TEST_F(PolicyTest, BackfillLooksOnlyBackfillDepthTasksBehindTheHead) {
  policy_ = PriorityBackfillPolicy(2);
  Add(TaskBuilder("head").Cores(8).Priority(1));
  Add(TaskBuilder("too-big1").Cores(4));
  Add(TaskBuilder("too-big2").Cores(4));
  TaskIndex quick = Add(TaskBuilder("quick").Estimate(1s));
  Running(4, 100s);
  EXPECT_THAT(Choose(4), IsEmpty()) << "quick is 3rd behind the head; depth 2";
  policy_ = PriorityBackfillPolicy(3);
  EXPECT_THAT(Choose(4), ElementsAre(Chose(quick, 1)));
}

TEST_F(PolicyTest, MemoryBlocksTheHeadAndBackfillRespectsItsReservation) {
  const int64_t G = int64_t{1} << 30;
  Add(TaskBuilder("head").Memory(4 * G).Priority(1));
  TaskIndex no_memory = Add(TaskBuilder("no-memory"));
  Add(TaskBuilder("some-memory").Memory(1 * G));
  Running(1, std::nullopt, 6 * G);
  EXPECT_THAT(Choose(7, 2 * G), ElementsAre(Chose(no_memory, 1)));
  EXPECT_EQ(blocked_->reason, "needs more memory than is free");
}

// Patience: a head with an expected run time R accepts to start up to patience x R after it
// was first blocked, so tasks that end by then may backfill onto the cores it waits for.
TEST_F(PolicyTest, TasksEndingWithinTheHeadsPatienceBackfill) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  Add(TaskBuilder("head").Cores(2).Estimate(10s).Priority(1));
  TaskIndex within = Add(TaskBuilder("within").Estimate(40s));
  Add(TaskBuilder("beyond").Estimate(41s));
  Running(1, 5s);  // shadow at +5s; the head accepts up to +40s
  EXPECT_THAT(Choose(1), ElementsAre(Chose(within, 1)));
}

TEST_F(PolicyTest, PatienceCountsFromWhenTheHeadWasFirstBlocked) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  Add(TaskBuilder("head").Cores(2).Estimate(10s).Priority(1));
  TaskIndex ten = Add(TaskBuilder("ten").Estimate(10s));
  Add(TaskBuilder("later").Estimate(10s));
  TaskIndex five = Add(TaskBuilder("five").Estimate(5s));
  Running(1, std::nullopt);  // no shadow time at all
  EXPECT_THAT(Choose(1), ElementsAre(Chose(ten, 1))) << "blocked from now: patience to +40s";
  ready_.Erase(ten, 0);
  now_ += 35s;  // ten has ended
  EXPECT_THAT(Choose(1), ElementsAre(Chose(five, 1))) << "later would end at +45s";
}

TEST_F(PolicyTest, WithoutPatienceTheReservationIsAtTheShadowTime) {
  Add(TaskBuilder("head").Cores(2).Estimate(10s).Priority(1));
  Add(TaskBuilder("longer").Estimate(6s));
  TaskIndex shorter = Add(TaskBuilder("shorter").Estimate(5s));
  Running(1, 5s);
  EXPECT_THAT(Choose(1), ElementsAre(Chose(shorter, 1)));
}

TEST_F(PolicyTest, AHeadWithoutAnExpectedRunTimeHasNoPatience) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  Add(TaskBuilder("head").Cores(2).Priority(1));
  Add(TaskBuilder("longer").Estimate(6s));
  TaskIndex shorter = Add(TaskBuilder("shorter").Estimate(5s));
  Running(1, 5s);
  EXPECT_THAT(Choose(1), ElementsAre(Chose(shorter, 1)));
}

TEST_F(PolicyTest, TasksWithoutAnyBoundNeverBackfillOntoTheReservation) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  Add(TaskBuilder("head").Cores(2).Estimate(10s).Priority(1));
  Add(TaskBuilder("unbounded"));
  Running(1, 5s);
  EXPECT_THAT(Choose(1), IsEmpty());
}

TEST_F(PolicyTest, CoresFreeTogetherGoToAWiderTaskOfTheSamePriorityFirst) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  TaskIndex n1 = Add(TaskBuilder("n1").Estimate(1s));
  Add(TaskBuilder("n2").Estimate(1s));
  TaskIndex wide = Add(TaskBuilder("wide").Cores(2).Estimate(1s));
  EXPECT_THAT(Choose(2), ElementsAre(Chose(wide, 2)));
  ASSERT_TRUE(blocked_.has_value());
  EXPECT_EQ(blocked_->task, n1);
}

TEST_F(PolicyTest, TheTaskPassedOverStillStartsBesideTheWiderOneWhenItFits) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  TaskIndex n1 = Add(TaskBuilder("n1").Estimate(1s));
  TaskIndex wide = Add(TaskBuilder("wide").Cores(2).Estimate(1s));
  TaskIndex n2 = Add(TaskBuilder("n2").Estimate(1s));
  EXPECT_THAT(Choose(4), ElementsAre(Chose(wide, 2), Chose(n1, 1), Chose(n2, 1)));
}

TEST_F(PolicyTest, PackingNeverPassesOverAHigherPriority) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  TaskIndex urgent = Add(TaskBuilder("urgent").Priority(1));
  Add(TaskBuilder("wide").Cores(2));
  EXPECT_THAT(Choose(2), ElementsAre(Chose(urgent, 1)));
}

TEST_F(PolicyTest, PackingNeverGoesPastATaskThatMustWait) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  TaskIndex n1 = Add(TaskBuilder("n1"));
  TaskIndex big = Add(TaskBuilder("big").Cores(3));
  Add(TaskBuilder("wide").Cores(2));
  EXPECT_THAT(Choose(2), ElementsAre(Chose(n1, 1)));
  ASSERT_TRUE(blocked_.has_value());
  EXPECT_EQ(blocked_->task, big);
}

TEST_F(PolicyTest, StrictEasyNeverReorders) {
  TaskIndex n1 = Add(TaskBuilder("n1"));
  TaskIndex wide = Add(TaskBuilder("wide").Cores(2));
  EXPECT_THAT(Choose(2), ElementsAre(Chose(n1, 1)));
  EXPECT_EQ(blocked_->task, wide);
}

TEST_F(PolicyTest, ATaskIsPassedOverForAtMostItsPatience) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  TaskIndex narrow = Add(TaskBuilder("narrow").Estimate(1s));
  std::vector<TaskIndex> wide;
  for (int i = 0; i < 10; ++i) {
    wide.push_back(Add(TaskBuilder("w" + std::to_string(i)).Cores(2).Estimate(1s)));
  }
  const TimePoint first = now_;
  for (int i = 0;; ++i) {
    ASSERT_LT(i, 10) << "still passed over after " << ToSeconds(now_ - first) << " s";
    std::vector<Choice> out = Choose(2);
    ASSERT_EQ(out.size(), 1u);
    if (out[0].task == narrow) break;
    ready_.Erase(out[0].task, 0);
    now_ += 1s;  // the wide one ran 1 s, and freed both cores at once
  }
  EXPECT_EQ(now_ - first, 4s) << "the wide ones end within 4 x its 1 s estimate from then";
}

TEST_F(PolicyTest, AWideTaskThatWouldEndPastThePatiencePassesNothing) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  TaskIndex narrow = Add(TaskBuilder("narrow").Estimate(1s));
  TaskIndex wide = Add(TaskBuilder("wide").Cores(2).Estimate(5s));
  EXPECT_THAT(Choose(2), ElementsAre(Chose(narrow, 1)));
  EXPECT_EQ(blocked_->task, wide);
}

TEST_F(PolicyTest, ATaskThatWouldRunPastTheAllocationsEndIsPassedOver) {
  ends_at_ = now_ + 60s;
  TaskIndex expected_short = Add(TaskBuilder("long-limit").TimeLimit(2h).Estimate(10s));
  Add(TaskBuilder("long-estimate").Estimate(90s));
  Add(TaskBuilder("long-limit-only").TimeLimit(2min));
  TaskIndex fits = Add(TaskBuilder("fits").TimeLimit(50s));
  TaskIndex unknown = Add(TaskBuilder("unknown"));  // nothing says it will not fit
  EXPECT_THAT(Choose(4),
              ElementsAre(Chose(expected_short, 1), Chose(fits, 1), Chose(unknown, 1)));
}

TEST_F(PolicyTest, WhenOnlyTasksThatWouldRunPastTheEndAreLeftTheFirstSaysWhy) {
  ends_at_ = now_ + 60s;
  TaskIndex late = Add(TaskBuilder("late").Estimate(2min));
  EXPECT_THAT(Choose(4), IsEmpty());
  ASSERT_TRUE(blocked_.has_value());
  EXPECT_EQ(blocked_->task, late);
  EXPECT_EQ(blocked_->reason, "would not end before the allocation ends");
}

TEST_F(PolicyTest, ATaskThatWouldRunPastTheEndNeverBlocksOrBackfills) {
  policy_ = PriorityBackfillPolicy(256, 4.0);
  ends_at_ = now_ + 60s;
  Add(TaskBuilder("late-head").Cores(4).Estimate(2min).Priority(1));
  TaskIndex small = Add(TaskBuilder("small").Estimate(5s));
  Add(TaskBuilder("late-small").Estimate(2min));
  EXPECT_THAT(Choose(1), ElementsAre(Chose(small, 1)));
}

}  // namespace
}  // namespace allot
