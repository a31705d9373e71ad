#include "study/trial_points.h"

#include <gtest/gtest.h>

#include "study/grid_sampler.h"
#include "study/study_spec_parser.h"

namespace allot {
namespace {

StudySpec Spec(const std::string& sampler_lines) {
  const std::string text = "study: s\nspace:\n  x: {type: float, low: -2, high: 2}\n"
                           "  n: {type: int, low: 2, high: 5}\n"
                           "  m: {type: choice, values: [lead, tungsten, 3]}\n"
                           "objectives: [{name: f, goal: minimize}]\ntrial: {command: x}\n" +
                           sampler_lines;
  Result<StudySpec> spec = ParseStudySpec("s.yaml", text, nullptr, nullptr);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return *spec;
}

TEST(TrialPointsTest, SameSeedSameTrialsOtherSeedOtherTrials) {
  for (const char* sampler : {"sobol", "random"}) {
    const std::string s = std::string("sampler: ") + sampler + "\ntrials: 20\n";
    auto a = SampleTrials(Spec(s + "seed: 3\n"));
    auto b = SampleTrials(Spec(s + "seed: 3\n"));
    auto c = SampleTrials(Spec(s + "seed: 4\n"));
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    ASSERT_EQ(a->size(), 20u);
    bool differs = false;
    for (size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ((*a)[i].values, (*b)[i].values) << sampler;
      differs = differs || (*a)[i].values != (*c)[i].values;
    }
    EXPECT_TRUE(differs) << sampler;
  }
}

TEST(TrialPointsTest, ValuesStayInTheirSpace) {
  auto trials = SampleTrials(Spec("trials: 200\nseed: 9\n"));
  ASSERT_TRUE(trials.ok());
  EXPECT_EQ((*trials)[0].name, "t0000");
  EXPECT_EQ((*trials)[199].name, "t0199");
  std::set<int64_t> ints;
  for (const TrialPoint& t : *trials) {
    const double x = t.values[0].get<double>();
    EXPECT_GE(x, -2);
    EXPECT_LT(x, 2);
    ASSERT_TRUE(t.values[1].is_number_integer());
    ints.insert(t.values[1].get<int64_t>());
    EXPECT_TRUE(t.values[2] == "lead" || t.values[2] == "tungsten" || t.values[2] == 3);
  }
  EXPECT_EQ(ints, (std::set<int64_t>{2, 3, 4, 5}));
}

TEST(TrialPointsTest, MapUnitCoversIntEndsAndLogScale) {
  StudyParameter n{"n", ParameterType::kInt, 2, 5, false, {}};
  EXPECT_EQ(MapUnit(n, 0.0), 2);
  EXPECT_EQ(MapUnit(n, 0.999999), 5);
  StudyParameter l{"l", ParameterType::kFloat, 1, 100, true, {}};
  EXPECT_NEAR(MapUnit(l, 0.5).get<double>(), 10.0, 1e-9);
  EXPECT_EQ(TrialName(12345, 20000), "t12345");
  EXPECT_EQ(TrialName(7, 100001), "t000007");
}

TEST(GridSamplerTest, EnumeratesEveryCombinationFirstParameterSlowest) {
  StudySpec spec = Spec("sampler: grid\npoints: 3\n");
  EXPECT_EQ(GridPointCount(spec), 3u * 4u * 3u);
  auto trials = SampleTrials(spec);
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 36u);
  EXPECT_EQ((*trials)[0].values, (std::vector<OrderedJson>{-2.0, 2, "lead"}));
  EXPECT_EQ((*trials)[1].values, (std::vector<OrderedJson>{-2.0, 2, "tungsten"}));
  EXPECT_EQ((*trials)[3].values, (std::vector<OrderedJson>{-2.0, 3, "lead"}));
  EXPECT_EQ((*trials)[12].values, (std::vector<OrderedJson>{0.0, 2, "lead"}));
  EXPECT_EQ((*trials)[35].values, (std::vector<OrderedJson>{2.0, 5, 3}));
}

}  // namespace
}  // namespace allot
