// NodeHostTokens: hostfile-safe, unique, and the same for the same names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/node_host.h"

namespace allot {
namespace {

using ::testing::ElementsAre;

TEST(NodeHostTokensTest, PlainNamesStayAsTheyAre) {
  EXPECT_THAT(NodeHostTokens({"n1", "node-2.cluster", "w_3"}),
              ElementsAre("n1", "node-2.cluster", "w_3"));
}

TEST(NodeHostTokensTest, DefaultWorkerNamesLoseTheColonsTheHostfileUses) {
  EXPECT_THAT(NodeHostTokens({"node7:4242:ab12cd34", ""}),
              ElementsAre("node7-4242-ab12cd34", "node"));
}

TEST(NodeHostTokensTest, TokensThatCollideGetANumber) {
  EXPECT_THAT(NodeHostTokens({"a:1", "a-1", "a 1"}), ElementsAre("a-1", "a-1-2", "a-1-3"));
}

}  // namespace
}  // namespace allot
