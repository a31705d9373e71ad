#include "exec/command_line.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using Words = std::vector<std::string>;

Words Split(std::string_view command) {
  Words words;
  EXPECT_TRUE(SplitPlainCommand(command, &words)) << command;
  return words;
}

bool NeedsShell(std::string_view command) {
  Words words;
  return !SplitPlainCommand(command, &words);
}

TEST(SplitPlainCommandTest, SplitsPlainWordsOnSpacesAndTabs) {
  EXPECT_EQ(Split("sim --steps 10\t--out=run/1.dat"),
            (Words{"sim", "--steps", "10", "--out=run/1.dat"}));
  EXPECT_EQ(Split("  true  "), (Words{"true"}));
  EXPECT_EQ(Split("/usr/bin/python3 -m pkg.mod a,b:c+d@e%f^g"),
            (Words{"/usr/bin/python3", "-m", "pkg.mod", "a,b:c+d@e%f^g"}));
}

TEST(SplitPlainCommandTest, HonoursSingleAndDoubleQuotes) {
  EXPECT_EQ(Split("echo 'a  b' \"c d\""), (Words{"echo", "a  b", "c d"}));
  EXPECT_EQ(Split("echo a'b c'd\"e\""), (Words{"echo", "ab cde"}));
  EXPECT_EQ(Split("echo '' \"\""), (Words{"echo", "", ""}));
  EXPECT_EQ(Split("echo '$HOME * ; | \\'"), (Words{"echo", "$HOME * ; | \\"}));
  EXPECT_EQ(Split("echo \"it's\""), (Words{"echo", "it's"}));
}

TEST(SplitPlainCommandTest, KeepsUtf8AsPlainText) {
  EXPECT_EQ(Split("touch r\xc3\xa9sultat"), (Words{"touch", "r\xc3\xa9sultat"}));
}

TEST(SplitPlainCommandTest, SendsExpansionsAndOperatorsToTheShell) {
  for (const char* command :
       {"echo $HOME",     "echo `date`", "a | b",      "a && b",      "a; b",
        "a > out",        "a < in",      "(a)",        "ls *.dat",    "ls file?",
        "ls [ab]",        "echo ~",      "echo {a,b}", "a # comment", "! a",
        "echo a\\ b",     "a\nb",        "a & ",       "echo \"$X\"", "echo \"`x`\"",
        "echo \"a\\\"b\""}) {
    EXPECT_TRUE(NeedsShell(command)) << command;
  }
}

TEST(SplitPlainCommandTest, SendsAssignmentsInTheFirstWordToTheShell) {
  EXPECT_TRUE(NeedsShell("FOO=1 sim"));
  EXPECT_FALSE(NeedsShell("sim FOO=1"));
}

TEST(SplitPlainCommandTest, SendsBuiltinsAndKeywordsToTheShell) {
  for (const char* command : {"cd /tmp", "exit 3", "export A", "if", "'exit' 3", ". ./env.sh",
                              "source env.sh", "exec sim", "wait", "umask 022"}) {
    EXPECT_TRUE(NeedsShell(command)) << command;
  }
  EXPECT_FALSE(NeedsShell("echo cd"));
  EXPECT_FALSE(NeedsShell("true"));
  EXPECT_FALSE(NeedsShell("test -f x"));
}

TEST(SplitPlainCommandTest, SendsUnterminatedQuotesAndEmptyCommandsToTheShell) {
  EXPECT_TRUE(NeedsShell("echo 'oops"));
  EXPECT_TRUE(NeedsShell("echo \"oops"));
  EXPECT_TRUE(NeedsShell(""));
  EXPECT_TRUE(NeedsShell("   "));
}

TEST(SplitPlainCommandTest, ReusesAndTrimsTheWordVector) {
  Words words = {"old", "leftover", "words", "here"};
  ASSERT_TRUE(SplitPlainCommand("a b", &words));
  EXPECT_EQ(words, (Words{"a", "b"}));
}

}  // namespace
}  // namespace allot
