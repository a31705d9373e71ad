#include "study/sobol_sequence.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace allot {
namespace {

// The unscrambled sequence as published (Joe-Kuo; SciPy qmc.Sobol(scramble=False) rows 1..8).
TEST(SobolSequenceTest, FirstPointsOfThreeDimensionsMatchThePublishedSequence) {
  const std::vector<std::vector<double>> expected = {
      {0.5, 0.5, 0.5},         {0.75, 0.25, 0.25},      {0.25, 0.75, 0.75},
      {0.375, 0.375, 0.625},   {0.875, 0.875, 0.125},   {0.625, 0.125, 0.875},
      {0.125, 0.625, 0.375},   {0.1875, 0.3125, 0.9375},
  };
  SobolSequence sobol(3);
  std::vector<double> p;
  for (const std::vector<double>& want : expected) {
    sobol.Next(&p);
    EXPECT_EQ(p, want);
  }
}

TEST(SobolSequenceTest, OneDimensionIsVanDerCorput) {
  SobolSequence sobol(1);
  std::vector<double> p;
  for (double want : {0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125}) {
    sobol.Next(&p);
    EXPECT_EQ(p[0], want);
  }
}

TEST(SobolSequenceTest, PointsStayInTheUnitCubeAndFirst2ToTheKAreAStratifiedNet) {
  SobolSequence sobol(SobolSequence::kMaxDimensions);
  std::vector<double> p;
  // Points 1..255 plus the skipped 0: in each dimension the 256 values are exactly k/256.
  std::vector<std::set<double>> seen(SobolSequence::kMaxDimensions, std::set<double>{0.0});
  for (int i = 0; i < 255; ++i) {
    sobol.Next(&p);
    for (int d = 0; d < SobolSequence::kMaxDimensions; ++d) {
      ASSERT_GE(p[d], 0.0);
      ASSERT_LT(p[d], 1.0);
      seen[d].insert(p[d]);
    }
  }
  for (int d = 0; d < SobolSequence::kMaxDimensions; ++d) {
    EXPECT_EQ(seen[d].size(), 256u) << "dimension " << d + 1;
  }
}

TEST(SobolSequenceTest, TwoSequencesAreTheSame) {
  SobolSequence a(5), b(5);
  std::vector<uint32_t> x, y;
  for (int i = 0; i < 100; ++i) {
    a.NextBits(&x);
    b.NextBits(&y);
    ASSERT_EQ(x, y);
  }
}

}  // namespace
}  // namespace allot
