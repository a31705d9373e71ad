#include "model/profile_update_json.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(ProfileUpdateJsonTest, WritesTheUpdateCommandShapeWithSecondsAndBytes) {
  ProfileUpdate u;
  u.profile = "geant4-sim";
  u.task_id = "sim-17";
  u.time = std::chrono::seconds(600);
  u.cpus = IntRange{2, 4};
  u.memory = IntRange{int64_t{3} << 30, int64_t{4} << 30};
  u.threads = IntRange{2, 4};
  EXPECT_EQ(ProfileUpdateToJson(u), nlohmann::json::parse(R"({
    "profile": "geant4-sim", "task_id": "sim-17", "command": "update",
    "execution_requirement": {"time": 600, "cpus": {"min": 2, "max": 4},
      "memory": {"min": 3221225472, "max": 4294967296}, "threads": {"min": 2, "max": 4}}})"));
}

TEST(ProfileUpdateJsonTest, LeavesOutWhatWasNotLearnedAndWritesFractionalSeconds) {
  ProfileUpdate u;
  u.profile = "reco";
  u.time = Duration(1500000);
  EXPECT_EQ(ProfileUpdateToJson(u), nlohmann::json::parse(R"({
    "profile": "reco", "command": "update", "execution_requirement": {"time": 1.5}})"));
}

TEST(ProfileUpdateJsonTest, EmptyRequirementIsAnObject) {
  ProfileUpdate u;
  u.profile = "new";
  EXPECT_TRUE(ProfileUpdateToJson(u)["execution_requirement"].is_object());
}

}  // namespace
}  // namespace allot
