// ZmqChannel: the WorkerChannel of `allot server start`: workers on any node, over the ZeroMQ
// CURVE endpoint (docs/CLUSTER.md, "Worker protocol"). Per turn:
//   Receive: every waiting message: register (the worker joins the scheduler with what it
//     runs, on a node shared with other workers with what server/node_share.h gives it, told
//     in its welcome, or is refused; a re-register of a known one is welcomed again),
//     heartbeat (node usage; launches it never got are lost), exited (exits go to the scheduler, acked after the commit),
//     goodbye; then silent workers are declared lost, recovered attempts nobody reported are
//     given up on after worker_timeout, and drained workers with nothing left leave.
//   Act: launches and signals are batched per worker; Send: one launch (carrying the acks) or
//     ack message and one signal message per worker, after the commit.
// The WorkerRegistry keeps the book; `allot workers` and the API read it through registry().
// Loop thread only; the scheduler and endpoint must outlive the channel.
#pragma once

#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "core/scheduler.h"
#include "protocol/server_endpoint.h"
#include "protocol/worker_messages.h"
#include "server/worker_channel.h"
#include "server/worker_registry.h"

namespace allot {

struct ZmqChannelOptions {
  Duration worker_timeout = std::chrono::seconds(30);  // heartbeats come every third of it
  std::string instance;    // the server's AccessFile::instance, told to workers
  std::string output_dir;  // where workers put task output
  WorkerId first_worker_id = 1;  // after those a previous run of the server gave out
};

class ZmqChannel final : public WorkerChannel {
 public:
  ZmqChannel(Scheduler* scheduler, ServerEndpoint* endpoint, const Clock* clock,
             ZmqChannelOptions options, std::function<void(const std::string&)> log);

  std::vector<PollSource> PollSources() const override;
  std::optional<TimePoint> NextDeadline() const override;
  void Receive() override;
  void Act(Outbox* out, bool journal_failed) override;
  void Send() override;
  void Shutdown(bool kill) override;

  const WorkerRegistry& registry() const { return registry_; }
  // The worker's name; "" when it is not connected.
  std::string NameOf(WorkerId id) const;
  // No new attempts go to it; it leaves once its attempts ended. False: not connected.
  bool Drain(const std::string& name);
  // Tells it to stop (its attempts are killed) and forgets it; its attempts run again.
  bool Stop(const std::string& name, const std::string& reason);
  // Multi-node attempts (allot node-exec): sends `run` to worker `id` now. False: not connected.
  bool SendNodeRun(WorkerId id, const NodeRunMessage& run);
  // Called (loop thread) with each node run's end, after its usage went to the scheduler
  // (Scheduler::AddNodeUsage).
  void set_on_node_exit(std::function<void(uint32_t run, const ExitReport& exit)> f) {
    on_node_exit_ = std::move(f);
  }

 private:
  void HandleMessage(const std::string& peer, const std::string& payload);
  void OnRegister(const std::string& peer, RegisterMessage m);
  void OnExits(WorkerPeer& peer, const std::vector<ExitReport>& exits);
  // Hands the scheduler the metrics of the peer's running attempts and of those in
  // `finished_here` (exits in its register); others are ignored.
  void TakeMetrics(const WorkerPeer& peer, std::vector<MetricReport>& metrics,
                   const std::unordered_set<uint64_t>& finished_here);
  void OnHeartbeat(WorkerPeer& peer, HeartbeatMessage beat);
  void Lose(const std::string& name, const std::string& state, const std::string& reason);
  void CheckDeadlines();
  void SendTo(const std::string& peer, const ServerToWorker& message);

  Scheduler* scheduler_;
  ServerEndpoint* endpoint_;
  const Clock* clock_;
  ZmqChannelOptions options_;
  std::function<void(const std::string&)> log_;
  WorkerRegistry registry_;
  TimePoint unattached_deadline_;
  std::function<void(uint32_t, const ExitReport&)> on_node_exit_;
};

}  // namespace allot
