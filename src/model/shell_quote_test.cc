#include "model/shell_quote.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(ShellQuoteTest, PlainWordsStayAsTheyAre) {
  EXPECT_EQ(QuoteShellWord("./sim"), "./sim");
  EXPECT_EQ(QuoteShellWord("--seed=1,2:3@x%y+z"), "--seed=1,2:3@x%y+z");
}

TEST(ShellQuoteTest, WordsWithShellCharactersAreSingleQuoted) {
  EXPECT_EQ(QuoteShellWord("a b"), "'a b'");
  EXPECT_EQ(QuoteShellWord("$HOME"), "'$HOME'");
  EXPECT_EQ(QuoteShellWord("*.root"), "'*.root'");
  EXPECT_EQ(QuoteShellWord("{index}"), "'{index}'");
  EXPECT_EQ(QuoteShellWord("~"), "'~'");
  EXPECT_EQ(QuoteShellWord(""), "''");
}

TEST(ShellQuoteTest, SingleQuotesInsideAreClosedEscapedAndReopened) {
  EXPECT_EQ(QuoteShellWord("it's"), "'it'\\''s'");
}

TEST(ShellQuoteTest, JoinSeparatesWithSpacesAndQuotesAnAssignmentLikeFirstWord) {
  EXPECT_EQ(JoinShellWords({"./sim", "--out", "a b", "x=1"}), "./sim --out 'a b' x=1");
  EXPECT_EQ(JoinShellWords({"A=B", "c"}), "'A=B' c");
  EXPECT_EQ(JoinShellWords({}), "");
}

// The real test of quoting: /bin/sh must split the line back into the same words.
TEST(ShellQuoteTest, ShellSplitsTheJoinedLineBackIntoTheWords) {
  const std::vector<std::string> words = {"printf", "%s|", "a b", "it's", "$HOME", "*", "",
                                          "back\\slash", "new\nline", "\"dq\"", "{x}"};
  std::string line = JoinShellWords(words);
  std::string script = "sh -c " + QuoteShellWord(line);
  FILE* pipe = popen(script.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[256];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0);
  std::string expected;
  for (size_t i = 2; i < words.size(); ++i) expected += words[i] + "|";
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace allot
