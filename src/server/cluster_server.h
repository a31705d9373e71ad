// ClusterServer: `allot server start`, the long-lived form of the server (docs/CLUSTER.md):
// the one ServerLoop (server_loop.h) with a ZmqChannel (zmq_channel.h) for workers on any node,
// and the HTTP API (http_api.h) whose ApiBackend this is. HTTP request threads reach the
// loop's state only through ServerLoop::Call, which runs a call between turns and answers it
// after the turn's commit, so an answer never reports a change that is not durable; long polls
// (wait, events) wake on commits.
//
// Open: the server directory (private), its lock, the access file (keys, token and ports kept
// across restarts), the journal (recovered: running attempts wait for their workers), the
// worker endpoint and the HTTP port. SIGTERM/SIGINT/SIGHUP and POST /server/stop: stop
// dispatching, preempt the running attempts (SIGTERM, SIGKILL after their grace), tell the
// workers to stop, exit.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/scheduler.h"
#include "journal/sqlite_journal.h"
#include "journal/sqlite_journal_options.h"
#include "protocol/access_file.h"
#include "protocol/server_endpoint.h"
#include "protocol/worker_messages.h"
#include "server/allocation_service.h"
#include "server/api_backend.h"
#include "server/campaign_lock.h"
#include "server/http_api.h"
#include "server/prometheus_text.h"
#include "server/server_loop.h"
#include "server/zmq_channel.h"

namespace allot {

struct ClusterServerOptions {
  std::string dir;  // the server directory: made 0700 (refused when another user owns it)
  std::string http_host = "127.0.0.1";  // loopback unless asked
  int http_port = 0;                    // 0: the port of the last start, else any free one
  // The address the worker endpoint binds: "" (default) the one this host's name resolves to
  // (a cluster node's internal address; loopback on a laptop), "*" every interface.
  std::string worker_host;
  int worker_port = 0;                  // 0: the port of the last start, else any free one
  Duration worker_timeout = std::chrono::seconds(30);  // heartbeats come every third of it
  JournalDurability durability = JournalDurability::kNormal;
  // How long a journal locked by another process is waited for (SqliteJournalOptions).
  int journal_busy_timeout_ms = 60'000;
  // Start even when the journal lost committed records (SqliteJournalOptions::accept_loss).
  bool accept_journal_loss = false;
  std::string accept_journal_loss_hint;  // how the user accepts a loss, for the refusal
  SchedulerOptions scheduler;
  // How often automatic allocations ask Slurm and plan (`allot alloc`); work that starts
  // waiting is planned for within a second.
  Duration alloc_interval = std::chrono::seconds(10);
};

class ClusterServer : public ApiBackend, private LoopObserver {
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
  // cluster_server_requeue.cc
  Result<nlohmann::json> Requeue(const RequeueRequest& request) override;
  Result<nlohmann::json> Wait(const WaitRequest& request) override;
  Result<nlohmann::json> Events(const EventsRequest& request) override;
  Result<LogChunk> ReadLog(const LogRequest& request) override;
  Result<nlohmann::json> ListWorkers() override;
  Result<nlohmann::json> ControlWorker(const WorkerControlRequest& request) override;
  Result<std::string> Metrics() override;
  // cluster_server_alloc.cc: automatic allocations (allocation_service.h).
  Result<nlohmann::json> AllocAdd(const AllocAddRequest& request) override;
  Result<nlohmann::json> AllocList() override;
  Result<nlohmann::json> AllocControl(const AllocControlRequest& request) override;
  Result<nlohmann::json> AllocEvents(const AllocEventsRequest& request) override;

 private:
  // A resolved task reference.
  struct Ref {
    TaskIndex task = 0;
    std::optional<uint32_t> attempt;
  };

  ClusterServer(ClusterServerOptions options, const Clock* clock);
  Status Open();
  // cluster_server_alloc.cc: the service, its state restored from the journal.
  Status OpenAllocations();

  // Runs `fn` on the loop thread and returns its answer once the turn that ran it committed.
  Result<nlohmann::json> Call(std::function<Result<nlohmann::json>()> fn) {
    return loop_->Call(std::move(fn));
  }
  // LoopObserver: metrics and the reasons tasks ended.
  void OnEvents(std::span<const Submission> submissions, std::span<const TaskEvent> events,
                bool durable) override;
  // LoopObserver: journals the next worker id when a worker joined, so that ids are never
  // given out twice, across restarts too.
  void OnTurn() override;

  Result<Ref> Resolve(const std::string& ref) const;
  nlohmann::json TaskJson(TaskIndex t) const;
  nlohmann::json CountsJson() const;
  std::string WorkerName(TaskIndex t) const;
  // Why a task that did not succeed ended ("" when it did, or is not over).
  std::string EndReason(TaskIndex t) const;
  // Loop thread. The answer of a wait for the tasks not finished at `mark`: {done, counts (of
  // those tasks), unsuccessful, since}.
  nlohmann::json WaitSinceJson(const WaitMark& mark) const;
  // Loop thread. The answer of a wait for `tasks`.
  nlohmann::json WaitForJson(const std::vector<TaskIndex>& tasks) const;
  nlohmann::json UnsuccessfulJson(TaskIndex t) const;
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
  std::unique_ptr<ServerLoop> loop_;
  std::unique_ptr<ZmqChannel> channel_;
  std::unique_ptr<HttpApi> http_;
  std::unique_ptr<AllocationService> alloc_;
  size_t recovered_tasks_ = 0;
  WorkerId saved_next_worker_id_ = 1;  // as the journal's meta next_worker_id has it
  int64_t started_us_ = 0;

  // Loop thread: metrics, and why unsuccessful tasks ended.
  Histogram task_duration_{{0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 14400, 43200, 86400}};
  std::map<std::string, uint64_t> attempts_ended_;  // by how they ended (AttemptEndName)
  std::unordered_map<TaskIndex, std::string> end_reasons_;  // of failed/canceled/skipped tasks
  // Failed/canceled/skipped tasks in the order they ended (the journal's, also after a
  // restart): a wait tells the ends after its start (WaitMark::ends) from the earlier ones.
  std::vector<TaskIndex> unsuccessful_order_;
};

}  // namespace allot
