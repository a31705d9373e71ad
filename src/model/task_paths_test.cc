// The path rule of task files (model/task_paths.h): what counts as a path and how it resolves.
#include "model/task_paths.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

// The command as ResolveCommandProgram leaves it.
std::string Resolved(std::string_view dir, std::string command) {
  ResolveCommandProgram(dir, &command);
  return command;
}

TEST(ResolveCommandProgramTest, RelativeProgramWithSlashResolvesAgainstTheDirectory) {
  EXPECT_EQ(Resolved("/repo/demo", "./simulate.sh 1 2"),
            "/repo/demo/simulate.sh 1 2");
  EXPECT_EQ(Resolved("/repo/demo", "bin/sim --seed 3"), "/repo/demo/bin/sim --seed 3");
  EXPECT_EQ(Resolved("/repo/demo", "../tools/run"), "/repo/tools/run");
  EXPECT_EQ(Resolved("/", "./sim"), "/sim");
}

TEST(ResolveCommandProgramTest, ArgumentsAndLeadingBlanksStayAsWritten) {
  EXPECT_EQ(Resolved("/d", "  ./sim ./input.dat > out/log 2>&1"),
            "  /d/sim ./input.dat > out/log 2>&1");
  EXPECT_EQ(Resolved("/d", "./sim>out"), "/d/sim>out");
  EXPECT_EQ(Resolved("/d", "./a.sh; ./b.sh"), "/d/a.sh; ./b.sh");
}

TEST(ResolveCommandProgramTest, BareNamesAndAbsoluteProgramsAreUnchanged) {
  EXPECT_EQ(Resolved("/d", "python3 ./analyse.py"), "python3 ./analyse.py");
  EXPECT_EQ(Resolved("/d", "/usr/bin/env x"), "/usr/bin/env x");
  EXPECT_EQ(Resolved("/d", ""), "");
  EXPECT_EQ(Resolved("/d", "   "), "   ");
}

TEST(ResolveCommandProgramTest, WhatTheShellComputesIsUnchanged) {
  for (const char* command :
       {"$HOME/bin/sim", "~/bin/sim", "'./my sim' x", "\"./sim\"", "A=1 ./sim", "./sim*",
        "(./sim)", "{ ./sim; }", "./f() { :; }", "\\./sim", "`which sim`/x"}) {
    std::string text = command;
    EXPECT_FALSE(ResolveCommandProgram("/d", &text)) << command;
    EXPECT_EQ(text, command);
  }
}

TEST(ResolveCommandProgramTest, DirectoryWithShellCharactersIsQuoted) {
  EXPECT_EQ(Resolved("/my runs", "./sim 1"), "'/my runs/sim' 1");
  EXPECT_EQ(Resolved("/it's", "./sim"), "'/it'\\''s/sim'");
}

TEST(ResolveCommandProgramTest, EmptyDirectoryChangesNothing) {
  std::string command = "./sim 1";
  EXPECT_FALSE(ResolveCommandProgram("", &command));
  EXPECT_EQ(command, "./sim 1");
}

TEST(ResolvePathTest, JoinsAndNormalizes) {
  EXPECT_EQ(ResolvePath("/base", "runs/a"), "/base/runs/a");
  EXPECT_EQ(ResolvePath("/base", "./runs/a/"), "/base/runs/a");
  EXPECT_EQ(ResolvePath("/base", "../up"), "/up");
  EXPECT_EQ(ResolvePath("/base", "/abs//dir/"), "/abs/dir");
  EXPECT_EQ(ResolvePath("/", "x"), "/x");
  EXPECT_EQ(ResolvePath("", "runs/a"), "runs/a");
  EXPECT_EQ(ResolvePath("", "./runs/a/"), "runs/a");
}

}  // namespace
}  // namespace allot
