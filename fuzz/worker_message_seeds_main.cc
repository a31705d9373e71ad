// Writes one frame of every worker protocol message, filled in, into the directory given: the
// seed corpus of worker_message_fuzzer (scripts/fuzz.sh runs it).
#include <cstdio>
#include <fstream>
#include <string>

#include "protocol/worker_messages.h"

namespace {

void Write(const std::string& dir, const std::string& name, const std::string& frame) {
  std::ofstream(dir + "/" + name, std::ios::binary) << frame;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace allot;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  RunningAttempt running{7, "sim-1", 2, {0, 1}, {0}, 1 << 30};
  ExitReport exit;
  exit.execution = 8;
  exit.task = "sim-2";
  exit.attempt = 1;
  exit.usage.exit_code = 3;
  exit.usage.wall = Duration(1500000);
  exit.usage.max_rss_bytes = 123456789;
  exit.error = "";
  RegisterMessage reg;
  reg.name = "n1:123:abcd";
  reg.host = "n1";
  reg.pid = 123;
  reg.machine.memory_bytes = int64_t{16} << 30;
  reg.machine.gpus = {0, 1};
  reg.machine.custom = {{"licenses", 4}};
  reg.running = {running};
  reg.finished = {exit};
  Write(dir, "register", Encode(reg));
  HeartbeatMessage beat;
  beat.running = {7, 8};
  beat.node = {1500, {750, 750}, int64_t{16} << 30, int64_t{8} << 30, 150};
  Write(dir, "heartbeat", Encode(beat));
  Write(dir, "exited", Encode(ExitedMessage{{exit}}));
  Write(dir, "goodbye", Encode(GoodbyeMessage{"signal SIGTERM"}));
  Write(dir, "welcome", Encode(WelcomeMessage{3, "inst-1", 8000, "/srv/output"}));
  AttemptToLaunch launch{9, "reco-1", 1, "./reco --seed 1", {{"A", "1"}}, "", {1}, {}, 0};
  Write(dir, "launch", Encode(LaunchMessage{{launch}, {7}}));
  Write(dir, "signal", Encode(SignalMessage{{{9, 15}}}));
  Write(dir, "ack", Encode(AckMessage{{7, 8}}));
  Write(dir, "reregister", Encode(ReregisterMessage{}));
  Write(dir, "stop", Encode(StopMessage{true}));
  return 0;
}
