#include "report/group_by.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TaskSpec Spec(std::string id, std::map<std::string, std::string> tags) {
  TaskSpec s;
  s.id = std::move(id);
  s.tags = std::move(tags);
  return s;
}

TEST(ParseGroupByTest, AcceptsTheFourNamesAndAnyTag) {
  EXPECT_EQ(ParseGroupBy("project")->kind, GroupBy::Kind::kProject);
  EXPECT_EQ(ParseGroupBy("scenario")->kind, GroupBy::Kind::kScenario);
  EXPECT_EQ(ParseGroupBy("profile")->kind, GroupBy::Kind::kProfile);
  EXPECT_EQ(ParseGroupBy("user")->kind, GroupBy::Kind::kUser);
  Result<GroupBy> tag = ParseGroupBy("tag:site");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->kind, GroupBy::Kind::kTag);
  EXPECT_EQ(tag->tag_key, "site");
  EXPECT_EQ(tag->Name(), "tag:site");
}

TEST(ParseGroupByTest, RejectsUnknownNamesAndAnEmptyTagSayingWhatIsAccepted) {
  for (const char* bad : {"", "projects", "tag:", "Project", "tag"}) {
    Result<GroupBy> by = ParseGroupBy(bad);
    ASSERT_FALSE(by.ok()) << bad;
    EXPECT_EQ(by.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(by.status().message().find("tag:KEY"), std::string::npos);
  }
}

TEST(DerivedProfileNameTest, StripsTheSweepsTrailingNumbersAndSeparators) {
  EXPECT_EQ(DerivedProfileName("sim-10-3"), "sim");
  EXPECT_EQ(DerivedProfileName("sim-1.5-3"), "sim");
  EXPECT_EQ(DerivedProfileName("reco_7"), "reco");
  EXPECT_EQ(DerivedProfileName("analyse"), "analyse");
  EXPECT_EQ(DerivedProfileName("g4-run-a-2"), "g4-run-a");
  EXPECT_EQ(DerivedProfileName("42"), "42");  // nothing would be left
}

TEST(DerivedProfileNameTest, StripsParametersWithLettersAndDigitsButNeverTheFirstPart) {
  EXPECT_EQ(DerivedProfileName("sim-L1-s2"), "sim");
  EXPECT_EQ(DerivedProfileName("sim-e1-s1"), "sim");
  EXPECT_EQ(DerivedProfileName("lmp_T300_P1"), "lmp");
  EXPECT_EQ(DerivedProfileName("geant4"), "geant4");
  EXPECT_EQ(DerivedProfileName("geant4-run-3"), "geant4-run");
  EXPECT_EQ(DerivedProfileName("stage2-reco"), "stage2-reco");
  EXPECT_EQ(DerivedProfileName("7-3"), "7-3");
}

TEST(GroupOfTest, ReadsTheTagAndFallsBackToNone) {
  TaskSpec tagged = Spec("sim-1", {{"project", "epic"}, {"scenario", "hi"}, {"site", "bnl"}});
  TaskSpec bare = Spec("sim-2", {});
  EXPECT_EQ(GroupOf(tagged, *ParseGroupBy("project"), "ann"), "epic");
  EXPECT_EQ(GroupOf(tagged, *ParseGroupBy("scenario"), "ann"), "hi");
  EXPECT_EQ(GroupOf(tagged, *ParseGroupBy("tag:site"), "ann"), "bnl");
  EXPECT_EQ(GroupOf(bare, *ParseGroupBy("project"), "ann"), kNoGroup);
  EXPECT_EQ(GroupOf(bare, *ParseGroupBy("tag:site"), "ann"), kNoGroup);
}

TEST(GroupOfTest, ProfilePrefersTheTagOverTheDerivedName) {
  EXPECT_EQ(GroupOf(Spec("sim-3", {{"profile", "geant"}}), *ParseGroupBy("profile"), ""), "geant");
  EXPECT_EQ(GroupOf(Spec("sim-3", {}), *ParseGroupBy("profile"), ""), "sim");
}

TEST(GroupOfTest, UserPrefersTheTagOverTheJournalsOwner) {
  EXPECT_EQ(GroupOf(Spec("a", {{"user", "bob"}}), *ParseGroupBy("user"), "ann"), "bob");
  EXPECT_EQ(GroupOf(Spec("a", {}), *ParseGroupBy("user"), "ann"), "ann");
  EXPECT_EQ(GroupOf(Spec("a", {}), *ParseGroupBy("user"), ""), kNoGroup);
}

}  // namespace
}  // namespace allot
