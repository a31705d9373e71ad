#include "exec/slurm_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using ::testing::ElementsAre;

TEST(SlurmTextTest, FieldsKeepTheirEmptyPieces) {
  EXPECT_THAT(SplitSlurmFields("42|RUNNING||n1", '|'), ElementsAre("42", "RUNNING", "", "n1"));
  EXPECT_THAT(SplitSlurmFields("", '|'), ElementsAre(""));
}

TEST(SlurmTextTest, TrimDropsBlanksAtBothEnds) {
  EXPECT_EQ(TrimSlurmText(" \t1234;cluster\r\n"), "1234;cluster");
  EXPECT_EQ(TrimSlurmText(" \n"), "");
}

}  // namespace
}  // namespace allot
