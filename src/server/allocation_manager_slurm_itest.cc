// AllocationManager against a real Slurm (scripts/local-slurm.sh; SLURM_CONF set): an
// allocation submitted for waiting work, seen running, released when idle, seen gone. Skipped
// where `sinfo` does not answer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "common/clock.h"
#include "exec/captured_command.h"
#include "server/allocation_manager.h"

namespace allot {
namespace {

using namespace std::chrono_literals;

CommandOutput RunSlurm(const std::vector<std::string>& argv, const std::string& in) {
  CapturedOutput r = RunCaptured(argv, in, 30s);
  return {r.exit_code, r.out, r.err};
}

TEST(AllocationManagerSlurmTest, SubmitsStartsReleasesAndSeesTheEndOfARealAllocation) {
  if (RunSlurm({"sinfo", "-h"}, "").exit_code != 0) GTEST_SKIP() << "no Slurm here (local-slurm.sh)";
  SystemClock clock;
  // A script stands in for allot: the allocation's step runs until it is released.
  char dir[] = "/tmp/allot-alloc-itest-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string fake = std::string(dir) + "/allot";
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\nexec sleep 600\n";
  }
  chmod(fake.c_str(), 0755);
  AllocationManager m(&clock, RunSlurm, fake, dir);
  AllocQueueConfig q;
  q.name = "itest";
  q.time_limit = 10min;
  q.cores_per_worker = 1;
  q.max_workers = 1;
  q.idle_timeout = 1s;
  ASSERT_TRUE(m.AddQueue(q, {"", 1, {}}).ok());
  std::vector<WaitingTask> work(1, WaitingTask{1, 0, 0, 1min, ""});
  m.Tick(work, {});
  std::vector<AllocEvent> e = m.TakeEvents();
  ASSERT_FALSE(e.empty());
  ASSERT_EQ(e[0].kind, "submitted") << e[0].reason;
  const std::string id = e[0].job_id;
  bool started = false;
  for (int i = 0; i < 60 && !started; ++i) {
    m.Tick(work, {});
    for (const AllocEvent& x : m.TakeEvents()) started = started || x.kind == "started";
    if (!started) std::this_thread::sleep_for(500ms);
  }
  ASSERT_TRUE(started) << "job " << id << " did not start within 30 s";
  // Idle (its "worker" connected and idle for 2 s), no work: released, then gone.
  std::map<std::string, JobWorkers> workers = {{id, JobWorkers{1, clock.Now() - 2s}}};
  m.Tick({}, workers);
  e = m.TakeEvents();
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].kind, "released") << e[0].reason;
  bool ended = false;
  for (int i = 0; i < 60 && !ended; ++i) {
    m.Tick({}, {});
    for (const AllocEvent& x : m.TakeEvents()) ended = ended || x.kind == "ended";
    if (!ended) std::this_thread::sleep_for(500ms);
  }
  EXPECT_TRUE(ended);
}

}  // namespace
}  // namespace allot
