// WorkerRegistry: the server's book of remote workers (cluster mode): who is connected, since
// when, when each was last heard from, what the turn batches for each (launches, signals,
// acks), and the workers that left or were lost (for `allot workers`). Bookkeeping only: the
// ZmqChannel does the talking and tells the Scheduler. Loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "core/outbox.h"
#include "model/machine.h"
#include "protocol/worker_messages.h"
#include "server/node_share.h"

namespace allot {

// A connected worker, by its routing id (its name).
struct WorkerPeer {
  WorkerId id = 0;
  std::string name;
  std::string host;
  int64_t pid = 0;
  std::string node_name;  // NodeResources::name of its register; empty: an older worker
  std::string slurm_job;  // the Slurm job it runs in (its register's slurm_job); "" none
  Machine machine;        // what it was given (server/node_share.h), as in its welcome
  TimePoint last_seen;
  int64_t joined_us = 0;
  int64_t last_seen_us = 0;
  bool draining = false;
  bool reply_due = false;  // answer its heartbeat after the commit
  std::vector<uint64_t> acks;
  std::vector<AttemptToLaunch> launches;
  std::vector<SignalRequest> signals;
  NodeUsage node;                                // from its latest heartbeat
  std::unordered_map<uint64_t, TimePoint> sent;  // launches not yet reported ended
};

// A worker that left or was lost.
struct PastWorker {
  WorkerId id = 0;
  std::string name, host, state, reason;
  std::string slurm_job;  // the Slurm job it ran in; "" none
  int cores = 0;
  int64_t memory = 0;
  int gpus = 0;
  int64_t joined_us = 0, last_seen_us = 0;
};

class WorkerRegistry {
 public:
  // Ids start at `first_id`: a restarted server continues after the ids its journal records
  // (ClusterServer), so an id is never reused.
  explicit WorkerRegistry(WorkerId first_id = 1) : next_id_(first_id) {}
  // Ids are never reused (a worker that comes back is a new one).
  WorkerId NextId() { return next_id_++; }
  // The id the next worker will get.
  WorkerId next_id() const { return next_id_; }
  WorkerPeer& Add(WorkerId id, const std::string& name);
  WorkerPeer* Find(const std::string& name);
  WorkerPeer* Find(WorkerId id);
  // By id (decimal) or name; null when neither is connected.
  const WorkerPeer* FindByRef(const std::string& ref) const;
  // Moves the peer to the past with `state` ("gone", "lost") and `reason`; `capacity` is what
  // it offered. No-op for unknown names.
  void Remove(const std::string& name, const std::string& state, const std::string& reason,
              const ResourceAmounts& capacity);

  const std::map<std::string, WorkerPeer>& peers() const { return peers_; }
  std::map<std::string, WorkerPeer>& peers() { return peers_; }
  const std::vector<PastWorker>& past() const { return past_; }

  // The connected workers on `node` (WorkerPeer::node_name; none for an empty one) with the CPUs
  // and memory they were given.
  std::vector<NodeTenant> TenantsOf(const std::string& node) const;

  // Names of the peers silent for longer than `timeout` at `now`.
  std::vector<std::string> Silent(TimePoint now, Duration timeout) const;
  // When the first peer will have been silent for `timeout`; none without peers.
  std::optional<TimePoint> NextSilence(Duration timeout) const;

 private:
  WorkerId next_id_ = 1;
  std::map<std::string, WorkerPeer> peers_;
  std::map<WorkerId, std::string> name_of_;
  std::vector<PastWorker> past_;
};

}  // namespace allot
