#include "server/zmq_channel.h"

#include <unistd.h>

#include <algorithm>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "model/metric_line.h"
#include "model/node_host.h"
#include "common/units.h"
#include "server/node_share.h"

namespace allot {

ZmqChannel::ZmqChannel(Scheduler* scheduler, ServerEndpoint* endpoint, const Clock* clock,
                       ZmqChannelOptions options, std::function<void(const std::string&)> log)
    : scheduler_(scheduler),
      endpoint_(endpoint),
      clock_(clock),
      options_(std::move(options)),
      log_(std::move(log)),
      registry_(options_.first_worker_id),
      unattached_deadline_(clock->Now() + options_.worker_timeout) {}

std::vector<PollSource> ZmqChannel::PollSources() const { return {{endpoint_->socket(), -1}}; }

std::optional<TimePoint> ZmqChannel::NextDeadline() const {
  std::optional<TimePoint> next = registry_.NextSilence(options_.worker_timeout);
  if (scheduler_->HasUnattached() && (!next || unattached_deadline_ < *next)) {
    next = unattached_deadline_;
  }
  return next;
}

std::string ZmqChannel::NameOf(WorkerId id) const {
  for (const auto& [name, p] : registry_.peers()) {
    if (p.id == id) return name;
  }
  return "";
}

void ZmqChannel::Receive() {
  std::string peer, payload;
  for (int n = 0; n < 100000 && endpoint_->Receive(&peer, &payload); ++n) {
    HandleMessage(peer, payload);
  }
  CheckDeadlines();
}

void ZmqChannel::SendTo(const std::string& peer, const ServerToWorker& message) {
  Status s = endpoint_->Send(peer, Encode(message));
  if (!s.ok() && s.code() != StatusCode::kNotFound) {
    log_("cannot send to worker " + peer + ": " + s.ToString());
  }
}

void ZmqChannel::HandleMessage(const std::string& peer_name, const std::string& payload) {
  Result<WorkerToServer> decoded = DecodeWorkerToServer(payload);
  if (!decoded.ok()) {
    log_("ignoring a message from worker " + peer_name + ": " + decoded.status().message());
    return;
  }
  WorkerToServer& m = decoded.value();
  if (auto* reg = std::get_if<RegisterMessage>(&m)) {
    OnRegister(peer_name, std::move(*reg));
    return;
  }
  WorkerPeer* peer = registry_.Find(peer_name);
  if (peer == nullptr) {
    // The server restarted, or declared this worker lost: it must register (again).
    SendTo(peer_name, ReregisterMessage{});
    return;
  }
  peer->last_seen = clock_->Now();
  peer->last_seen_us = clock_->WallMicros();
  if (auto* beat = std::get_if<HeartbeatMessage>(&m)) {
    peer->reply_due = true;
    OnHeartbeat(*peer, std::move(*beat));
  } else if (auto* exited = std::get_if<ExitedMessage>(&m)) {
    OnExits(*peer, exited->exits);
  } else if (auto* metrics = std::get_if<MetricsMessage>(&m)) {
    TakeMetrics(*peer, metrics->metrics, {});
  } else if (auto* node = std::get_if<NodeExitedMessage>(&m)) {
    scheduler_->AddNodeUsage(node->exit.execution, node->exit.usage);
    if (on_node_exit_) on_node_exit_(node->run, node->exit);
  } else if (auto* bye = std::get_if<GoodbyeMessage>(&m)) {
    Lose(peer_name, "gone", "worker " + peer_name + " left (" + bye->reason + ")");
  }
}

void ZmqChannel::OnRegister(const std::string& peer_name, RegisterMessage m) {
  WorkerPeer* p = registry_.Find(peer_name);
  if (p == nullptr) {
    // Workers of one node get disjoint CPUs and memory; an older worker names no node.
    Machine given = m.machine;
    if (!m.node.name.empty()) {
      Result<Machine> shared =
          ShareNode(peer_name, m.machine, m.node, registry_.TenantsOf(m.node.name));
      if (!shared.ok()) {
        log_("refused worker " + peer_name + ": " + shared.status().message());
        SendTo(peer_name, RefuseMessage{shared.status().message()});
        return;
      }
      given = std::move(shared).value();
    }
    const WorkerId id = registry_.NextId();
    std::vector<ReportedAttempt> running;
    running.reserve(m.running.size());
    for (const RunningAttempt& a : m.running) {
      running.push_back({a.execution, a.cpus, a.gpus, a.memory_bytes});
    }
    Status added = scheduler_->AddWorker(id, peer_name, given, running);
    if (!added.ok()) {
      log_("cannot add worker " + peer_name + ": " + added.ToString());
      return;
    }
    p = &registry_.Add(id, peer_name);
    p->host = m.host;
    p->pid = m.pid;
    p->node_name = m.node.name;
    p->slurm_job = m.slurm_job;
    p->machine = std::move(given);
    p->joined_us = clock_->WallMicros();
    if (m.stops_us > 0) {
      scheduler_->SetWorkerEnd(id, clock_->Now() + Duration(m.stops_us - clock_->WallMicros()));
    }
    const ResourceAmounts cap = p->machine.Capacity();
    log_(fmt::format("worker {} joined as {} ({}, {} memory, {}; {} running){}", peer_name, id,
                     Counted(cap.cores, "core"), FormatSize(cap.memory_bytes),
                     Counted(cap.gpus, "GPU"), Counted(m.running.size(), "attempt"),
                     p->machine == m.machine ? "" : " as its share of node " + p->node_name) +
         (m.stops_us > 0 ? "; its allocation ends: it stops in " +
                               FormatDuration(Duration(m.stops_us - clock_->WallMicros()))
                         : ""));
  }
  p->last_seen = clock_->Now();
  p->last_seen_us = clock_->WallMicros();
  WelcomeMessage welcome;
  welcome.worker_id = p->id;
  welcome.instance = options_.instance;
  welcome.heartbeat_ms = std::max<int64_t>(
      100,
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.worker_timeout).count() / 3);
  welcome.output_dir = options_.output_dir;
  welcome.machine = p->machine;
  SendTo(peer_name, welcome);
  // The finished attempts' metrics before their exits (they are still running, unattached,
  // for a restarted server): the worker speaks for those too.
  std::unordered_set<uint64_t> finished;
  for (const ExitReport& e : m.finished) finished.insert(e.execution);
  TakeMetrics(*p, m.metrics, finished);
  OnExits(*p, m.finished);
}

void ZmqChannel::TakeMetrics(const WorkerPeer& peer, std::vector<MetricReport>& metrics,
                             const std::unordered_set<uint64_t>& finished_here) {
  for (MetricReport& r : metrics) {
    // Only what runs on this worker (or just ended there): a worker speaks for its own
    // attempts.
    std::optional<WorkerId> on = scheduler_->WorkerOf(TaskOfExecution(r.execution));
    const bool its_own = (on && *on == peer.id) || finished_here.count(r.execution) > 0;
    if (!its_own || !CheckMetricName(r.name).ok()) continue;
    MetricPoint p;
    p.name = std::move(r.name);
    p.value = r.value;
    p.step = r.step;
    p.time_us = r.time_us;
    scheduler_->OnMetric(r.execution, std::move(p), r.index);
  }
}

void ZmqChannel::OnHeartbeat(WorkerPeer& peer, HeartbeatMessage beat) {
  peer.node = std::move(beat.node);
  // A launch sent two heartbeats ago that the worker does not report never arrived.
  const TimePoint before = clock_->Now() - 2 * options_.worker_timeout / 3;
  std::unordered_set<uint64_t> held(beat.running.begin(), beat.running.end());
  std::vector<uint64_t> missing;
  for (const auto& [execution, sent] : peer.sent) {
    if (sent < before && !held.count(execution)) missing.push_back(execution);
  }
  for (uint64_t execution : missing) {
    peer.sent.erase(execution);
    scheduler_->OnAttemptLost(execution, "worker " + peer.name +
                                             " never started it (its launch was lost)");
  }
}

void ZmqChannel::OnExits(WorkerPeer& peer, const std::vector<ExitReport>& exits) {
  for (const ExitReport& e : exits) {
    peer.sent.erase(e.execution);
    if (e.stopped_by_worker) {
      // Its worker is going (a signal, an idle stop): nothing more is placed there (it would
      // refuse it), and the task runs again elsewhere.
      if (!peer.draining) {
        peer.draining = true;
        scheduler_->DrainWorker(peer.id);
      }
    }
    if (e.stopped_by_worker && !e.usage.checkpointed) {
      scheduler_->OnAttemptLost(e.execution, "worker " + peer.name +
                                                 " was stopping and ended it");
    } else {
      // (A task that left a checkpoint as its worker stopped ends as its exit says: with its
      // checkpoint exit code, preempted with the set journaled, not lost.)
      scheduler_->OnAttemptExited(e.execution, e.usage, e.error);
    }
    peer.acks.push_back(e.execution);  // acked after the commit, known or not
  }
}

void ZmqChannel::Lose(const std::string& name, const std::string& state,
                      const std::string& reason) {
  WorkerPeer* p = registry_.Find(name);
  if (p == nullptr) return;
  const WorkerId id = p->id;
  ResourceAmounts capacity;
  if (auto w = scheduler_->workers().find(id); w != scheduler_->workers().end()) {
    capacity = w->second.pool.Capacity();
  }
  registry_.Remove(name, state, reason, capacity);
  log_(reason);
  scheduler_->RemoveWorker(id, reason);
}

bool ZmqChannel::Drain(const std::string& name) {
  WorkerPeer* p = registry_.Find(name);
  if (p == nullptr) return false;
  p->draining = true;
  scheduler_->DrainWorker(p->id);
  return true;
}

bool ZmqChannel::SendNodeRun(WorkerId id, const NodeRunMessage& run) {
  WorkerPeer* p = registry_.Find(id);
  if (p == nullptr) return false;
  SendTo(p->name, run);
  return true;
}

bool ZmqChannel::Stop(const std::string& name, const std::string& reason) {
  if (registry_.Find(name) == nullptr) return false;
  SendTo(name, StopMessage{true});
  Lose(name, "gone", reason);
  return true;
}

void ZmqChannel::CheckDeadlines() {
  const TimePoint now = clock_->Now();
  for (const std::string& name : registry_.Silent(now, options_.worker_timeout)) {
    Lose(name, "lost",
         fmt::format("worker {} stopped answering (nothing for {})", name,
                     FormatDuration(options_.worker_timeout)));
  }
  if (now >= unattached_deadline_ && scheduler_->HasUnattached()) {
    scheduler_->ExpireUnattached("its worker did not report it within " +
                                 FormatDuration(options_.worker_timeout) +
                                 " of the server's restart");
  }
  // Drained workers with nothing left leave.
  std::vector<std::string> drained;
  for (const auto& [name, p] : registry_.peers()) {
    auto w = scheduler_->workers().find(p.id);
    if (p.draining && w != scheduler_->workers().end() && w->second.running == 0) {
      drained.push_back(name);
    }
  }
  for (const std::string& name : drained) {
    SendTo(name, StopMessage{false});
    Lose(name, "gone", "worker " + name + " drained");
  }
}

void ZmqChannel::Act(Outbox* out, bool journal_failed) {
  std::vector<LaunchOrder> launches;
  launches.swap(out->launches);
  for (const LaunchOrder& l : launches) {
    WorkerPeer* p = registry_.Find(l.worker);
    if (journal_failed) {
      scheduler_->OnLaunchFailed(l.execution, Status::Unavailable("the journal failed"));
      continue;
    }
    if (p == nullptr) {
      scheduler_->OnAttemptExited(l.execution, AttemptUsage{}, "its worker left");
      continue;
    }
    const TaskSpec& spec = scheduler_->spec(l.task);
    p->sent[l.execution] = clock_->Now();
    AttemptToLaunch& a = p->launches.emplace_back();
    a.execution = l.execution;
    a.task = spec.id;
    a.attempt = l.attempt;
    a.command = spec.command;
    a.env = spec.env;
    a.workdir = spec.workdir;
    a.cpus = l.allocation.cpus;
    a.gpus = l.allocation.gpus;
    a.memory_bytes = l.allocation.memory_bytes;
    if (spec.checkpoint) a.checkpoint = *spec.checkpoint;
    if (spec.outputs) a.outputs = *spec.outputs;
    a.job = spec.job;
    if (!spec.executor.empty()) {
      a.time_limit = spec.time_limit;
      a.grace_period = spec.grace_period;
      for (const char* key : kBatchJobTags) {
        if (auto it = spec.tags.find(key); it != spec.tags.end()) a.batch_tags[key] = it->second;
      }
    }
    if (!spec.depends_on.empty()) {
      a.inputs = scheduler_->InputsOf(l.task);
      a.dep_results = scheduler_->DepResultsOf(l.task);
    }
    if (!l.nodes.empty()) {
      std::vector<std::string> names;
      for (const NodeShare& n : l.nodes) names.push_back(n.name);
      const std::vector<std::string> tokens = NodeHostTokens(names);
      for (size_t i = 0; i < l.nodes.size(); ++i) a.nodes.push_back({tokens[i], l.nodes[i].cpus});
    }
  }
  for (const SignalOrder& s : out->signals) {
    if (WorkerPeer* p = registry_.Find(s.worker)) p->signals.push_back({s.execution, s.signal});
  }
  out->signals.clear();
}

void ZmqChannel::Send() {
  for (auto& [name, p] : registry_.peers()) {
    if (!p.launches.empty()) {
      LaunchMessage m;
      m.attempts.swap(p.launches);
      m.acked.swap(p.acks);
      SendTo(name, m);
    } else if (!p.acks.empty() || p.reply_due) {
      AckMessage m;
      m.acked.swap(p.acks);
      SendTo(name, m);
    }
    p.reply_due = false;
    if (!p.signals.empty()) {
      SignalMessage m;
      m.signals.swap(p.signals);
      SendTo(name, m);
    }
  }
}

void ZmqChannel::Shutdown(bool kill) {
  for (const auto& [name, p] : registry_.peers()) SendTo(name, StopMessage{kill});
  // Let the stop messages leave before the endpoint closes.
  if (!registry_.peers().empty()) {
    for (int i = 0; i < 20; ++i) usleep(10000);
  }
}

}  // namespace allot
