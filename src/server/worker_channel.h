// WorkerChannel: how the server loop reaches the workers that run its attempts. The loop
// (server/server_loop.h) is the same for both forms of the server; the channel is what
// differs:
//   LocalChannel (local_channel.h): `allot run`. The one embedded worker is this process:
//     attempts are launched and reaped here, through the ProcessLauncher. No ports, no threads.
//   ZmqChannel (zmq_channel.h): `allot server start`. Workers on any node talk to it over
//     ZeroMQ with CURVE (docs/CLUSTER.md, "Worker protocol").
//
// The contract, per loop turn:
//   1. the loop waits until a PollSource of the channel is readable or NextDeadline() is due;
//   2. Receive(): the channel feeds the scheduler what happened (attempts that exited or
//      were lost, workers that joined or left) and does what is due (liveness, sampling);
//   3. the loop commits the turn's transitions (nothing is launched before the transition
//      that starts it is durable), then Act(): the channel performs the outbox's launches and
//      signals, and takes them out of the outbox. A launch that fails is reported back to the
//      scheduler (its events go into the next turn's commit);
//   4. Send(): the channel sends what it batched during the turn (remote workers get one
//      message of each kind per turn) — after the commit, so acks are for durable exits.
// Shutdown(kill) is called once when the loop ends: remote workers are told to stop.
//
// Not thread-safe: every call comes from the loop thread.
#pragma once

#include <optional>
#include <vector>

#include "common/time.h"
#include "core/outbox.h"

namespace allot {

// Something the loop polls for reading: a ZeroMQ socket (socket != nullptr) or a file
// descriptor.
struct PollSource {
  void* socket = nullptr;
  int fd = -1;
};

class WorkerChannel {
 public:
  virtual ~WorkerChannel() = default;

  virtual std::vector<PollSource> PollSources() const = 0;
  // When the channel needs a turn even if nothing is readable; none when it does not.
  virtual std::optional<TimePoint> NextDeadline() const = 0;
  virtual void Receive() = 0;
  // REQUIRES: the outbox's events and submissions were committed (or dropped after a journal
  // failure, in which case `journal_failed` is true and nothing may be launched).
  virtual void Act(Outbox* out, bool journal_failed) = 0;
  virtual void Send() = 0;
  virtual void Shutdown(bool kill) = 0;
};

}  // namespace allot
