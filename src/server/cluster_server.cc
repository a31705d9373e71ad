#include "server/cluster_server.h"

#include "core/fair_share.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>

#include "common/units.h"
#include "journal/journal_store.h"
#include "model/task_attempt.h"
#include "protocol/private_directory.h"
#include "server/scenario_recovery.h"

namespace allot {
namespace {

int PortOf(const std::string& url) {
  size_t colon = url.rfind(':');
  if (colon == std::string::npos) return 0;
  return std::atoi(url.c_str() + colon + 1);
}

std::string ShortHostName() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return host;
}

// The journal's metadata key of the id the next worker gets.
constexpr const char* kNextWorkerIdKey = "next_worker_id";

void Log(const std::string& line) { std::fprintf(stderr, "allot server: %s\n", line.c_str()); }

// The IPv4 address `name` resolves to; empty when it does not.
std::string AddressOf(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return "";
  char text[INET_ADDRSTRLEN] = {};
  const auto* in = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
  const bool ok = inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) != nullptr;
  freeaddrinfo(found);
  return ok ? text : "";
}

// Where the worker endpoint binds: --worker-host, else the address of this host's name (not
// every interface: a laptop's endpoint stays on loopback, a cluster node's on the address its
// name has on the cluster's network), else loopback.
std::string WorkerBindHost(const std::string& requested) {
  if (!requested.empty()) return requested;
  std::string address = AddressOf(ShortHostName());
  if (address.empty()) {
    Log("this host's name (" + ShortHostName() + ") does not resolve: the worker endpoint "
        "listens on 127.0.0.1 only; give --worker-host ADDRESS (or '*') for workers on other "
        "nodes");
    return "127.0.0.1";
  }
  return address;
}

}  // namespace

ClusterServer::ClusterServer(ClusterServerOptions options, const Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

ClusterServer::~ClusterServer() {
  // HTTP threads may be in a Call: the loop refuses new ones and answers those waiting.
  if (http_) http_->Stop();
}

Result<std::unique_ptr<ClusterServer>> ClusterServer::Create(ClusterServerOptions options,
                                                            const Clock* clock) {
  // Before any thread exists (ZeroMQ's and the HTTP server's), so that every thread inherits
  // the mask and the loop's signalfd gets the signals.
  ALLOT_RETURN_IF_ERROR(ServerLoop::BlockStopSignals());
  std::unique_ptr<ClusterServer> server(new ClusterServer(std::move(options), clock));
  ALLOT_RETURN_IF_ERROR(server->Open());
  return server;
}

Status ClusterServer::Open() {
  const std::string& dir = options_.dir;
  // The journal keeps every task's command and env, output/ what the tasks print.
  ALLOT_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  output_dir_ = dir + "/output";
  ALLOT_RETURN_IF_ERROR(MakePrivateDirectory(output_dir_));
  journal_path_ = dir + "/journal.db";
  ALLOT_ASSIGN_OR_RETURN(lock_, CampaignLock::Acquire(journal_path_));

  // Keys, token and ports survive restarts, so workers and clients find the server again.
  Result<AccessFile> previous = ReadAccessFile(dir);
  if (previous.ok()) {
    access_ = std::move(previous).value();
  } else if (previous.status().code() == StatusCode::kNotFound) {
    ALLOT_ASSIGN_OR_RETURN(access_, NewAccessSecrets());
  } else {
    return previous.status();
  }

  struct stat st;
  const bool exists = stat(journal_path_.c_str(), &st) == 0;
  SqliteJournalOptions jo;
  jo.durability = options_.durability;
  jo.create_new = !exists;
  jo.must_exist = exists;
  jo.busy_timeout_ms = options_.journal_busy_timeout_ms;
  jo.on_busy_wait = Log;
  jo.accept_loss = options_.accept_journal_loss;
  jo.accept_loss_hint = options_.accept_journal_loss_hint;
  ALLOT_ASSIGN_OR_RETURN(journal_, SqliteJournal::Open(journal_path_, jo));
  if (!journal_->loss().empty()) {
    Log("warning: " + journal_->loss() + "; continuing from what the file holds");
  }
  scheduler_ = std::make_unique<Scheduler>(clock_, options_.scheduler);
  ALLOT_ASSIGN_OR_RETURN(loop_, ServerLoop::Create(scheduler_.get(), journal_.get(), clock_,
                                                   LoopOptions{.max_wait = std::chrono::seconds(60)}));
  loop_->set_log(Log);
  loop_->AddObserver(this);
  if (exists) {
    ALLOT_ASSIGN_OR_RETURN(
        RecoveredCounts recovered,
        loop_->Recover(RecoverMode::kAwaitWorkers,
                       [this](std::span<const TaskEvent> events) { NoteEnds(events); }));
    recovered_tasks_ = recovered.tasks;
    // The scenario policy and its state; stops it decides again go out with the first turn.
    ALLOT_RETURN_IF_ERROR(RestoreScenarios(scheduler_.get(), journal_.get(), journal_path_));
  }
  // What `allot share --server-dir` reads: the fair-share settings this server runs with.
  ALLOT_RETURN_IF_ERROR(journal_->PutMeta(
      kFairShareMetaKey,
      FairShareMeta(options_.scheduler.share_weights, options_.scheduler.share_half_life)));
  ALLOT_RETURN_IF_ERROR(journal_->Commit());

  int worker_port = options_.worker_port != 0 ? options_.worker_port
                                              : PortOf(access_.worker_endpoint);
  const std::string bind_host = WorkerBindHost(options_.worker_host);
  Result<std::unique_ptr<ServerEndpoint>> endpoint =
      ServerEndpoint::Create(access_, fmt::format("tcp://{}:{}", bind_host, worker_port));
  if (!endpoint.ok() && options_.worker_port == 0 && worker_port != 0) {
    // The last start's port is taken now: any free one (workers read the new access file).
    endpoint = ServerEndpoint::Create(access_, fmt::format("tcp://{}:0", bind_host));
  }
  if (!endpoint.ok()) return endpoint.status();
  endpoint_ = std::move(endpoint).value();

  http_ = std::make_unique<HttpApi>(this, access_.token);
  int http_port = options_.http_port != 0 ? options_.http_port : PortOf(access_.http_url);
  Result<int> bound = http_->Listen(options_.http_host, http_port);
  if (!bound.ok() && options_.http_port == 0 && http_port != 0) {
    bound = http_->Listen(options_.http_host, 0);
  }
  if (!bound.ok()) return bound.status();

  const std::string& wh = options_.worker_host;
  const std::string advertised = wh.empty() || wh == "*" || wh == "0.0.0.0" ? ShortHostName() : wh;
  access_.host = ShortHostName();
  access_.pid = getpid();
  access_.instance = RandomHex(8);
  started_us_ = access_.started_us = clock_->WallMicros();
  access_.http_url = fmt::format("http://{}:{}", options_.http_host, bound.value());
  access_.worker_endpoint = fmt::format("tcp://{}:{}", advertised, endpoint_->port());
  ZmqChannelOptions channel;
  ALLOT_ASSIGN_OR_RETURN(std::optional<std::string> next_id, journal_->GetMeta(kNextWorkerIdKey));
  if (next_id) {
    char* end = nullptr;
    const unsigned long long parsed = std::strtoull(next_id->c_str(), &end, 10);
    if (end != next_id->c_str() && *end == '\0' && parsed >= 1) {
      saved_next_worker_id_ = static_cast<WorkerId>(parsed);
    }
  }
  channel.first_worker_id = saved_next_worker_id_;
  channel.worker_timeout = options_.worker_timeout;
  channel.instance = access_.instance;
  channel.output_dir = output_dir_;
  channel_ = std::make_unique<ZmqChannel>(scheduler_.get(), endpoint_.get(), clock_, channel, Log);
  loop_->set_channel(channel_.get());
  ALLOT_RETURN_IF_ERROR(OpenAllocations());
  return WriteAccessFile(dir, access_);
}

Status ClusterServer::Run() {
  Log(fmt::format("serving {} (workers: {}), {} tasks recovered", access_.http_url,
                  access_.worker_endpoint, recovered_tasks_));
  alloc_->Start();
  Result<LoopOutcome> ended = loop_->Run();
  alloc_->Stop();
  if (!ended.ok()) {
    Log("stopped: " + ended.status().ToString());
    return ended.status();
  }
  Log(ended->journal_error.ok() ? "stopped" : "stopped: " + ended->journal_error.ToString());
  return ended->journal_error;
}

void ClusterServer::OnEvents(std::span<const Submission>, std::span<const TaskEvent> events,
                             bool durable) {
  NoteEnds(events);
  for (const TaskEvent& e : events) {
    if (!EndsAttempt(e.from, e.to)) continue;
    // By how the attempt itself ended (model: AttemptEndOf), not where its task went next.
    ++attempts_ended_[std::string(AttemptEndName(AttemptEndOf(e)))];
    if (!e.usage) continue;
    task_duration_.Observe(std::chrono::duration<double>(e.usage->wall).count());
  }
}

void ClusterServer::OnTurn() {
  const WorkerId next = channel_->registry().next_id();
  if (next == saved_next_worker_id_) return;
  saved_next_worker_id_ = next;  // tried once: a failing journal stops the loop anyway
  Status s = journal_->PutMeta(kNextWorkerIdKey, std::to_string(next));
  if (s.ok()) s = journal_->Commit();
  if (!s.ok()) Log("cannot journal the next worker id: " + s.ToString());
}

void ClusterServer::NoteEnds(std::span<const TaskEvent> events) {
  for (const TaskEvent& e : events) {
    if (IsUnsuccessful(e.to)) {
      end_reasons_[e.task] = e.reason;
      unsuccessful_order_.push_back(e.task);
    }
  }
}

std::string ClusterServer::EndReason(TaskIndex t) const {
  auto it = end_reasons_.find(t);
  return it == end_reasons_.end() ? "" : it->second;
}

}  // namespace allot
