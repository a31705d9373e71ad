// CheckpointStore on real files: sealing, verification, rejection of corrupted sets, keep.
#include "worker/checkpoint_store.h"

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
using ::testing::HasSubstr;

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/allot-ckpt-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    root_ = dir_ + "/sim/checkpoints";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void Write(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // One attempt that writes `files` (path -> content) into its checkpoint directory.
  CheckpointReport RunAttempt(uint32_t attempt, const std::map<std::string, std::string>& files,
                              const CheckpointSpec& spec = {}) {
    CheckpointStore store(root_);
    Result<PreparedCheckpoint> p = store.Prepare(attempt);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_TRUE(fs::is_empty(p->out_dir));
    last_restore_ = p->restore_dir;
    for (const auto& [name, text] : files) Write(p->out_dir + "/" + name, text);
    CheckpointReport report = p->report;
    EXPECT_TRUE(store.Seal(attempt, spec, 1000 * attempt, &report).ok());
    return report;
  }

  std::string dir_;
  std::string root_;
  std::string last_restore_;
};

TEST_F(CheckpointStoreTest, SealMakesANumberedSetWhoseManifestHasEveryFilesSizeAndSha256) {
  CheckpointReport r = RunAttempt(1, {{"state.bin", "abc"}, {"sub/meta.txt", ""}});
  ASSERT_TRUE(r.sealed);
  EXPECT_EQ(r.sealed->set, 1);
  EXPECT_EQ(r.sealed->attempt, 1u);
  ASSERT_EQ(r.sealed->files.size(), 2u);
  EXPECT_EQ(r.sealed->files[0].path, "state.bin");
  EXPECT_EQ(r.sealed->files[0].size, 3);
  // sha256("abc") and sha256("")
  EXPECT_EQ(r.sealed->files[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(r.sealed->files[1].path, "sub/meta.txt");
  EXPECT_EQ(r.sealed->files[1].sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Read(root_ + "/1/state.bin"), "abc");
  CheckpointManifest on_disk;
  EXPECT_TRUE(CheckpointStore::Verify(root_ + "/1", &on_disk).ok());
  EXPECT_EQ(on_disk, *r.sealed);
  EXPECT_FALSE(fs::exists(root_ + "/.writing-1"));
}

TEST_F(CheckpointStoreTest, TheNextAttemptGetsTheNewestSet) {
  RunAttempt(1, {{"state.bin", "one"}});
  CheckpointReport second = RunAttempt(2, {{"state.bin", "two"}});
  EXPECT_EQ(second.restored, 1);
  EXPECT_EQ(last_restore_, root_ + "/1");
  CheckpointReport third = RunAttempt(3, {});
  EXPECT_EQ(third.restored, 2);
  EXPECT_EQ(Read(last_restore_ + "/state.bin"), "two");
  EXPECT_FALSE(third.sealed) << "wrote nothing: no set";
  EXPECT_TRUE(third.incomplete.empty());
}

TEST_F(CheckpointStoreTest, ACorruptedSetIsRejectedNamedAndTheOlderOneUsed) {
  RunAttempt(1, {{"state.bin", "one"}});
  RunAttempt(2, {{"state.bin", "two"}});
  Write(root_ + "/2/state.bin", "tw0");  // same size, other bytes
  CheckpointReport r = RunAttempt(3, {});
  EXPECT_EQ(r.restored, 1);
  EXPECT_THAT(r.rejected, ElementsAre("set 2 (state.bin: SHA-256 differs from its manifest)"));
  EXPECT_TRUE(fs::exists(root_ + "/2.rejected/state.bin")) << "kept for a person to look at";
  // Never offered again, and the next set's number is past it.
  CheckpointReport next = RunAttempt(4, {{"state.bin", "four"}});
  EXPECT_TRUE(next.rejected.empty());
  EXPECT_EQ(next.restored, 1);
  ASSERT_TRUE(next.sealed);
  EXPECT_EQ(next.sealed->set, 3);
}

TEST_F(CheckpointStoreTest, TruncatedMissingOrUnsealedSetsAreRejectedSayingWhy) {
  RunAttempt(1, {{"state.bin", "one"}, {"b", "x"}});
  RunAttempt(2, {{"state.bin", "two"}, {"b", "x"}});
  RunAttempt(3, {{"state.bin", "three"}, {"b", "x"}}, CheckpointSpec{.keep = 5});
  Write(root_ + "/3/state.bin", "th");
  fs::remove(root_ + "/2/b");
  fs::create_directories(root_ + "/4");  // never sealed (no manifest)
  CheckpointReport r = RunAttempt(5, {}, CheckpointSpec{.keep = 5});
  EXPECT_EQ(r.restored, 1);
  EXPECT_THAT(r.rejected, ElementsAre(HasSubstr("set 4 (MANIFEST.json: missing"),
                                      "set 3 (state.bin: 2 bytes, its manifest says 5)",
                                      "set 2 (b: missing or unreadable)"));
}

TEST_F(CheckpointStoreTest, ASetMissingADeclaredFileIsIncompleteAndNotKept) {
  CheckpointSpec spec;
  spec.files = {"state.bin", "*.h5"};
  CheckpointReport r = RunAttempt(1, {{"state.bin", "x"}, {"out.txt", "y"}}, spec);
  EXPECT_FALSE(r.sealed);
  EXPECT_EQ(r.incomplete, "no file matches '*.h5' of checkpoint.files");
  EXPECT_FALSE(fs::exists(root_ + "/1"));
  EXPECT_FALSE(fs::exists(root_ + "/.writing-1"));
  CheckpointReport ok = RunAttempt(2, {{"state.bin", "x"}, {"fields.h5", "y"}}, spec);
  ASSERT_TRUE(ok.sealed);
  EXPECT_EQ(ok.sealed->set, 1);
}

TEST_F(CheckpointStoreTest, KeepRetainsTheNewestSets) {
  CheckpointSpec spec;
  spec.keep = 2;
  for (uint32_t a = 1; a <= 4; ++a) RunAttempt(a, {{"s", std::to_string(a)}}, spec);
  EXPECT_FALSE(fs::exists(root_ + "/1"));
  EXPECT_FALSE(fs::exists(root_ + "/2"));
  EXPECT_TRUE(fs::exists(root_ + "/3"));
  EXPECT_TRUE(fs::exists(root_ + "/4"));
}

TEST_F(CheckpointStoreTest, WhatACrashedAttemptWasWritingIsDiscarded) {
  CheckpointStore store(root_);
  ASSERT_TRUE(store.Prepare(1).ok());
  Write(root_ + "/.writing-1/state.bin", "half");  // the attempt died before its seal
  Result<PreparedCheckpoint> p = store.Prepare(2);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->report.restored);
  EXPECT_FALSE(fs::exists(root_ + "/.writing-1"));
}

TEST_F(CheckpointStoreTest, RootIsTheTasksOutputDirectoryOrTheSharedDir) {
  EXPECT_EQ(CheckpointStore::RootFor({}, "sim-1", "/w/sim-1"), "/w/sim-1/checkpoints");
  CheckpointSpec shared;
  shared.dir = "/gpfs/ckpt";
  EXPECT_EQ(CheckpointStore::RootFor(shared, "sim-1", "/w/sim-1"), "/gpfs/ckpt/sim-1");
}

TEST(CheckpointReportTest, RoundTripsThroughJsonAndDescribesItself) {
  CheckpointReport r;
  r.dir = "/w/sim/checkpoints";
  r.restored = 2;
  r.rejected = {"set 3 (state.bin: SHA-256 differs from its manifest)"};
  r.sealed = CheckpointManifest{4, 5, 77, {{"state.bin", 16 << 20, std::string(64, 'a')}}};
  Result<CheckpointReport> back = CheckpointReportFromJson(CheckpointReportToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
  EXPECT_EQ(DescribeCheckpointReport(r),
            "from set 2; rejected set 3 (state.bin: SHA-256 differs from its manifest); left set "
            "4 (1 file, 16 MiB)");
  EXPECT_FALSE(CheckpointReportFromJson("{\"sealed\": {\"set\": 0}}").ok());
  EXPECT_FALSE(CheckpointRecordSealsASet("not json"));
}

}  // namespace
}  // namespace allot
