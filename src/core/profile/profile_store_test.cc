#include "core/profile/profile_store.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using std::chrono::seconds;

AttemptSample Sample(const char* profile, int wall_s, bool ok = true) {
  AttemptSample s;
  s.profile = profile;
  s.cores_allocated = 1;
  s.wall = seconds(wall_s);
  s.cpu = seconds(wall_s);
  s.succeeded = ok;
  return s;
}

TEST(ProfileStoreTest, RoutesSamplesToTheirProfileCreatingItOnFirstUse) {
  ProfileStore store;
  EXPECT_EQ(store.Find("sim"), nullptr);
  const ProfileStats& sim = store.Record(Sample("sim", 10));
  store.Record(Sample("reco", 3));
  store.Record(Sample("sim", 20));
  EXPECT_EQ(&sim, store.Find("sim"));
  EXPECT_EQ(sim.attempts(), 2);
  EXPECT_EQ(store.Find("reco")->attempts(), 1);
  ASSERT_EQ(store.profiles().size(), 2u);
  EXPECT_EQ(store.profiles().begin()->first, "reco");  // listed by name
}

TEST(ProfileStoreTest, GlobalMedianWallSpansProfilesAndSuccessesOnly) {
  ProfileStore store;
  EXPECT_FALSE(store.GlobalMedianWall());
  store.Record(Sample("a", 10));
  store.Record(Sample("b", 30));
  store.Record(Sample("c", 20));
  store.Record(Sample("c", 1000, /*ok=*/false));
  EXPECT_EQ(*store.GlobalMedianWall(), seconds(20));
}

}  // namespace
}  // namespace allot
