// FirstDifference: what `allot run --resume FILE` names when a task of the file differs from
// the journal's copy.
#include "server/campaign_setup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using ::testing::HasSubstr;

TaskSpec Spec() {
  TaskSpec s;
  s.id = "sim-e1-s1";
  s.command = "geant4 --energy 1";
  s.workdir = "/home/ana/campaign";
  s.env = {{"OMP_NUM_THREADS", "2"}};
  return s;
}

TEST(FirstDifferenceTest, NamesTheWorkdirWithBothValuesAndWhereToResumeFrom) {
  TaskSpec moved = Spec();
  moved.workdir = "/home/ana/elsewhere";
  std::string message;
  EXPECT_EQ(FirstDifference(Spec(), moved, &message), "workdir");
  EXPECT_THAT(message, HasSubstr("differs from the journal's copy (journal: "
                                 "\"/home/ana/campaign\", file: \"/home/ana/elsewhere\")"));
  EXPECT_THAT(message, HasSubstr("resume from there"));
}

TEST(FirstDifferenceTest, NamesAFieldThatOnlyOneSideHasAndCutsLongValues) {
  TaskSpec more = Spec();
  more.time_limit = std::chrono::seconds(60);
  more.command = std::string(100, 'x') + std::string(100, 'y');
  std::string message;
  EXPECT_EQ(FirstDifference(Spec(), more, &message), "command");
  EXPECT_THAT(message, HasSubstr("xxx...yyy"));
  EXPECT_LT(message.size(), 200u);
  TaskSpec limited = Spec();
  limited.time_limit = std::chrono::seconds(60);
  EXPECT_EQ(FirstDifference(Spec(), limited, &message), "time_limit");
  EXPECT_THAT(message, HasSubstr("journal: unset"));
}

TEST(FirstDifferenceTest, EqualSpecsHaveNoDifference) {
  std::string message;
  EXPECT_EQ(FirstDifference(Spec(), Spec(), &message), "");
}

}  // namespace
}  // namespace allot
