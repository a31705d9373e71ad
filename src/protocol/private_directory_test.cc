// MakePrivateDirectory on real directories: created 0700 whatever the umask, an existing one
// made 0700, and what it must not touch left as it is.
#include "protocol/private_directory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using ::testing::HasSubstr;

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class PrivateDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/private-dir-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    old_umask_ = umask(0);  // the loosest: 0777 less nothing
  }
  void TearDown() override {
    umask(old_umask_);
    std::filesystem::remove_all(root_);
  }

  std::string root_;
  mode_t old_umask_ = 0;
};

TEST_F(PrivateDirectoryTest, NewDirectoryIs0700WhateverTheUmask) {
  const std::string dir = root_ + "/new";
  ASSERT_TRUE(MakePrivateDirectory(dir).ok());
  EXPECT_EQ(ModeOf(dir), 0700u);
}

TEST_F(PrivateDirectoryTest, ExistingOpenDirectoryIsMade0700) {
  const std::string dir = root_ + "/open";
  ASSERT_EQ(mkdir(dir.c_str(), 0777), 0);
  ASSERT_EQ(ModeOf(dir), 0777u);
  ASSERT_TRUE(MakePrivateDirectory(dir).ok());
  EXPECT_EQ(ModeOf(dir), 0700u);
  ASSERT_TRUE(MakePrivateDirectory(dir).ok());  // again: nothing to do
  EXPECT_EQ(ModeOf(dir), 0700u);
}

TEST_F(PrivateDirectoryTest, AFileInTheWayIsRefusedAndKept) {
  const std::string path = root_ + "/file";
  std::ofstream(path) << "x";
  Status s = MakePrivateDirectory(path);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr(path));
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

TEST_F(PrivateDirectoryTest, AnotherUsersDirectoryIsRefusedAndLeftAsItIs) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to another user";
  const std::string dir = root_ + "/theirs";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  ASSERT_EQ(chown(dir.c_str(), 65534, 65534), 0);
  Status s = MakePrivateDirectory(dir);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr(dir + " is owned by uid 65534"));
  EXPECT_THAT(s.message(), HasSubstr("mode 0755"));
  EXPECT_EQ(ModeOf(dir), 0755u);
}

TEST_F(PrivateDirectoryTest, MissingParentIsAnErrorNamingThePath) {
  const std::string dir = root_ + "/no/such";
  Status s = MakePrivateDirectory(dir);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(dir));
}

}  // namespace
}  // namespace allot
