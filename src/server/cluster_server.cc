#include "server/cluster_server.h"

#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>

#include "common/units.h"
#include "journal/journal_store.h"
#include "protocol/private_directory.h"

namespace allot {
namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

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

void Log(const std::string& line) { std::fprintf(stderr, "allot server: %s\n", line.c_str()); }

}  // namespace

ClusterServer::ClusterServer(ClusterServerOptions options, const Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

ClusterServer::~ClusterServer() {
  closing_ = true;
  turn_cv_.notify_all();
  if (http_) http_->Stop();
  {
    std::lock_guard lock(calls_mu_);
    for (Pending& p : calls_) p.reply->set_value(Status::Unavailable("the server is stopping"));
    calls_.clear();
  }
  if (signal_fd_ >= 0) close(signal_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

Result<std::unique_ptr<ClusterServer>> ClusterServer::Create(ClusterServerOptions options,
                                                            const Clock* clock) {
  // Before any thread exists, so every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  for (int s : kStopSignals) sigaddset(&set, s);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
    return ErrnoStatus("pthread_sigmask", errno);
  }
  std::unique_ptr<ClusterServer> server(new ClusterServer(std::move(options), clock));
  server->signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (server->signal_fd_ < 0) return ErrnoStatus("signalfd", errno);
  server->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (server->wake_fd_ < 0) return ErrnoStatus("eventfd", errno);
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
  if (exists) {
    ALLOT_ASSIGN_OR_RETURN(JournalContents contents, journal_->Load());
    recovered_tasks_ = contents.submissions.size();
    NoteEnds(contents.events);
    committed_seq_ = static_cast<int64_t>(contents.events.size());
    ALLOT_RETURN_IF_ERROR(scheduler_->Recover(contents.submissions, contents.events,
                                              RecoverMode::kAwaitWorkers));
    Outbox* out = scheduler_->outbox();
    ALLOT_RETURN_IF_ERROR(journal_->AppendEvents(out->events));
    ALLOT_RETURN_IF_ERROR(journal_->Commit());
    committed_seq_ += static_cast<int64_t>(out->events.size());
    out->Clear();
  }
  unattached_deadline_ = clock_->Now() + options_.worker_timeout;

  int worker_port = options_.worker_port != 0 ? options_.worker_port
                                              : PortOf(access_.worker_endpoint);
  Result<std::unique_ptr<ServerEndpoint>> endpoint = ServerEndpoint::Create(
      access_, fmt::format("tcp://{}:{}", options_.worker_host, worker_port));
  if (!endpoint.ok() && options_.worker_port == 0 && worker_port != 0) {
    // The last start's port is taken now: any free one (workers read the new access file).
    endpoint = ServerEndpoint::Create(access_, fmt::format("tcp://{}:0", options_.worker_host));
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

  const std::string advertised =
      options_.worker_host == "*" || options_.worker_host == "0.0.0.0" ? ShortHostName()
                                                                       : options_.worker_host;
  access_.host = ShortHostName();
  access_.pid = getpid();
  access_.instance = RandomHex(8);
  started_us_ = access_.started_us = clock_->WallMicros();
  access_.http_url = fmt::format("http://{}:{}", options_.http_host, bound.value());
  access_.worker_endpoint = fmt::format("tcp://{}:{}", advertised, endpoint_->port());
  return WriteAccessFile(dir, access_);
}

Result<nlohmann::json> ClusterServer::Call(std::function<Result<nlohmann::json>()> fn) {
  auto reply = std::make_shared<std::promise<Result<nlohmann::json>>>();
  std::future<Result<nlohmann::json>> answer = reply->get_future();
  {
    std::lock_guard lock(calls_mu_);
    if (closing_) return Status::Unavailable("the server is stopping");
    calls_.push_back({std::move(fn), reply});
  }
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  return answer.get();
}

void ClusterServer::RunCalls() {
  std::vector<Pending> calls;
  {
    std::lock_guard lock(calls_mu_);
    calls.swap(calls_);
  }
  for (Pending& p : calls) answers_.emplace_back(p.reply, p.fn());
}

Status ClusterServer::Run() {
  Log(fmt::format("serving {} (workers: {}), {} tasks recovered", access_.http_url,
                  access_.worker_endpoint, recovered_tasks_));
  while (!done_) {
    zmq_pollitem_t items[3] = {{endpoint_->socket(), 0, ZMQ_POLLIN, 0},
                               {nullptr, wake_fd_, ZMQ_POLLIN, 0},
                               {nullptr, signal_fd_, ZMQ_POLLIN, 0}};
    if (zmq_poll(items, 3, TimeoutMillis()) < 0 && errno != EINTR) {
      return ErrnoStatus("zmq_poll", errno);
    }
    uint64_t drained;
    while (read(wake_fd_, &drained, sizeof(drained)) > 0) {
    }
    HandleSignals();
    RunCalls();
    std::string peer, payload;
    for (int n = 0; n < 100000 && endpoint_->Receive(&peer, &payload); ++n) {
      HandleMessage(peer, payload);
    }
    CheckDeadlines();
    const auto schedule_start = std::chrono::steady_clock::now();
    scheduler_->OnTimersDue();
    scheduler_->Schedule();
    schedule_seconds_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - schedule_start).count());
    if (!Flush()) break;
    SendAll();
    for (auto& [reply, answer] : answers_) reply->set_value(std::move(answer));
    answers_.clear();
    {
      std::lock_guard lock(turn_mu_);
      ++turns_;
    }
    turn_cv_.notify_all();
    if (stopping_ && scheduler_->running() == 0) {
      for (auto& [name, p] : peers_) Send(name, StopMessage{stop_kill_});
      done_ = true;
    }
  }
  // Let the stop messages leave before the endpoint closes.
  for (int i = 0; i < 20 && !peers_.empty(); ++i) usleep(10000);
  closing_ = true;
  turn_cv_.notify_all();
  for (auto& [reply, answer] : answers_) reply->set_value(std::move(answer));
  answers_.clear();
  Log(fatal_.ok() ? "stopped" : "stopped: " + fatal_.ToString());
  return fatal_;
}

int ClusterServer::TimeoutMillis() const {
  int64_t ms = 1000;  // worker liveness is checked at least every second
  if (auto next = scheduler_->NextDeadline()) {
    auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_->Now());
    ms = std::clamp<int64_t>(until.count() + 1, 0, ms);
  }
  return static_cast<int>(ms);
}

void ClusterServer::HandleSignals() {
  signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof(info)) == sizeof(info)) {
    Log(fmt::format("{}: stopping", strsignal(static_cast<int>(info.ssi_signo))));
    BeginStop(/*kill=*/stopping_);
  }
}

void ClusterServer::BeginStop(bool kill) {
  stop_kill_ = stop_kill_ || kill;
  stopping_ = true;
  scheduler_->Stop(kill);
}

void ClusterServer::Send(const std::string& peer, const ServerToWorker& message) {
  Status s = endpoint_->Send(peer, Encode(message));
  if (!s.ok() && s.code() != StatusCode::kNotFound) {
    Log("cannot send to worker " + peer + ": " + s.ToString());
  }
}

void ClusterServer::NoteEnds(std::span<const TaskEvent> events) {
  for (const TaskEvent& e : events) {
    if (e.to == TaskState::kFailed || e.to == TaskState::kCanceled ||
        e.to == TaskState::kSkipped) {
      end_reasons_[e.task] = e.reason;
    }
  }
}

std::string ClusterServer::EndReason(TaskIndex t) const {
  auto it = end_reasons_.find(t);
  return it == end_reasons_.end() ? "" : it->second;
}

ClusterServer::Peer* ClusterServer::PeerOf(WorkerId id) {
  auto it = peer_of_.find(id);
  if (it == peer_of_.end()) return nullptr;
  auto p = peers_.find(it->second);
  return p == peers_.end() ? nullptr : &p->second;
}

void ClusterServer::HandleMessage(const std::string& peer_name, const std::string& payload) {
  Result<WorkerToServer> decoded = DecodeWorkerToServer(payload);
  if (!decoded.ok()) {
    Log("ignoring a message from worker " + peer_name + ": " + decoded.status().message());
    return;
  }
  WorkerToServer& m = decoded.value();
  if (auto* reg = std::get_if<RegisterMessage>(&m)) {
    OnRegister(peer_name, std::move(*reg));
    return;
  }
  auto it = peers_.find(peer_name);
  if (it == peers_.end()) {
    // The server restarted, or declared this worker lost: it must register (again).
    Send(peer_name, ReregisterMessage{});
    return;
  }
  Peer& peer = it->second;
  peer.last_seen = clock_->Now();
  peer.last_seen_us = clock_->WallMicros();
  if (auto* beat = std::get_if<HeartbeatMessage>(&m)) {
    peer.reply_due = true;
    OnHeartbeat(peer, std::move(*beat));
  } else if (auto* exited = std::get_if<ExitedMessage>(&m)) {
    OnExits(peer, exited->exits);
  } else if (auto* bye = std::get_if<GoodbyeMessage>(&m)) {
    LosePeer(peer_name, "gone", "worker " + peer_name + " left (" + bye->reason + ")");
  }
}

void ClusterServer::OnRegister(const std::string& peer_name, RegisterMessage m) {
  auto it = peers_.find(peer_name);
  if (it == peers_.end()) {
    const WorkerId id = next_worker_id_++;
    std::vector<ReportedAttempt> running;
    running.reserve(m.running.size());
    for (const RunningAttempt& a : m.running) {
      running.push_back({a.execution, a.cpus, a.gpus, a.memory_bytes});
    }
    Status added = scheduler_->AddWorker(id, peer_name, m.machine, running);
    if (!added.ok()) {
      Log("cannot add worker " + peer_name + ": " + added.ToString());
      return;
    }
    Peer& p = peers_[peer_name];
    p.id = id;
    p.name = peer_name;
    p.host = m.host;
    p.pid = m.pid;
    p.joined_us = clock_->WallMicros();
    peer_of_[id] = peer_name;
    it = peers_.find(peer_name);
    const ResourceAmounts cap = m.machine.Capacity();
    Log(fmt::format("worker {} joined as {} ({} cores, {} memory, {} GPUs; {} attempts running)",
                    peer_name, id, cap.cores, FormatSize(cap.memory_bytes), cap.gpus,
                    m.running.size()));
  }
  Peer& p = it->second;
  p.last_seen = clock_->Now();
  p.last_seen_us = clock_->WallMicros();
  WelcomeMessage welcome;
  welcome.worker_id = p.id;
  welcome.instance = access_.instance;
  welcome.heartbeat_ms = std::max<int64_t>(
      100, std::chrono::duration_cast<std::chrono::milliseconds>(options_.worker_timeout).count() /
               3);
  welcome.output_dir = output_dir_;
  Send(peer_name, welcome);
  OnExits(p, m.finished);
}

void ClusterServer::OnHeartbeat(Peer& peer, HeartbeatMessage beat) {
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

void ClusterServer::OnExits(Peer& peer, const std::vector<ExitReport>& exits) {
  for (const ExitReport& e : exits) {
    peer.sent.erase(e.execution);
    scheduler_->OnAttemptExited(e.execution, e.usage, e.error);
    peer.acks.push_back(e.execution);  // acked after the commit, known or not
  }
}

void ClusterServer::LosePeer(const std::string& name, const std::string& state,
                             const std::string& reason) {
  auto it = peers_.find(name);
  if (it == peers_.end()) return;
  Peer& p = it->second;
  PastWorker past;
  past.id = p.id;
  past.name = p.name;
  past.host = p.host;
  past.state = state;
  past.reason = reason;
  auto w = scheduler_->workers().find(p.id);
  if (w != scheduler_->workers().end()) {
    const ResourceAmounts cap = w->second.pool.Capacity();
    past.cores = cap.cores;
    past.memory = cap.memory_bytes;
    past.gpus = cap.gpus;
  }
  past.joined_us = p.joined_us;
  past.last_seen_us = p.last_seen_us;
  past_.push_back(std::move(past));
  Log(reason);
  scheduler_->RemoveWorker(p.id, reason);
  peer_of_.erase(p.id);
  peers_.erase(it);
}

void ClusterServer::CheckDeadlines() {
  const TimePoint now = clock_->Now();
  std::vector<std::string> silent;
  for (const auto& [name, p] : peers_) {
    if (now - p.last_seen > options_.worker_timeout) silent.push_back(name);
  }
  for (const std::string& name : silent) {
    LosePeer(name, "lost",
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
  for (const auto& [name, p] : peers_) {
    auto w = scheduler_->workers().find(p.id);
    if (p.draining && w != scheduler_->workers().end() && w->second.running == 0) {
      drained.push_back(name);
    }
  }
  for (const std::string& name : drained) {
    Send(name, StopMessage{false});
    LosePeer(name, "gone", "worker " + name + " drained");
  }
}

bool ClusterServer::Flush() {
  Outbox* out = scheduler_->outbox();
  if (!out->submissions.empty() || !out->events.empty()) {
    const size_t events = out->events.size();
    NoteEnds(out->events);
    for (const TaskEvent& e : out->events) {
      if (!e.usage) continue;
      ++attempts_ended_[std::string(TaskStateName(e.to))];
      task_duration_.Observe(std::chrono::duration<double>(e.usage->wall).count());
    }
    const auto commit_start = std::chrono::steady_clock::now();
    Status s = journal_->AppendSubmissions(out->submissions);
    if (s.ok()) s = journal_->AppendEvents(out->events);
    if (s.ok()) s = journal_->Commit();
    commit_seconds_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_start).count());
    if (!s.ok()) {
      fatal_ = s.WithPrefix("the journal stopped accepting writes");
      Log(fatal_.message());
      for (auto& [reply, answer] : answers_) answer = fatal_;
      for (auto& [name, p] : peers_) Send(name, StopMessage{true});
      out->Clear();
      return false;
    }
    committed_seq_ += static_cast<int64_t>(events);
  }
  out->submissions.clear();
  out->events.clear();
  for (const LaunchOrder& l : out->launches) {
    Peer* p = PeerOf(l.worker);
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
  }
  for (const SignalOrder& s : out->signals) {
    if (Peer* p = PeerOf(s.worker)) p->signals.push_back({s.execution, s.signal});
  }
  out->launches.clear();
  out->signals.clear();
  return true;
}

void ClusterServer::SendAll() {
  for (auto& [name, p] : peers_) {
    if (!p.launches.empty()) {
      LaunchMessage m;
      m.attempts.swap(p.launches);
      m.acked.swap(p.acks);
      Send(name, m);
    } else if (!p.acks.empty() || p.reply_due) {
      AckMessage m;
      m.acked.swap(p.acks);
      Send(name, m);
    }
    p.reply_due = false;
    if (!p.signals.empty()) {
      SignalMessage m;
      m.signals.swap(p.signals);
      Send(name, m);
    }
  }
}

}  // namespace allot
