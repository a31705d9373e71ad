#include "exec/executable_lookup.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace allot {
namespace {

namespace fs = std::filesystem;

class FindExecutableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "allot-lookup-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    fs::create_directories(root_ + "/a");
    fs::create_directories(root_ + "/b");
    fs::create_directories(root_ + "/work/tools");
    Make("/a/data", fs::perms::owner_read | fs::perms::owner_write);
    Make("/b/data", fs::perms::owner_all);
    Make("/b/prog", fs::perms::owner_all);
    Make("/a/prog", fs::perms::owner_all);
    Make("/work/tools/run", fs::perms::owner_all);
    fs::create_directories(root_ + "/a/dir");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Make(const std::string& name, fs::perms perms) {
    std::ofstream(root_ + name) << "#!/bin/sh\n";
    fs::permissions(root_ + name, perms);
  }

  std::string root_;
  std::string path_;
};

TEST_F(FindExecutableTest, TakesTheFirstExecutableOnThePath) {
  std::string search = root_ + "/a:" + root_ + "/b";
  ASSERT_TRUE(FindExecutable("prog", search, "/", &path_));
  EXPECT_EQ(path_, root_ + "/a/prog");
}

TEST_F(FindExecutableTest, SkipsFilesWithoutExecuteBitsAndDirectories) {
  std::string search = root_ + "/a:" + root_ + "/b";
  ASSERT_TRUE(FindExecutable("data", search, "/", &path_));
  EXPECT_EQ(path_, root_ + "/b/data");
  EXPECT_FALSE(FindExecutable("dir", search, "/", &path_));
}

TEST_F(FindExecutableTest, ReportsMissingPrograms) {
  EXPECT_FALSE(FindExecutable("absent", root_ + "/a:" + root_ + "/b", "/", &path_));
  EXPECT_FALSE(FindExecutable("", root_ + "/a", "/", &path_));
}

TEST_F(FindExecutableTest, ResolvesPathsWithASlashAgainstTheTaskDirectory) {
  ASSERT_TRUE(FindExecutable("tools/run", "/nowhere", root_ + "/work", &path_));
  EXPECT_EQ(path_, root_ + "/work/tools/run");
  ASSERT_TRUE(FindExecutable(root_ + "/a/prog", "", "/", &path_));
  EXPECT_EQ(path_, root_ + "/a/prog");
  EXPECT_FALSE(FindExecutable("./run", "", root_ + "/work", &path_));
}

TEST_F(FindExecutableTest, EmptyPathEntryMeansTheTaskDirectory) {
  ASSERT_TRUE(FindExecutable("run", "/nowhere::/elsewhere", root_ + "/work/tools", &path_));
  EXPECT_EQ(path_, root_ + "/work/tools/run");
}

TEST(FindEnvValueTest, FindsExactNamesOnly) {
  std::vector<std::string> env = {"PATHX=no", "PATH=/bin:/usr/bin", "EMPTY="};
  std::string_view value;
  ASSERT_TRUE(FindEnvValue(env, "PATH", &value));
  EXPECT_EQ(value, "/bin:/usr/bin");
  ASSERT_TRUE(FindEnvValue(env, "EMPTY", &value));
  EXPECT_EQ(value, "");
  EXPECT_FALSE(FindEnvValue(env, "PAT", &value));
}

TEST(DefaultSearchPathTest, IncludesBin) {
  EXPECT_NE(DefaultSearchPath().find("/bin"), std::string_view::npos);
}

}  // namespace
}  // namespace allot
