// Declared outputs on real files: which files patterns match, what is missing, the manifest.
#include "worker/output_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace allot {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

class OutputCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/allot-outputs-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(dir_ + "/" + rel).parent_path());
    std::ofstream(dir_ + "/" + rel, std::ios::binary) << text;
  }
  std::string dir_;
};

TEST_F(OutputCheckTest, PatternsMatchFilesInOrderDirectoriesStandForTheirFilesEachOnce) {
  Write("b.h5", "b");
  Write("a.h5", "a");
  Write("tables/2.csv", "2");
  Write("tables/sub/1.csv", "1");
  Write("summary.txt", "s");
  Result<std::vector<std::string>> files =
      MatchOutputs({"*.h5", "tables", dir_ + "/summary.txt", "a.h5"}, dir_);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_THAT(*files, ElementsAre(dir_ + "/a.h5", dir_ + "/b.h5", dir_ + "/tables/2.csv",
                                  dir_ + "/tables/sub/1.csv", dir_ + "/summary.txt"));
}

TEST_F(OutputCheckTest, APatternThatMatchesNoFileIsMissingAndNamed) {
  Write("a.h5", "a");
  fs::create_directories(dir_ + "/empty");
  for (const std::string& p : {std::string("out/*.h5"), std::string("result.h5"),
                               std::string("empty")}) {
    Result<std::vector<std::string>> files = MatchOutputs({"a.h5", p}, dir_);
    ASSERT_FALSE(files.ok()) << p;
    EXPECT_EQ(files.status().message(),
              "declared output '" + p + "' is missing (nothing matches " + dir_ + "/" + p + ")");
  }
}

TEST_F(OutputCheckTest, TheManifestHasEachFilesSizeAndSha256) {
  Write("abc.txt", "abc");
  Result<std::vector<OutputFile>> m = DescribeOutputs({dir_ + "/abc.txt"});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].size, 3);
  EXPECT_EQ((*m)[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Result<std::vector<OutputFile>> back = OutputManifestFromJson(OutputManifestToJson(*m));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *m);
  EXPECT_FALSE(DescribeOutputs({dir_ + "/gone.txt"}).ok());
  EXPECT_FALSE(OutputManifestFromJson(R"([{"path": "x"}])").ok());
}

}  // namespace
}  // namespace allot
