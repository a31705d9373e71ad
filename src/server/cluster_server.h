// ClusterServer: `allot server start`, the long-lived form of the server (docs/CLUSTER.md).
// One event-loop thread owns the Scheduler, the journal and the worker endpoint; HTTP request
// threads reach that state only by posting calls to the loop (Call), which runs them between
// its turns and answers them after the turn's commit, so an answer never reports a change that
// is not durable.
//
// One loop turn:
//  1. wait (zmq_poll) for worker messages, posted API calls, signals, or the next deadline;
//  2. run the posted calls; handle every worker message (register, heartbeat, exited, goodbye);
//     declare silent workers lost; give up on recovered attempts nobody reported;
//  3. fire due timers, let the scheduler place tasks;
//  4. append and commit the turn's submissions and transitions (group commit);
//  5. send each worker one batched launch / signal / ack message; answer the posted calls.
// SIGTERM/SIGINT/SIGHUP and POST /server/stop: stop dispatching, preempt the running attempts
// (SIGTERM, SIGKILL after their grace), tell the workers to stop, exit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <span>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/scheduler.h"
#include "journal/sqlite_journal.h"
#include "journal/sqlite_journal_options.h"
#include "protocol/access_file.h"
#include "protocol/server_endpoint.h"
#include "protocol/worker_messages.h"
#include "server/api_backend.h"
#include "server/campaign_lock.h"
#include "server/http_api.h"
#include "server/prometheus_text.h"

namespace allot {

struct ClusterServerOptions {
  std::string dir;  // the server directory: made 0700 (refused when another user owns it)
  std::string http_host = "127.0.0.1";  // loopback unless asked
  int http_port = 0;                    // 0: the port of the last start, else any free one
  std::string worker_host = "*";        // the worker endpoint binds every interface
  int worker_port = 0;                  // 0: the port of the last start, else any free one
  Duration worker_timeout = std::chrono::seconds(30);  // heartbeats come every third of it
  JournalDurability durability = JournalDurability::kNormal;
  // How long a journal locked by another process is waited for (SqliteJournalOptions).
  int journal_busy_timeout_ms = 60'000;
  // Start even when the journal lost committed records (SqliteJournalOptions::accept_loss).
  bool accept_journal_loss = false;
  std::string accept_journal_loss_hint;  // how the user accepts a loss, for the refusal
  SchedulerOptions scheduler;
};

class ClusterServer : public ApiBackend {
 public:
  // Locks the directory's journal, recovers it (running attempts wait for their workers),
  // binds both endpoints and writes access.json. FailedPrecondition when another server runs
  // on the directory; IoError when a port cannot be bound. Blocks SIGINT, SIGTERM and SIGHUP
  // in the calling thread (and so in every thread it starts); Run reads them from a signalfd.
  static Result<std::unique_ptr<ClusterServer>> Create(ClusterServerOptions options,
                                                      const Clock* clock);
  ~ClusterServer() override;

  // Serves until stopped. Errors for a broken event loop or a journal that stops accepting
  // writes.
  Status Run();
  const AccessFile& access() const { return access_; }
  // Tasks recovered from the journal at start.
  size_t recovered_tasks() const { return recovered_tasks_; }

  // ApiBackend (called from HTTP threads).
  Result<nlohmann::json> ServerInfo() override;
  Result<nlohmann::json> StopServer(const StopServerRequest& request) override;
  Result<nlohmann::json> Submit(const SubmitRequest& request) override;
  Result<nlohmann::json> ListTasks(const TaskQuery& query) override;
  Result<nlohmann::json> GetTask(const std::string& ref) override;
  Result<nlohmann::json> Control(const ControlRequest& request) override;
  Result<nlohmann::json> Wait(const WaitRequest& request) override;
  Result<nlohmann::json> Events(const EventsRequest& request) override;
  Result<LogChunk> ReadLog(const LogRequest& request) override;
  Result<nlohmann::json> ListWorkers() override;
  Result<nlohmann::json> ControlWorker(const WorkerControlRequest& request) override;
  Result<std::string> Metrics() override;

 private:
  // A connected worker, by its routing id (name).
  struct Peer {
    WorkerId id = 0;
    std::string name;
    std::string host;
    int64_t pid = 0;
    TimePoint last_seen;
    int64_t joined_us = 0;
    int64_t last_seen_us = 0;
    bool draining = false;
    bool reply_due = false;  // answer its heartbeat after the commit
    std::vector<uint64_t> acks;
    std::vector<AttemptToLaunch> launches;
    std::vector<SignalRequest> signals;
    NodeUsage node;                                  // from its latest heartbeat
    std::unordered_map<uint64_t, TimePoint> sent;    // launches not yet reported ended
  };
  // A worker that left or was lost, for `allot workers`.
  struct PastWorker {
    WorkerId id = 0;
    std::string name, host, state, reason;
    int cores = 0;
    int64_t memory = 0;
    int gpus = 0;
    int64_t joined_us = 0, last_seen_us = 0;
  };
  // A resolved task reference.
  struct Ref {
    TaskIndex task = 0;
    std::optional<uint32_t> attempt;
  };

  ClusterServer(ClusterServerOptions options, const Clock* clock);
  Status Open();

  // Runs `fn` on the loop thread and returns its answer once the turn that ran it committed.
  Result<nlohmann::json> Call(std::function<Result<nlohmann::json>()> fn);
  void RunCalls();
  void HandleMessage(const std::string& peer, const std::string& payload);
  void OnRegister(const std::string& peer_name, RegisterMessage m);
  void OnExits(Peer& peer, const std::vector<ExitReport>& exits);
  void OnHeartbeat(Peer& peer, HeartbeatMessage beat);
  void LosePeer(const std::string& name, const std::string& state, const std::string& reason);
  void CheckDeadlines();
  bool Flush();
  void SendAll();
  void Send(const std::string& peer, const ServerToWorker& message);
  void HandleSignals();
  void BeginStop(bool kill);
  int TimeoutMillis() const;

  Result<Ref> Resolve(const std::string& ref) const;
  nlohmann::json TaskJson(TaskIndex t) const;
  nlohmann::json CountsJson() const;
  std::string WorkerName(TaskIndex t) const;
  Peer* PeerOf(WorkerId id);
  // Why a task that did not succeed ended ("" when it did, or is not over).
  std::string EndReason(TaskIndex t) const;
  void NoteEnds(std::span<const TaskEvent> events);

  ClusterServerOptions options_;
  const Clock* clock_;
  AccessFile access_;
  std::string journal_path_;
  std::string output_dir_;
  std::unique_ptr<CampaignLock> lock_;
  std::unique_ptr<SqliteJournal> journal_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<ServerEndpoint> endpoint_;
  std::unique_ptr<HttpApi> http_;
  size_t recovered_tasks_ = 0;
  int signal_fd_ = -1;
  int wake_fd_ = -1;

  // Loop-thread state.
  std::map<std::string, Peer> peers_;
  std::map<WorkerId, std::string> peer_of_;
  std::vector<PastWorker> past_;
  WorkerId next_worker_id_ = 1;
  TimePoint unattached_deadline_;
  bool stopping_ = false;
  bool stop_kill_ = false;
  bool done_ = false;
  Status fatal_;
  int64_t started_us_ = 0;

  // Metrics (loop thread).
  Histogram task_duration_{{0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 14400, 43200, 86400}};
  Histogram commit_seconds_{{1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1}};
  Histogram schedule_seconds_{{1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1}};
  std::map<std::string, uint64_t> attempts_ended_;  // by the state the attempt ended in
  std::unordered_map<TaskIndex, std::string> end_reasons_;  // of failed/canceled/skipped tasks

  // Calls posted by HTTP threads, and their answers.
  struct Pending {
    std::function<Result<nlohmann::json>()> fn;
    std::shared_ptr<std::promise<Result<nlohmann::json>>> reply;
  };
  std::mutex calls_mu_;
  std::vector<Pending> calls_;
  std::vector<std::pair<std::shared_ptr<std::promise<Result<nlohmann::json>>>,
                        Result<nlohmann::json>>>
      answers_;  // loop thread: answered after the commit

  // Long polls wait for the next turn.
  std::mutex turn_mu_;
  std::condition_variable turn_cv_;
  uint64_t turns_ = 0;
  std::atomic<int64_t> committed_seq_{0};
  std::atomic<bool> closing_{false};
};

}  // namespace allot
