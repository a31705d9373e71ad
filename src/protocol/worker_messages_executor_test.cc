// The worker protocol's fields for executor workers (`allot worker start --executor slurm`):
// the machine's executor in register, what a launch's Slurm job asks for, the job an exit ran
// as. Absent for ordinary workers, so older peers read and write the same frames.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "model/task_spec.h"
#include "protocol/worker_messages.h"

namespace allot {
namespace {

using json = nlohmann::json;

TEST(WorkerMessagesExecutorTest, RegisterCarriesTheExecutorOnlyWhenThereIsOne) {
  RegisterMessage r;
  r.name = "slurm-exec";
  r.machine.cpus = {Cpu{0, 0, 0, 0}, Cpu{1, 0, 0, 1}};
  r.machine.memory_bytes = int64_t{1} << 40;
  r.machine.executor = kSlurmExecutor;
  auto decoded = DecodeWorkerToServer(Encode(r));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<RegisterMessage>(*decoded).machine.executor, "slurm");
  r.machine.executor.clear();
  EXPECT_FALSE(json::from_msgpack(Encode(r))["machine"].contains("executor"));
}

TEST(WorkerMessagesExecutorTest, ALaunchCarriesWhatItsSlurmJobAsksFor) {
  AttemptToLaunch a;
  a.execution = 5;
  a.task = "sim";
  a.attempt = 1;
  a.command = "./sim";
  a.time_limit = std::chrono::minutes(90);
  a.grace_period = std::chrono::seconds(30);
  a.batch_tags = {{"partition", "gpu"}, {"account", "epic"}};
  LaunchMessage m;
  m.attempts = {a};
  auto decoded = DecodeServerToWorker(Encode(m));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<LaunchMessage>(*decoded), m);
  // An ordinary task's launch has no "batch".
  m.attempts[0].time_limit.reset();
  m.attempts[0].batch_tags.clear();
  EXPECT_FALSE(json::from_msgpack(Encode(m))["attempts"][0].contains("batch"));
}

TEST(WorkerMessagesExecutorTest, AnExitNamesItsSlurmJob) {
  ExitReport e;
  e.execution = 5;
  e.task = "sim";
  e.attempt = 1;
  e.usage.exit_code = 0;
  e.usage.slurm_job = "4242";
  ExitedMessage m{{e}};
  auto decoded = DecodeWorkerToServer(Encode(m));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<ExitedMessage>(*decoded).exits.at(0).usage.slurm_job, "4242");
}

}  // namespace
}  // namespace allot
