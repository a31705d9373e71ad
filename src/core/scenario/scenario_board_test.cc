// What the scenario policies decide as metrics arrive: ASHA's rungs, promotions, stops and
// deprioritizations; promise-proportional offsets; the ranking `allot scenarios` shows.
#include "core/scenario/scenario_board.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/scenario/asha_rungs.h"

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

ScenarioPolicySpec Asha(ScenarioPolicySpec::Action action = ScenarioPolicySpec::Action::kStop) {
  ScenarioPolicySpec spec;
  spec.kind = ScenarioPolicySpec::Kind::kAsha;
  spec.metric = "loss";
  spec.action = action;
  return spec;  // eta 3, grace 1, min mode
}

MetricPoint Point(const std::string& name, double value, std::optional<int64_t> step) {
  MetricPoint p;
  p.name = name;
  p.value = value;
  p.step = step;
  return p;
}

// Observes one point and returns the changes it caused.
std::vector<ScenarioChange> See(ScenarioBoard* board, const std::string& scenario,
                                const std::string& metric, double value,
                                std::optional<int64_t> step) {
  std::vector<ScenarioChange> changes;
  board->Observe(scenario, Point(metric, value, step), &changes);
  return changes;
}

std::vector<std::string> Names(const std::vector<ScenarioStanding>& ranking) {
  std::vector<std::string> names;
  for (const ScenarioStanding& s : ranking) names.push_back(s.scenario);
  return names;
}

TEST(AshaRungStepsTest, Grace1Eta3GivesPowersOfThreeUpToMaxStep) {
  EXPECT_THAT(AshaRungSteps(1, 3, 27), ElementsAre(1, 3, 9, 27));
  EXPECT_THAT(AshaRungSteps(1, 3, 30), ElementsAre(1, 3, 9, 27));
  EXPECT_THAT(AshaRungSteps(1, 3, 26), ElementsAre(1, 3, 9));
  EXPECT_THAT(AshaRungSteps(2, 2, 20), ElementsAre(2, 4, 8, 16));
  EXPECT_THAT(AshaRungSteps(1, 2.5, 20), ElementsAre(1, 3, 7, 16));  // rounded up
  EXPECT_THAT(AshaRungSteps(5, 3, 4), IsEmpty());
}

TEST(AshaRungStepsTest, WithoutMaxStepTheRungsIncreaseAndNeverOverflow) {
  std::vector<int64_t> steps = AshaRungSteps(1, 2, std::nullopt);
  ASSERT_GE(steps.size(), 60u);
  EXPECT_TRUE(std::is_sorted(steps.begin(), steps.end()));
  EXPECT_EQ(std::adjacent_find(steps.begin(), steps.end()), steps.end());
  EXPECT_GT(steps.back(), int64_t{1} << 60);
  // Out-of-range parameters are clamped rather than looping forever.
  EXPECT_THAT(AshaRungSteps(0, 1, 8), ElementsAre(1, 2, 4, 8));
}

TEST(AshaRungsTest, RankMatchesANaiveCountOverRandomArrivals) {
  const uint32_t seed = 20261203;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (bool maximize : {false, true}) {
    AshaRungs rungs(1, 3, 1, maximize);
    std::vector<double> arrived;
    for (int i = 0; i < 300; ++i) {
      double v = static_cast<double>(rng() % 40) / 8;  // many ties
      int better_or_equal = 0;
      for (double a : arrived) better_or_equal += maximize ? a >= v : a <= v;
      arrived.push_back(v);
      AshaRungs::Verdict got = rungs.Join(0, v);
      const int n = static_cast<int>(arrived.size());
      ASSERT_EQ(got.rank, better_or_equal + 1) << "arrival " << i;
      ASSERT_EQ(got.size, n);
      ASSERT_EQ(got.keep, std::max(1, n / 3));
      ASSERT_EQ(got.promoted, got.rank <= got.keep);
    }
  }
}

TEST(ScenarioBoardAshaTest, TheFirstArrivalAtARungIsPromoted) {
  ScenarioBoard board(Asha());
  EXPECT_THAT(See(&board, "a", "loss", 0.9, 1),
              ElementsAre(ScenarioChange{"a", 1, false,
                                         "asha: rung 0 (step 1): loss 0.9 is 1st of 1 at this "
                                         "rung, within the best 1 (eta 3): promoted, "
                                         "priority +1"}));
  EXPECT_EQ(board.PriorityOffset("a"), 1);
  EXPECT_FALSE(board.Stopped("a"));
}

TEST(ScenarioBoardAshaTest, NotYetAtTheFirstRungHasOffsetZero) {
  ScenarioPolicySpec spec = Asha();
  spec.grace = 2;
  ScenarioBoard board(spec);
  EXPECT_THAT(See(&board, "a", "loss", 0.5, 0), IsEmpty());
  EXPECT_THAT(See(&board, "a", "loss", 0.5, 1), IsEmpty());
  EXPECT_EQ(board.PriorityOffset("a"), 0);
  EXPECT_EQ(board.PriorityOffset("never-seen"), 0);
  EXPECT_FALSE(board.Stopped("never-seen"));
  EXPECT_THAT(See(&board, "a", "loss", 0.5, 2), ElementsAre(::testing::Field(
                                                    &ScenarioChange::priority_offset, 1)));
}

TEST(ScenarioBoardAshaTest, AtEta3OnlyTheBestOfFourIsKept) {
  ScenarioBoard board(Asha());
  See(&board, "a", "loss", 0.3, 1);  // 1st of 1, best 1: promoted
  EXPECT_THAT(See(&board, "b", "loss", 0.2, 1),  // 1st of 2, best max(1, 0) = 1: promoted
              ElementsAre(ScenarioChange{"b", 1, false,
                                         "asha: rung 0 (step 1): loss 0.2 is 1st of 2 at this "
                                         "rung, within the best 1 (eta 3): promoted, "
                                         "priority +1"}));
  See(&board, "c", "loss", 0.1, 1);  // 1st of 3: promoted
  // 2nd of 4, floor(4 / 3) = 1: stopped, though better than two promoted before it.
  EXPECT_THAT(See(&board, "d", "loss", 0.15, 1),
              ElementsAre(ScenarioChange{"d", 0, true,
                                         "asha: rung 0 (step 1): loss 0.15 is 2nd of 4 at this "
                                         "rung, not within the best 1 (eta 3): stopped"}));
  // The 4th of 4 (worst so far) too.
  ScenarioBoard worst(Asha());
  for (const char* s : {"a", "b", "c"}) See(&worst, s, "loss", 0.1, 1);
  EXPECT_THAT(See(&worst, "d", "loss", 0.9, 1),
              ElementsAre(::testing::Field(&ScenarioChange::stop, true)));
  // At 6 values the best 2 are kept: a 2nd of 6 is promoted.
  See(&board, "e", "loss", 0.9, 1);
  EXPECT_THAT(See(&board, "f", "loss", 0.12, 1),
              ElementsAre(ScenarioChange{"f", 1, false,
                                         "asha: rung 0 (step 1): loss 0.12 is 2nd of 6 at this "
                                         "rung, within the best 2 (eta 3): promoted, "
                                         "priority +1"}));
}

TEST(ScenarioBoardAshaTest, TiesRankTheEarlierArrivalBetter) {
  ScenarioBoard board(Asha());
  See(&board, "a", "loss", 0.5, 1);
  EXPECT_THAT(See(&board, "b", "loss", 0.5, 1),
              ElementsAre(ScenarioChange{"b", 0, true,
                                         "asha: rung 0 (step 1): loss 0.5 is 2nd of 2 at this "
                                         "rung, not within the best 1 (eta 3): stopped"}));
}

TEST(ScenarioBoardAshaTest, MaxModeKeepsTheHigherValues) {
  ScenarioPolicySpec spec = Asha();
  spec.metric = "accuracy";
  spec.maximize = true;
  spec.reduction_factor = 2;
  ScenarioBoard board(spec);
  See(&board, "a", "accuracy", 0.5, 1);
  EXPECT_THAT(See(&board, "b", "accuracy", 0.4, 1),  // lower: 2nd of 2, best 1
              ElementsAre(ScenarioChange{"b", 0, true,
                                         "asha: rung 0 (step 1): accuracy 0.4 is 2nd of 2 at "
                                         "this rung, not within the best 1 (eta 2): stopped"}));
  EXPECT_THAT(See(&board, "c", "accuracy", 0.9, 1),  // higher: 1st of 3
              ElementsAre(ScenarioChange{"c", 1, false,
                                         "asha: rung 0 (step 1): accuracy 0.9 is 1st of 3 at "
                                         "this rung, within the best 1 (eta 2): promoted, "
                                         "priority +1"}));
  // 4 values at eta 2: the best 2 are kept; 0.6 is 2nd.
  EXPECT_THAT(See(&board, "d", "accuracy", 0.6, 1),
              ElementsAre(::testing::Field(&ScenarioChange::priority_offset, 1)));
}

TEST(ScenarioBoardAshaTest, AStopIsStickyAndItsLaterPointsJoinNoRung) {
  ScenarioBoard board(Asha());
  See(&board, "a", "loss", 0.1, 1);
  See(&board, "b", "loss", 0.5, 1);  // stopped
  ASSERT_TRUE(board.Stopped("b"));
  EXPECT_THAT(See(&board, "b", "loss", 0.01, 3), IsEmpty());
  EXPECT_THAT(See(&board, "b", "loss", 0.01, 30), IsEmpty());
  EXPECT_TRUE(board.Stopped("b"));
  // b did not join rung 1: a is the first there.
  std::vector<ScenarioChange> a = See(&board, "a", "loss", 0.2, 3);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].reason,
            "asha: rung 1 (step 3): loss 0.2 is 1st of 1 at this rung, within the best 1 "
            "(eta 3): promoted, priority +2");
  // Its latest value still shows.
  std::vector<ScenarioStanding> ranking = board.Ranking();
  ASSERT_EQ(ranking.size(), 2u);
  EXPECT_EQ(ranking[1].scenario, "b");
  EXPECT_EQ(ranking[1].latest.at("loss"), 0.01);
  EXPECT_EQ(ranking[1].step, 30);
  EXPECT_EQ(ranking[1].rung, 0);
}

TEST(ScenarioBoardAshaTest, DeprioritizedRunsLastAndMayBePromotedAgain) {
  ScenarioBoard board(Asha(ScenarioPolicySpec::Action::kDeprioritize));
  See(&board, "a", "loss", 0.1, 1);
  EXPECT_THAT(See(&board, "b", "loss", 0.5, 1),
              ElementsAre(ScenarioChange{"b", -1, false,
                                         "asha: rung 0 (step 1): loss 0.5 is 2nd of 2 at this "
                                         "rung, not within the best 1 (eta 3): deprioritized, "
                                         "priority -1"}));
  EXPECT_FALSE(board.Stopped("b"));
  EXPECT_EQ(board.PriorityOffset("b"), -1);
  // Demoted again at the next rung: the offset stays -1, no change.
  See(&board, "a", "loss", 0.05, 3);
  EXPECT_THAT(See(&board, "b", "loss", 0.4, 3), IsEmpty());
  // First at rung 2: promoted after all.
  EXPECT_THAT(See(&board, "b", "loss", 0.01, 9),
              ElementsAre(ScenarioChange{"b", 3, false,
                                         "asha: rung 2 (step 9): loss 0.01 is 1st of 1 at this "
                                         "rung, within the best 1 (eta 3): promoted, "
                                         "priority +3"}));
}

TEST(ScenarioBoardAshaTest, PointsOfOtherMetricsOrWithoutAStepAreIgnored) {
  ScenarioBoard board(Asha());
  EXPECT_THAT(See(&board, "a", "accuracy", 0.9, 5), IsEmpty());
  EXPECT_THAT(See(&board, "a", "loss", 0.3, std::nullopt), IsEmpty());
  EXPECT_EQ(board.PriorityOffset("a"), 0);
  std::vector<ScenarioStanding> ranking = board.Ranking();
  ASSERT_EQ(ranking.size(), 1u);
  EXPECT_EQ(ranking[0].rung, -1);
  EXPECT_FALSE(ranking[0].score.has_value());
  EXPECT_EQ(ranking[0].latest.at("loss"), 0.3);
  EXPECT_EQ(ranking[0].step, 5);
  // The step of another metric does not count as reaching a rung either.
  EXPECT_THAT(See(&board, "a", "loss", 0.3, 1),
              ElementsAre(::testing::Field(&ScenarioChange::priority_offset, 1)));
}

TEST(ScenarioBoardAshaTest, NonFiniteValuesChangeNothing) {
  ScenarioBoard board(Asha());
  EXPECT_THAT(See(&board, "a", "loss", std::nan(""), 1), IsEmpty());
  EXPECT_THAT(See(&board, "a", "loss", -HUGE_VAL, 1), IsEmpty());
  EXPECT_THAT(See(&board, "b", "loss", 0.5, 1),  // the first at the rung
              ElementsAre(::testing::Field(&ScenarioChange::priority_offset, 1)));
}

TEST(ScenarioBoardAshaTest, JumpingSeveralRungsJoinsEachWithTheSameValue) {
  ScenarioBoard board(Asha());
  EXPECT_THAT(See(&board, "a", "loss", 0.2, 10),
              ElementsAre(ScenarioChange{"a", 3, false,
                                         "asha: step 10 passed rungs 0 to 2 at once; rung 2 "
                                         "(step 9): loss 0.2 is 1st of 1 at this rung, within "
                                         "the best 1 (eta 3): promoted, priority +3"}));
  // b jumps to step 3: 2nd at rung 0 (a's 0.2 is there), stopped there, never joins rung 1.
  EXPECT_THAT(See(&board, "b", "loss", 0.3, 3),
              ElementsAre(ScenarioChange{"b", 0, true,
                                         "asha: rung 0 (step 1): loss 0.3 is 2nd of 2 at this "
                                         "rung, not within the best 1 (eta 3): stopped"}));
  // So c, worse than a, is 2nd of 2 at rung 1 (not 3rd of 3).
  ScenarioBoard deprioritizing(Asha(ScenarioPolicySpec::Action::kDeprioritize));
  See(&deprioritizing, "a", "loss", 0.2, 10);
  // Deprioritized at rungs 0 and 1 along the way; the change shows the last rung.
  EXPECT_THAT(See(&deprioritizing, "b", "loss", 0.3, 3),
              ElementsAre(ScenarioChange{"b", -1, false,
                                         "asha: step 3 passed rungs 0 to 1 at once; rung 1 "
                                         "(step 3): loss 0.3 is 2nd of 2 at this rung, not "
                                         "within the best 1 (eta 3): deprioritized, priority "
                                         "-1"}));
}

TEST(ScenarioBoardAshaTest, NoRungBeyondMaxStep) {
  ScenarioPolicySpec spec = Asha();
  spec.max_step = 9;
  ScenarioBoard board(spec);
  EXPECT_THAT(See(&board, "a", "loss", 0.2, 100),
              ElementsAre(::testing::Field(&ScenarioChange::priority_offset, 3)));
  EXPECT_THAT(See(&board, "a", "loss", 0.1, 1000), IsEmpty());
  EXPECT_EQ(board.Ranking()[0].rung, 2);
}

// 16 scenarios of known quality (lower is better), their points arriving interleaved in a
// shuffled order at every step: ASHA cuts the bad half first, and never stops the best.
TEST(ScenarioBoardAshaTest, SimulatedCampaignCutsTheBadHalfFirst) {
  const uint32_t seed = 13;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  ScenarioBoard board(Asha());
  std::vector<int> order(16);
  for (int s = 0; s < 16; ++s) order[s] = s;
  auto quality = [](int s) { return 0.1 + 0.05 * s; };
  for (int64_t step = 1; step <= 27; ++step) {
    std::shuffle(order.begin(), order.end(), rng);
    for (int s : order) {
      const std::string name = "s" + std::to_string(s);
      if (board.Stopped(name)) continue;
      // Noise within +-0.06: neighbours overlap, the halves barely do.
      const double noise = (static_cast<int>(rng() % 1201) - 600) / 10000.0;
      See(&board, name, "loss", quality(s) + noise, step);
    }
  }
  // With 16 scenarios and eta 3 nearly all stop by rung 3 (16 -> ~5 -> ~2 -> 1): what the
  // test pins is who is cut first. The first cut (at rung 0) takes the bad half.
  int good_cut_first = 0;
  int bad_cut_first = 0;
  std::string stops;
  for (const ScenarioStanding& st : board.Ranking()) {
    stops += st.scenario + (st.stopped ? " stopped at rung " : " running at rung ") +
             std::to_string(st.rung) + "; ";
    if (!st.stopped || st.rung != 0) continue;
    ++(std::stoi(st.scenario.substr(1)) < 8 ? good_cut_first : bad_cut_first);
  }
  EXPECT_GE(bad_cut_first, 7) << stops;
  EXPECT_LE(good_cut_first, 2) << stops;
  // The best one is never stopped and reaches the top rung.
  EXPECT_FALSE(board.Stopped("s0")) << stops;
  std::vector<ScenarioStanding> ranking = board.Ranking();
  ASSERT_FALSE(ranking.empty());
  EXPECT_EQ(ranking[0].scenario, "s0") << stops;
  EXPECT_EQ(ranking[0].rung, 3) << stops;
}

TEST(ScenarioBoardAshaTest, RankingByRungThenValueThenStoppedThenUnscoredByName) {
  ScenarioBoard board(Asha());
  See(&board, "a", "loss", 0.5, 1);   // rung 0, promoted
  See(&board, "b", "loss", 0.4, 1);   // rung 0, 1st of 2: promoted
  See(&board, "c", "loss", 0.9, 1);   // rung 0, 3rd of 3: stopped
  See(&board, "a", "loss", 0.45, 3);  // rung 1
  See(&board, "z", "loss", 0.1, 0);   // no rung yet
  See(&board, "y", "accuracy", 1, 5);  // no point of the metric
  See(&board, "d", "loss", 0.7, 3);   // rungs 0 and 1: stopped at rung 0 (3rd of 4)
  std::vector<ScenarioStanding> ranking = board.Ranking();
  // Stopped: d (0.7) before c (0.9), both at rung 0.
  EXPECT_THAT(Names(ranking), ElementsAre("a", "b", "d", "c", "y", "z"));
  EXPECT_EQ(ranking[0].rung, 1);
  EXPECT_EQ(ranking[0].score, 0.45);
  EXPECT_EQ(ranking[0].priority_offset, 2);
  EXPECT_EQ(ranking[1].rung, 0);
  EXPECT_TRUE(ranking[2].stopped);
  EXPECT_TRUE(ranking[3].stopped);
  EXPECT_EQ(ranking[2].score, 0.7);
  EXPECT_FALSE(ranking[4].score.has_value());
  EXPECT_NE(ranking[0].note.find("rung 1 (step 3)"), std::string::npos) << ranking[0].note;
  EXPECT_EQ(ranking[4].note, "");
}

ScenarioPolicySpec Promise(bool maximize) {
  ScenarioPolicySpec spec;
  spec.kind = ScenarioPolicySpec::Kind::kPromise;
  spec.maximize = maximize;
  spec.score = {{"accuracy", 1}, {"loss", -0.5}};
  return spec;  // range 100
}

TEST(ScenarioBoardPromiseTest, OffsetsSpanTheRangeAndMoveWhenTheBestMoves) {
  ScenarioBoard board(Promise(true));
  EXPECT_THAT(See(&board, "a", "accuracy", 0.9, std::nullopt), IsEmpty());  // no score yet
  EXPECT_THAT(See(&board, "a", "loss", 0.16, 3), IsEmpty());  // 0.82, alone: 0
  See(&board, "b", "accuracy", 0.5, 1);
  // b's score 0.3 is the new worst: a becomes the best (+100), b stays 0.
  EXPECT_THAT(See(&board, "b", "loss", 0.4, 1),
              ElementsAre(ScenarioChange{"a", 100, false,
                                         "promise: score 0.82 (accuracy 0.9 \u00d7 1 + loss 0.16 "
                                         "\u00d7 -0.5), 1st of 2 (scores 0.3 worst to 0.82 "
                                         "best): priority +100 of 0 to 100"}));
  // c at 0.6, between them: only c moves, to round(100 * 0.3 / 0.52) = 58.
  See(&board, "c", "accuracy", 0.7, 1);
  std::vector<ScenarioChange> c = See(&board, "c", "loss", 0.2, 1);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scenario, "c");
  EXPECT_EQ(c[0].priority_offset, 58);
  EXPECT_NE(c[0].reason.find("2nd of 3"), std::string::npos) << c[0].reason;
  // d at 0.95, a new best: everyone between moves (name order), the worst stays at 0.
  See(&board, "d", "loss", 0, 1);
  std::vector<ScenarioChange> d = See(&board, "d", "accuracy", 0.95, 1);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].scenario, "a");
  EXPECT_EQ(d[0].priority_offset, 80);  // round(100 * 0.52 / 0.65)
  EXPECT_EQ(d[1].scenario, "c");
  EXPECT_EQ(d[1].priority_offset, 46);  // round(100 * 0.3 / 0.65)
  EXPECT_EQ(d[2].scenario, "d");
  EXPECT_EQ(d[2].priority_offset, 100);
  EXPECT_EQ(board.PriorityOffset("b"), 0);
  EXPECT_FALSE(board.Stopped("d"));
  // A metric outside the score changes nothing.
  EXPECT_THAT(See(&board, "b", "runtime", 1e9, 1), IsEmpty());
  // The latest value counts: b's accuracy rises to the best score, 1.05; c (0.6) is now the
  // worst, and a moves to round(100 * 0.22 / 0.45) = 49.
  See(&board, "b", "accuracy", 1.25, 2);
  EXPECT_EQ(board.PriorityOffset("b"), 100);
  EXPECT_EQ(board.PriorityOffset("c"), 0);
  EXPECT_EQ(board.PriorityOffset("a"), 49);
}

TEST(ScenarioBoardPromiseTest, MinModeGivesTheLowestScoreTheRange) {
  ScenarioPolicySpec spec = Promise(false);
  spec.score = {{"loss", 1}};
  spec.priority_range = 10;
  ScenarioBoard board(spec);
  See(&board, "a", "loss", 0.2, 1);
  EXPECT_THAT(See(&board, "b", "loss", 0.6, 1),
              ElementsAre(ScenarioChange{"a", 10, false,
                                         "promise: score 0.2 (loss 0.2 \u00d7 1), 1st of 2 "
                                         "(scores 0.6 worst to 0.2 best): priority +10 of 0 to "
                                         "10"}));
  See(&board, "c", "loss", 0.5, 1);
  EXPECT_EQ(board.PriorityOffset("c"), 3);  // round(10 * 0.1 / 0.4) = round(2.5)
}

TEST(ScenarioBoardPromiseTest, EqualScoresGiveEveryoneZero) {
  ScenarioPolicySpec spec = Promise(true);
  spec.score = {{"accuracy", 2}};
  ScenarioBoard board(spec);
  EXPECT_THAT(See(&board, "a", "accuracy", 0.5, 1), IsEmpty());
  EXPECT_THAT(See(&board, "b", "accuracy", 0.5, 1), IsEmpty());
  See(&board, "c", "accuracy", 0.7, 1);
  EXPECT_EQ(board.PriorityOffset("c"), 100);
  // c falls back to the tie: all 0 again.
  EXPECT_THAT(See(&board, "c", "accuracy", 0.5, 2),
              ElementsAre(::testing::Field(&ScenarioChange::priority_offset, 0)));
  EXPECT_EQ(board.PriorityOffset("a"), 0);
}

TEST(ScenarioBoardPromiseTest, RankingByScoreThenUnscoredByName) {
  ScenarioBoard board(Promise(false));  // min: lower is better
  for (const char* s : {"a", "b", "c"}) See(&board, s, "loss", 0, 1);
  See(&board, "a", "accuracy", 0.5, 1);
  See(&board, "b", "accuracy", 0.1, 1);
  See(&board, "c", "accuracy", 0.9, 1);
  See(&board, "e", "accuracy", 0.0, 1);  // no loss yet: no score
  See(&board, "d", "runtime", 5, 1);
  std::vector<ScenarioStanding> ranking = board.Ranking();
  EXPECT_THAT(Names(ranking), ElementsAre("b", "a", "c", "d", "e"));
  EXPECT_EQ(ranking[0].score, 0.1);
  EXPECT_EQ(ranking[0].priority_offset, 100);
  EXPECT_EQ(ranking[0].rung, -1);
  EXPECT_EQ(ranking[1].priority_offset, 50);
  EXPECT_FALSE(ranking[3].score.has_value());
}

// The incremental offsets (only the observed scenario moves unless the worst or the best did)
// against a naive model that recomputes every offset from every scenario's latest values.
TEST(ScenarioBoardPromiseTest, OffsetsAndChangesMatchANaiveRecomputation) {
  const uint32_t seed = 4711;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (bool maximize : {false, true}) {
    ScenarioPolicySpec spec = Promise(maximize);
    spec.score = {{"a", 1}, {"b", -0.5}};
    spec.priority_range = 1000;
    ScenarioBoard board(spec);
    std::map<std::string, std::map<std::string, double>> latest;  // the model
    std::map<std::string, int> offsets;                           // after the last point
    for (int i = 0; i < 3000; ++i) {
      const std::string scenario = "s" + std::to_string(rng() % 40);
      const char* metric = i % 7 == 0 ? "c" : rng() % 2 ? "a" : "b";
      const double value = (static_cast<int>(rng() % 33) - 16) / 8.0;  // exact, many ties
      latest[scenario][metric] = value;
      std::vector<ScenarioChange> changes;
      board.Observe(scenario, Point(metric, value, i), &changes);
      std::map<std::string, double> scores;
      for (const auto& [name, values] : latest) {
        if (values.count("a") && values.count("b")) {
          scores[name] = values.at("a") - 0.5 * values.at("b");
        }
      }
      double lo = 0;
      double hi = 0;
      if (!scores.empty()) {
        auto [min, max] = std::minmax_element(
            scores.begin(), scores.end(),
            [](const auto& x, const auto& y) { return x.second < y.second; });
        lo = min->second;
        hi = max->second;
      }
      std::vector<ScenarioChange> expected;
      for (const auto& [name, values] : latest) {
        int want = 0;
        if (scores.count(name) && hi > lo) {
          const double at = (scores[name] - lo) / (hi - lo);
          want = static_cast<int>(std::lround(1000 * (maximize ? at : 1 - at)));
        }
        ASSERT_EQ(board.PriorityOffset(name), want) << name << " after point " << i;
        if (want != offsets[name]) expected.push_back({name, want, false, ""});
        offsets[name] = want;
      }
      for (ScenarioChange& c : changes) {
        EXPECT_FALSE(c.reason.empty());
        c.reason.clear();
      }
      ASSERT_EQ(changes, expected) << "point " << i;
    }
  }
}

}  // namespace
}  // namespace allot
