// What of an attempt's stderr becomes its reason when the shell could not run its command.
#include "exec/stderr_tail.h"

#include <gtest/gtest.h>

#include <string>

namespace allot {
namespace {

TEST(StderrTailTest, KeepsTheLastThreeNonEmptyLinesTrimmed) {
  EXPECT_EQ(FormatStderrTail("sh: 1: ./simulate.sh: not found\n"),
            "sh: 1: ./simulate.sh: not found");
  EXPECT_EQ(FormatStderrTail("one\ntwo\n\n  three \r\n\n four\n\n"), "two | three | four");
  EXPECT_EQ(FormatStderrTail("only, no newline"), "only, no newline");
}

TEST(StderrTailTest, NothingVisibleGivesEmpty) {
  EXPECT_EQ(FormatStderrTail(""), "");
  EXPECT_EQ(FormatStderrTail("\n \n\t\n"), "");
}

TEST(StderrTailTest, InvisibleCharactersAreEscaped) {
  EXPECT_EQ(FormatStderrTail("bad\x1b[31m red\n"), "bad<U+001B>[31m red");
  EXPECT_EQ(FormatStderrTail("byte \xff here\n"), "byte <FF> here");
}

TEST(StderrTailTest, ALongTailKeepsItsEndWithinTheCap) {
  const std::string line = std::string(500, 'x') + " not found\n";
  const std::string tail = FormatStderrTail(line);
  EXPECT_EQ(tail.size(), 200u);
  EXPECT_EQ(tail.substr(0, 3), "...");
  EXPECT_EQ(tail.substr(tail.size() - 10), " not found");
  // Never starts inside a UTF-8 character.
  const std::string wide = FormatStderrTail(std::string(300, 'a') + "\xc3\xa9\xc3\xa9", 3, 8);
  EXPECT_EQ(wide, "...a\xc3\xa9\xc3\xa9");
}

}  // namespace
}  // namespace allot
