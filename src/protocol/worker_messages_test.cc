#include "protocol/worker_messages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

namespace allot {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

ExitReport SomeExit(uint64_t execution, int code) {
  ExitReport e;
  e.execution = execution;
  e.task = "sim-" + std::to_string(execution >> 32);
  e.attempt = static_cast<uint32_t>(execution);
  e.usage.exit_code = code;
  e.usage.wall = Duration(1'234'567);
  e.usage.user_cpu = Duration(1'000'000);
  e.usage.sys_cpu = Duration(2'000);
  e.usage.max_rss_bytes = 50 << 20;
  e.usage.read_bytes = 12345;
  e.usage.write_bytes = 67890;
  e.usage.peak_cores = 1.875;  // exact in thousandths: survives the fixed-point wire form
  e.usage.memory_exceeded = code == -1;
  if (code == 127) e.usage.stderr_tail = "sh: 1: ./simulate.sh: not found";
  if (code == 0) e.usage.outputs = R"([{"path":"/r/out.h5","size":3,"sha256":"ab"}])";
  if (code == 0) e.usage.result = R"({"loss":0.25})";
  if (code == 0 && execution % 2 == 0) e.usage.output_error = "its validation failed (exit code 2)";
  return e;
}

RegisterMessage SomeRegister() {
  RegisterMessage m;
  m.name = "node7:4242:0a1b2c3d";
  m.host = "node7";
  m.pid = 4242;
  m.machine.cpus = {Cpu{0, 0, 0, 0}, Cpu{1, 0, 0, 1}, Cpu{5, 1, 1, 7}};
  m.machine.memory_bytes = int64_t{64} << 30;
  m.machine.gpus = {0, 3};
  m.machine.custom = {{"licenses", 4}};
  m.node = {"node7", {Cpu{0, 0, 0, 0}, Cpu{1, 0, 0, 1}, Cpu{4, 1, 1, 6}, Cpu{5, 1, 1, 7}},
            int64_t{128} << 30};
  m.running = {RunningAttempt{(uint64_t{7} << 32) | 2, "sim-7", 2, {0, 1}, {3}, 1 << 30}};
  ExitReport killed = SomeExit((uint64_t{9} << 32) | 1, -1);
  killed.usage.term_signal = 9;
  killed.stopped_by_worker = true;
  ExitReport not_started = SomeExit((uint64_t{10} << 32) | 1, -1);
  not_started.error = "cannot create /out/sim-10: Permission denied";
  m.finished = {SomeExit((uint64_t{8} << 32) | 1, 0), killed, not_started,
                SomeExit((uint64_t{11} << 32) | 1, 127)};
  return m;
}

LaunchMessage SomeLaunch() {
  LaunchMessage m;
  AttemptToLaunch a;
  a.execution = (uint64_t{4000000000} << 32) | 3;
  a.task = "reco-1";
  a.attempt = 3;
  a.command = "./reco --seed 1 'a b'";
  a.env = {{"G4DATA", "/opt/g4"}, {"EMPTY", ""}, {"G4DATA", "again, in order"}};
  a.workdir = "/scratch/runs";
  a.cpus = {2, 3};
  a.gpus = {};
  a.memory_bytes = 4LL << 30;
  a.outputs = OutputsSpec{{"out-*.h5", "/abs/table.csv"}, "h5check out-*.h5"};
  a.inputs = {"/runs/1/out.h5", "/runs/2/out h5"};
  a.dep_results = R"({"sim":{"loss":0.25}})";
  m.attempts = {a, a, a};
  m.attempts[1].execution += 1;
  // Job types travel too (model/job_spec.h): a python function with params, a container.
  JobSpec py;
  py.kind = JobKind::kPython;
  py.python = {"trial", "Model.run", R"([1,"a"])"};
  py.params = R"({"energy":5,"w":"{dep.result.w}"})";
  m.attempts[1].job = py;
  JobSpec box;
  box.kind = JobKind::kContainer;
  box.container = {"localhost/sim:1", "./sim 'a b'", "apptainer", {"/data:/data:ro"}};
  m.attempts[2].job = box;
  m.attempts[2].execution += 2;
  m.acked = {1, (uint64_t{1} << 63) + 5};
  return m;
}

std::string Pack(const json& j) {
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

template <class Variant, class Decoded>
void ExpectRoundTrip(const Variant& message, Decoded decode) {
  std::string frame = Encode(message);
  auto decoded = decode(frame);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, message);
}

TEST(WorkerMessagesTest, EveryWorkerToServerMessageRoundTrips) {
  ExpectRoundTrip(WorkerToServer{SomeRegister()}, DecodeWorkerToServer);
  ExpectRoundTrip(WorkerToServer{RegisterMessage{}}, DecodeWorkerToServer);
  ExpectRoundTrip(WorkerToServer{HeartbeatMessage{}}, DecodeWorkerToServer);
  HeartbeatMessage beat;
  beat.running = {(uint64_t{3} << 32) | 1, (uint64_t{7} << 32) | 2};
  beat.node = {1500, {1000, 500}, int64_t{64} << 30, int64_t{40} << 30, 215};
  ExpectRoundTrip(WorkerToServer{beat}, DecodeWorkerToServer);
  ExpectRoundTrip(WorkerToServer{ExitedMessage{{SomeExit(1, 3), SomeExit(2, 0)}}},
                  DecodeWorkerToServer);
  ExpectRoundTrip(WorkerToServer{GoodbyeMessage{"idle"}}, DecodeWorkerToServer);
  ExpectRoundTrip(WorkerToServer{MetricsMessage{{{(uint64_t{3} << 32) | 1, "loss", 0.125, 7, 99},
                                                 {(uint64_t{4} << 32) | 2, "eff/barrel", -2e-9,
                                                  std::nullopt, 100, 12}}}},
                  DecodeWorkerToServer);
}

TEST(WorkerMessagesTest, ARegisterCarriesTheMetricsOfItsAttemptsAndAnOlderOneNone) {
  RegisterMessage r;
  r.name = "w";
  r.metrics = {{(uint64_t{3} << 32) | 1, "loss", 0.5, 2, 99, 2}};
  r.slurm_job = "4242";
  ExpectRoundTrip(WorkerToServer{r}, DecodeWorkerToServer);
  r.metrics.clear();
  ExpectRoundTrip(WorkerToServer{r}, DecodeWorkerToServer);
}

TEST(WorkerMessagesTest, AMetricWithoutAFiniteValueIsCorruptionNamingIt) {
  json j = {{"t", "metrics"},
            {"metrics", json::array({{{"execution", 1}, {"name", "loss"}, {"value", "high"},
                                      {"time_us", 1}}})}};
  Result<WorkerToServer> r = DecodeWorkerToServer(Pack(j));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("metrics[0].value: expected a number"));
}

TEST(WorkerMessagesTest, AnExitFromAWorkerThatPredatesStoppedByWorkerIsTheTasksOwn) {
  ExitReport stopped = SomeExit(1, -1);
  stopped.stopped_by_worker = true;
  const std::string frame = Encode(WorkerToServer{ExitedMessage{{stopped}}});
  json j = json::from_msgpack(frame);
  ASSERT_TRUE(j.dump().find("stopped_by_worker") != std::string::npos) << j.dump();
  std::function<void(json&)> strip = [&strip](json& v) {
    if (v.is_object()) {
      v.erase("stopped_by_worker");
      for (auto& [key, child] : v.items()) strip(child);
    } else if (v.is_array()) {
      for (json& child : v) strip(child);
    }
  };
  strip(j);
  auto decoded = DecodeWorkerToServer(Pack(j));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto& exits = std::get<ExitedMessage>(*decoded).exits;
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_FALSE(exits[0].stopped_by_worker);
}

TEST(WorkerMessagesTest, EveryServerToWorkerMessageRoundTrips) {
  ExpectRoundTrip(
      ServerToWorker{WelcomeMessage{17, "9f1c", 10'000, "/campaign/output", std::nullopt}},
      DecodeServerToWorker);
  ExpectRoundTrip(ServerToWorker{SomeLaunch()}, DecodeServerToWorker);
  ExpectRoundTrip(ServerToWorker{LaunchMessage{}}, DecodeServerToWorker);
  ExpectRoundTrip(ServerToWorker{SignalMessage{{{5, 15}, {6, 9}}}}, DecodeServerToWorker);
  ExpectRoundTrip(ServerToWorker{AckMessage{{1, 2, 3}}}, DecodeServerToWorker);
  ExpectRoundTrip(ServerToWorker{ReregisterMessage{}}, DecodeServerToWorker);
  ExpectRoundTrip(ServerToWorker{StopMessage{true}}, DecodeServerToWorker);
  ExpectRoundTrip(ServerToWorker{StopMessage{false}}, DecodeServerToWorker);
  ExpectRoundTrip(ServerToWorker{RefuseMessage{"node7 has no free CPU"}}, DecodeServerToWorker);
}

TEST(WorkerMessagesTest, MultiNodeLaunchesNodeRunsAndTheirExitsRoundTrip) {
  LaunchMessage launch = SomeLaunch();
  launch.attempts[0].nodes = {{"n1", {0, 1}}, {"n2", {2, 3}}};
  ExpectRoundTrip(ServerToWorker{launch}, DecodeServerToWorker);
  json j = json::from_msgpack(Encode(launch));
  EXPECT_EQ(j["attempts"][0]["nodes"][1]["name"], "n2");
  EXPECT_EQ(j["attempts"][0]["nodes"][1]["cpus"], json({2, 3}));
  EXPECT_FALSE(json::from_msgpack(Encode(SomeLaunch()))["attempts"][0].contains("nodes"));

  NodeRunMessage run{(uint64_t{3} << 32) | 1, 2, "mpi", 1, "n2", "hydra_pmi_proxy --x", "/w",
                     {2, 3}};
  ExpectRoundTrip(ServerToWorker{run}, DecodeServerToWorker);
  EXPECT_EQ(json::from_msgpack(Encode(run))["t"], "node_run");
  NodeExitedMessage exited{2, SomeExit(1, 3)};
  ExpectRoundTrip(WorkerToServer{exited}, DecodeWorkerToServer);
  EXPECT_EQ(json::from_msgpack(Encode(exited))["run"], 2);
}

TEST(WorkerMessagesTest, WelcomeCarriesTheMachineTheWorkerWasGiven) {
  WelcomeMessage welcome{17, "9f1c", 10'000, "/campaign/output", Machine{}};
  welcome.machine->cpus = {Cpu{1, 0, 0, 1}};
  welcome.machine->memory_bytes = int64_t{3} << 30;
  welcome.machine->gpus = {2};
  ExpectRoundTrip(ServerToWorker{welcome}, DecodeServerToWorker);
  json j = json::from_msgpack(Encode(welcome));
  EXPECT_EQ(j["machine"]["cpus"][0], json({1, 0, 0, 1}));
  EXPECT_EQ(j["machine"]["memory"], int64_t{3} << 30);
  EXPECT_EQ(json::from_msgpack(Encode(RefuseMessage{"why"}))["reason"], "why");
}

TEST(WorkerMessagesTest, RegisterCarriesTheNodeBesidesTheOffer) {
  json j = json::from_msgpack(Encode(SomeRegister()));
  EXPECT_EQ(j["node"]["name"], "node7");
  EXPECT_EQ(j["node"]["cpus"][2], json({4, 1, 1, 6}));
  EXPECT_EQ(j["node"]["memory"], int64_t{128} << 30);
}

TEST(WorkerMessagesTest, RegisterOfAnOlderWorkerWithoutNodeIsReadAsNoNode) {
  json j = json::from_msgpack(Encode(SomeRegister()));
  j.erase("node");
  auto decoded = DecodeWorkerToServer(Pack(j));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto& reg = std::get<RegisterMessage>(*decoded);
  EXPECT_EQ(reg.node, NodeResources{});
  EXPECT_EQ(reg.machine, SomeRegister().machine);
  // And a worker that knows no node sends none.
  EXPECT_FALSE(json::from_msgpack(Encode(RegisterMessage{})).contains("node"));
}

TEST(WorkerMessagesTest, WelcomeOfAnOlderServerWithoutMachineIsReadAsNone) {
  json j = {{"t", "welcome"},
            {"worker_id", 1},
            {"instance", "x"},
            {"heartbeat_ms", 100},
            {"output_dir", "/o"}};
  auto decoded = DecodeServerToWorker(Pack(j));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_FALSE(std::get<WelcomeMessage>(*decoded).machine.has_value());
}

TEST(WorkerMessagesTest, MalformedNodeOfARegisterNamesTheField) {
  json j = json::from_msgpack(Encode(SomeRegister()));
  j["node"]["name"] = "";
  auto r = DecodeWorkerToServer(Pack(j));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "worker message register: node.name: expected a non-empty string");
  j = json::from_msgpack(Encode(SomeRegister()));
  j["node"]["cpus"][0] = {0, 0};
  r = DecodeWorkerToServer(Pack(j));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "worker message register: node.cpus[0]: expected [os, package, numa, core]");
  j = json::from_msgpack(Encode(SomeRegister()));
  j["node"].erase("memory");
  r = DecodeWorkerToServer(Pack(j));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "worker message register: node.memory: missing");
}

TEST(WorkerMessagesTest, WireFieldNamesAreThoseOfClusterMd) {
  std::string frame = Encode(SomeRegister());
  json j = json::from_msgpack(frame);
  EXPECT_EQ(j["t"], "register");
  EXPECT_EQ(j["machine"]["cpus"][2], json({5, 1, 1, 7}));
  EXPECT_EQ(j["machine"]["memory"], int64_t{64} << 30);
  EXPECT_EQ(j["machine"]["custom"]["licenses"], 4);
  EXPECT_EQ(j["running"][0]["memory"], 1 << 30);
  const json& killed = j["finished"][1];
  for (const char* key : {"execution", "task", "attempt", "exit_code", "signal", "wall_us",
                          "user_us", "sys_us", "max_rss", "error"}) {
    EXPECT_TRUE(killed.contains(key)) << key;
  }
  EXPECT_EQ(killed["signal"], 9);
  EXPECT_EQ(j["finished"][3]["stderr_tail"], "sh: 1: ./simulate.sh: not found");

  json launch = json::from_msgpack(Encode(SomeLaunch()));
  EXPECT_EQ(launch["t"], "launch");
  EXPECT_EQ(launch["attempts"][0]["env"][0], json({"G4DATA", "/opt/g4"}));
  EXPECT_EQ(launch["attempts"][0]["memory"], 4LL << 30);
  EXPECT_EQ(json::from_msgpack(Encode(StopMessage{true}))["kill"], true);
  json beat = json::from_msgpack(Encode(HeartbeatMessage{{5}, {250, {250}, 8, 4, 12}}));
  EXPECT_EQ(beat["running"], json({5}));
  EXPECT_EQ(beat["node"]["cores_busy_milli"], 250);
  EXPECT_EQ(beat["node"]["load1_centi"], 12);
}

TEST(WorkerMessagesTest, UnknownKeysAreIgnoredForLaterVersions) {
  json j = {{"t", "heartbeat"}, {"samples", {1, 2, 3}}};
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  auto decoded = DecodeWorkerToServer(std::string(bytes.begin(), bytes.end()));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(std::holds_alternative<HeartbeatMessage>(*decoded));
}

void ExpectCorruption(const Result<ServerToWorker>& r, const std::string& message) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r.status().message(), message);
}

TEST(WorkerMessagesTest, MissingFieldNamesTheTypeAndField) {
  json j = json::from_msgpack(Encode(SomeLaunch()));
  j["attempts"][1].erase("workdir");
  ExpectCorruption(DecodeServerToWorker(Pack(j)),
                   "worker message launch: attempts[1].workdir: missing");
}

TEST(WorkerMessagesTest, WrongTypesAndRangesNameTheField) {
  json j = json::from_msgpack(Encode(SomeLaunch()));
  j["attempts"][0]["cpus"] = {1, "two"};
  ExpectCorruption(DecodeServerToWorker(Pack(j)),
                   "worker message launch: attempts[0].cpus[1]: expected an integer in [0, "
                   "2147483647]");

  j = json::from_msgpack(Encode(SomeLaunch()));
  j["attempts"][0]["attempt"] = -1;
  ExpectCorruption(DecodeServerToWorker(Pack(j)),
                   "worker message launch: attempts[0].attempt: expected an integer in [0, "
                   "4294967295]");

  j = json::from_msgpack(Encode(SomeLaunch()));
  j["attempts"][0]["env"][1] = {"ONLY_A_NAME"};
  ExpectCorruption(DecodeServerToWorker(Pack(j)),
                   "worker message launch: attempts[0].env[1]: expected [name, value]");

  ExpectCorruption(DecodeServerToWorker(
                       Pack({{"t", "signal"}, {"signals", {{{"execution", 1}, {"signal", 0}}}}})),
                   "worker message signal: signals[0].signal: expected an integer in [1, 64]");
  ExpectCorruption(DecodeServerToWorker(Pack({{"t", "ack"}, {"acked", {1, -2}}})),
                   "worker message ack: acked[1]: expected an unsigned 64-bit integer");
  ExpectCorruption(DecodeServerToWorker(Pack({{"t", "stop"}, {"kill", 1}})),
                   "worker message stop: kill: expected true or false");
  ExpectCorruption(DecodeServerToWorker(Pack({{"t", "welcome"},
                                              {"worker_id", 1},
                                              {"instance", "x"},
                                              {"heartbeat_ms", 0},
                                              {"output_dir", "/o"}})),
                   "worker message welcome: heartbeat_ms: expected an integer in [1, 2147483647]");

  json reg = json::from_msgpack(Encode(SomeRegister()));
  reg["machine"]["cpus"][1] = {1, 0, 0};
  auto r = DecodeWorkerToServer(Pack(reg));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "worker message register: machine.cpus[1]: expected [os, package, numa, core]");
  reg = json::from_msgpack(Encode(SomeRegister()));
  reg["finished"][2]["wall_us"] = 1.5;
  r = DecodeWorkerToServer(Pack(reg));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("register: finished[2].wall_us: expected an integer"));
}

TEST(WorkerMessagesTest, UnknownOrMissingTypeIsCorruption) {
  ExpectCorruption(DecodeServerToWorker(Pack({{"x", 1}})), "worker message: no type field \"t\"");
  ExpectCorruption(DecodeServerToWorker(Pack({{"t", 7}})),
                   "worker message: type field \"t\" is not a string");
  // A worker's message is not something a worker accepts, and vice versa.
  auto wrong_direction = DecodeServerToWorker(Encode(HeartbeatMessage{}));
  ASSERT_FALSE(wrong_direction.ok());
  EXPECT_THAT(wrong_direction.status().message(), HasSubstr("unknown type \"heartbeat\""));
  auto from_server = DecodeWorkerToServer(Encode(StopMessage{}));
  ASSERT_FALSE(from_server.ok());
  EXPECT_THAT(from_server.status().message(), HasSubstr("unknown type \"stop\""));
}

TEST(WorkerMessagesTest, GarbageAndTruncatedFramesAreCorruptionNotCrashes) {
  ExpectCorruption(DecodeServerToWorker(""), "worker message: empty frame");
  ExpectCorruption(DecodeServerToWorker(Pack(json::array({1, 2}))),
                   "worker message: not a MessagePack map");
  auto text = DecodeServerToWorker("{\"t\": \"stop\", \"kill\": true}");
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.status().message(), HasSubstr("worker message: not MessagePack"));

  std::string frame = Encode(SomeLaunch());
  for (size_t n = 1; n < frame.size(); ++n) {
    auto truncated = DecodeServerToWorker(std::string_view(frame).substr(0, n));
    ASSERT_FALSE(truncated.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(truncated.status().code(), StatusCode::kCorruption);
  }
  auto trailing = DecodeServerToWorker(frame + "x");
  EXPECT_FALSE(trailing.ok());

  // Deterministic pseudo-random bytes, and single-byte flips of a valid frame.
  uint64_t state = 42;
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(1 + round % 200, '\0');
    for (char& c : bytes) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      c = static_cast<char>(state >> 56);
    }
    (void)DecodeServerToWorker(bytes);
    (void)DecodeWorkerToServer(bytes);
    std::string flipped = frame;
    flipped[state % flipped.size()] ^= static_cast<char>(1 + (state >> 40) % 255);
    (void)DecodeServerToWorker(flipped);
  }
}

TEST(WorkerMessagesTest, DeepNestingIsRefusedWithoutRecursingIntoIt) {
  // 1 MB of fixarray-of-one headers: a recursive decoder would overflow its stack.
  std::string deep(1 << 20, static_cast<char>(0x91));
  auto decoded = DecodeWorkerToServer(deep);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("nested deeper than 16 levels"));
}

TEST(WorkerMessagesTest, HugeDeclaredLengthsInShortFramesFailQuickly) {
  // map32 claiming 4 billion entries, array32 and str32 likewise, with no bytes behind them.
  for (std::string frame :
       {std::string("\xdf\xff\xff\xff\xff", 5), std::string("\x81\xa1t\xdd\xff\xff\xff\xff", 8),
        std::string("\x81\xa1t\xdb\xff\xff\xff\xff", 8)}) {
    EXPECT_EQ(DecodeServerToWorker(frame).status().code(), StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace allot
