// The node-exec endpoints' requests: what a well-formed body and query give, and bad ones
// refused naming the field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/node_exec_request.h"

namespace allot {
namespace {

using ::testing::HasSubstr;

TEST(NodeExecRequestTest, ABodyGivesTheExecutionNodeCommandAndCwd) {
  Result<NodeExecRequest> r = ParseNodeExecBody(
      R"({"execution": "mpi@2", "node": "n2", "command": "hydra_pmi_proxy --x", "cwd": "/w"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->execution, "mpi@2");
  EXPECT_EQ(r->node, "n2");
  EXPECT_EQ(r->command, "hydra_pmi_proxy --x");
  EXPECT_EQ(r->cwd, "/w");
}

TEST(NodeExecRequestTest, BadBodiesNameTheField) {
  EXPECT_THAT(ParseNodeExecBody("[]").status().message(), HasSubstr("JSON object"));
  EXPECT_THAT(ParseNodeExecBody(R"({"execution": "a@1", "node": "n", "command": "x", "x": 1})")
                  .status()
                  .message(),
              HasSubstr("unknown field 'x'"));
  EXPECT_THAT(ParseNodeExecBody(R"({"execution": "a@1", "node": 3, "command": "x"})")
                  .status()
                  .message(),
              HasSubstr("'node': expected a string"));
  EXPECT_THAT(ParseNodeExecBody(R"({"execution": "a@1", "node": "n"})").status().message(),
              HasSubstr("'command': missing or empty"));
}

TEST(NodeExecRequestTest, AWaitTakesARunNumberAndATimeout) {
  Result<NodeRunWaitRequest> r = ParseNodeRunWait("12", {{"timeout_s", "2.5"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->run, 12u);
  EXPECT_EQ(r->timeout_s, 2.5);
  EXPECT_THAT(ParseNodeRunWait("x", {}).status().message(), HasSubstr("not a node run number"));
  EXPECT_THAT(ParseNodeRunWait("0", {}).status().message(), HasSubstr("not a node run number"));
  EXPECT_THAT(ParseNodeRunWait("1", {{"timeout_s", "-1"}}).status().message(),
              HasSubstr("timeout_s"));
  EXPECT_THAT(ParseNodeRunWait("1", {{"limit", "3"}}).status().message(),
              HasSubstr("unknown parameter 'limit'"));
}

}  // namespace
}  // namespace allot
