#include "common/status.h"

#include <gtest/gtest.h>

#include "common/result.h"

namespace allot {
namespace {

std::vector<Diagnostic> TwoProblems() {
  return {{"t.yaml", 3, "a", "coers", "unknown field"}, {"t.yaml", 9, "b", "depends_on", "x"}};
}

TEST(StatusDiagnosticsTest, CarriedBesideAnUnchangedMessage) {
  Status s = Status::InvalidArgument("t.yaml: 2 problems").WithDiagnostics(TwoProblems());
  EXPECT_EQ(s.message(), "t.yaml: 2 problems");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.diagnostics(), TwoProblems());
}

TEST(StatusDiagnosticsTest, SurviveCopiesResultsAndPrefixes) {
  Status s = Status::InvalidArgument("t.yaml: 2 problems").WithDiagnostics(TwoProblems());
  Result<int> r = s;
  EXPECT_EQ(r.status().diagnostics(), TwoProblems());
  Status prefixed = r.status().WithPrefix("submit");
  EXPECT_EQ(prefixed.message(), "submit: t.yaml: 2 problems");
  EXPECT_EQ(prefixed.diagnostics(), TwoProblems());
}

TEST(StatusDiagnosticsTest, NoneByDefaultAndNoneOnOk) {
  EXPECT_TRUE(Status::NotFound("no task 'x'").diagnostics().empty());
  EXPECT_TRUE(Status::Ok().WithDiagnostics(TwoProblems()).diagnostics().empty());
  Status s = Status::InvalidArgument("x").WithDiagnostics(TwoProblems()).WithDiagnostics({});
  EXPECT_TRUE(s.diagnostics().empty());
}

}  // namespace
}  // namespace allot
