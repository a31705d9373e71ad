// BackgroundJobs: exits come back through its fd, in order, with what their job did to them.
#include "worker/background_jobs.h"

#include <poll.h>

#include <gtest/gtest.h>

namespace allot {
namespace {

// Waits (bounded) until the fd is readable, then collects, until `want` came back.
std::vector<BackgroundJobs::Done> CollectWhenReady(BackgroundJobs& jobs, size_t want) {
  std::vector<BackgroundJobs::Done> out;
  for (int i = 0; i < 500 && out.size() < want; ++i) {
    pollfd p{jobs.ReadyFd(), POLLIN, 0};
    if (poll(&p, 1, 10) > 0) jobs.Collect(&out);
  }
  return out;
}

TEST(BackgroundJobsTest, ExitsComeBackThroughItsFdInOrderWithWhatTheirJobDid) {
  BackgroundJobs jobs;
  for (RunId id : {7, 8, 9}) {
    ProcessExit e;
    e.run_id = id;
    jobs.Submit(e, id == 8 ? BackgroundJobs::Kind::kSealCheckpoint
                           : BackgroundJobs::Kind::kHashOutputs,
                [id](ProcessExit* x) { x->usage.outputs = "job " + std::to_string(id); });
  }
  std::vector<BackgroundJobs::Done> out = CollectWhenReady(jobs, 3);
  ASSERT_EQ(out.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i].exit.run_id, 7 + i);
    EXPECT_EQ(out[i].exit.usage.outputs, "job " + std::to_string(7 + i));
  }
  EXPECT_EQ(out[1].kind, BackgroundJobs::Kind::kSealCheckpoint);
  EXPECT_EQ(out[0].kind, BackgroundJobs::Kind::kHashOutputs);
}

}  // namespace
}  // namespace allot
