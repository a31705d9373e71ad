#include "model/diagnostic.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(DiagnosticTest, ToStringNamesFileLineTaskAndField) {
  Diagnostic d{"tasks.yaml", 12, "sim-1", "coers", "unknown field (did you mean 'cores'?)"};
  EXPECT_EQ(d.ToString(),
            "tasks.yaml:12: task 'sim-1': field 'coers': unknown field (did you mean 'cores'?)");
}

TEST(DiagnosticTest, ToStringLeavesOutWhatIsUnknown) {
  EXPECT_EQ((Diagnostic{"t.json", 0, "", "", "cannot read"}).ToString(), "t.json: cannot read");
  EXPECT_EQ((Diagnostic{"t.json", 3, "", "tasks", "empty"}).ToString(),
            "t.json:3: field 'tasks': empty");
  EXPECT_EQ((Diagnostic{"", 0, "big", "", "too big"}).ToString(), "task 'big': too big");
}

TEST(DiagnosticTest, ToStringKeepsTheFileLinePrefixWhenAColumnIsKnown) {
  Diagnostic d{"t.json", 3, "", "", "syntax error at column 14"};
  d.column = 14;
  EXPECT_EQ(d.ToString(), "t.json:3: syntax error at column 14");
}

TEST(FormatDiagnosticsTest, SortsByFileThenLineKeepingOrderWithinALine) {
  std::vector<Diagnostic> ds = {
      {"b.yaml", 1, "", "", "b1"},
      {"a.yaml", 9, "", "", "a9"},
      {"a.yaml", 2, "", "", "a2-first"},
      {"a.yaml", 2, "", "", "a2-second"},
  };
  EXPECT_EQ(FormatDiagnostics(ds),
            "a.yaml:2: a2-first\na.yaml:2: a2-second\na.yaml:9: a9\nb.yaml:1: b1\n");
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

TEST(DiagnosticTest, AnIdThatWouldReorderTheLineIsShownEscaped) {
  Diagnostic d{"t.yaml", 1, "run\xe2\x80\xae" "A", "id", "bad id"};
  EXPECT_EQ(d.ToString(), "t.yaml:1: task 'run<U+202E>A': field 'id': bad id");
}

}  // namespace
}  // namespace allot
