// Small helpers of the task-file parser: did-you-mean, glob patterns, sweep templates, ids.
#include <gtest/gtest.h>

#include "model/did_you_mean.h"
#include "model/glob.h"
#include "model/string_template.h"
#include "model/task_id.h"

namespace allot {
namespace {

TEST(DidYouMeanTest, SuggestsCloseNamesIncludingTranspositionsAndCase) {
  std::vector<std::string_view> fields = {"cores", "memory", "gpus", "depends_on", "time_limit"};
  EXPECT_EQ(EditDistance("coers", "cores"), 1);
  EXPECT_EQ(DidYouMean("coers", fields), "cores");
  EXPECT_EQ(DidYouMean("Cores", fields), "cores");
  EXPECT_EQ(DidYouMean("gpu", fields), "gpus");
  EXPECT_EQ(DidYouMean("timelimit", fields), "time_limit");
  EXPECT_EQ(DidYouMean("depends", fields), "depends_on");  // a prefix
  EXPECT_EQ(DidYouMean("banana", fields), "");
}

TEST(GlobTest, StarAndQuestionMark) {
  EXPECT_TRUE(GlobMatch("sim-*", "sim-1-2"));
  EXPECT_TRUE(GlobMatch("sim-*", "sim-"));
  EXPECT_FALSE(GlobMatch("sim-*", "prep-1"));
  EXPECT_TRUE(GlobMatch("sim-?-2", "sim-5-2"));
  EXPECT_FALSE(GlobMatch("sim-?-2", "sim-10-2"));
  EXPECT_TRUE(GlobMatch("*-2", "sim-10-2"));
  EXPECT_TRUE(GlobMatch("a*b*c", "axxbyyc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "axxbyy"));
  EXPECT_TRUE(IsGlobPattern("a*"));
  EXPECT_FALSE(IsGlobPattern("a-1"));
  EXPECT_EQ(GlobLiteralPrefix("sim-*-x"), "sim-");
}

TEST(StringTemplateTest, SubstitutesParametersAndEscapes) {
  Result<StringTemplate> t = StringTemplate::Compile("run {a} {{lit}} {b}} x}", {"a", "b"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::string a = "1", b = "two";
  EXPECT_EQ(t->Render({&a, &b}), "run 1 {lit} two} x}");
  EXPECT_TRUE(t->HasParameters());
}

TEST(StringTemplateTest, UnknownParameterAndUnclosedBraceAreErrors) {
  Result<StringTemplate> unknown = StringTemplate::Compile("awk '{print $1}'", {"a"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'{print $1}' is not a sweep parameter"),
            std::string::npos)
      << unknown.status().message();
  EXPECT_NE(unknown.status().message().find("{{"), std::string::npos);
  EXPECT_FALSE(StringTemplate::Compile("x {a", {"a"}).ok());
}

TEST(TaskIdTest, RejectsNamesThatCannotBeDirectories) {
  for (std::string_view bad :
       {"", ".", "..", "a/b", "a b", "tab\there", "nl\n", "bell\x07", "star*", "q?"}) {
    EXPECT_FALSE(ValidateTaskId(bad).ok()) << bad;
  }
  EXPECT_FALSE(ValidateTaskId(std::string(kMaxTaskIdLength + 1, 'x')).ok());
  for (std::string_view good : {"a", "sim-1.5-2", "...x", "Ünïcode", "a.b_c+d=e"}) {
    EXPECT_TRUE(ValidateTaskId(good).ok()) << good;
  }
}

// Regression (issue 8.9): "amb@1" hid attempt 1 of "amb", "a,b" could not be waited for, and
// invisible or bidirectional characters made one id look like another.
TEST(TaskIdTest, RejectsIdsThatCannotBeAddressed) {
  for (std::string_view bad : {"amb@1", "a,b", "nel\xC2\x85x", "rlo\xE2\x80\xAEx",
                               "zw\xE2\x80\x8Bsp", "nbsp\xC2\xA0x", "bom\xEF\xBB\xBF",
                               "bad\xF9utf8", "del\x7f"}) {
    Status s = ValidateTaskId(bad);
    EXPECT_FALSE(s.ok()) << bad;
  }
  EXPECT_NE(ValidateTaskId("rlo\xE2\x80\xAEx").message().find("U+202E"), std::string::npos);
  EXPECT_NE(ValidateTaskId("amb@1").message().find("'@'"), std::string::npos);
  for (std::string_view good : {"caf\xC3\xA9", "\xE4\xB8\xAD\xE6\x96\x87", "a:b", "x-1_2"}) {
    EXPECT_TRUE(ValidateTaskId(good).ok()) << good;
  }
}

TEST(ExecutionRefTest, FormatsAndSplitsTheOneFormat) {
  EXPECT_EQ(ExecutionRef("sim-3", 2), "sim-3@2");
  auto split = SplitExecutionRef("sim-3@2");
  ASSERT_TRUE(split);
  EXPECT_EQ(split->first, "sim-3");
  EXPECT_EQ(split->second, 2u);
  for (std::string_view bad : {"sim-3", "@2", "sim@", "sim@x", "sim@0", "sim@99999999999",
                               "sim@4294967296"}) {
    EXPECT_FALSE(SplitExecutionRef(bad)) << bad;
  }
}

}  // namespace
}  // namespace allot
