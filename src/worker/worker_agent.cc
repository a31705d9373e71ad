#include "worker/worker_agent.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/units.h"
#include "exec/posix_process_launcher.h"
#include "exec/slurm_job_launcher.h"
#include "monitor/system_sampler.h"
#include "protocol/worker_connection.h"
#include "protocol/worker_messages.h"
#include "worker/exit_ledger.h"
#include "worker/local_worker.h"
#include "worker/metrics_outbox.h"
#include "worker/worker_name.h"

namespace allot {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string HostName() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) return "localhost";
  return host;
}

// A task id is used as a directory name under the output directory.
bool IsPlainName(const std::string& id) {
  return !id.empty() && id != "." && id != ".." && id.find('/') == std::string::npos &&
         id.find('\0') == std::string::npos;
}

std::string SignalName(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev != nullptr ? std::string("SIG") + abbrev : std::to_string(signal);
}

void Log(const std::string& line) { fmt::print(stderr, "allot worker: {}\n", line); }

}  // namespace

class WorkerAgent::Loop {
 public:
  Loop(AccessFile access, WorkerAgentOptions options)
      : access_(std::move(access)), options_(std::move(options)) {}

  ~Loop() {
    connection_.reset();
    if (signal_fd_ >= 0) close(signal_fd_);
  }

  Status Init() {
    if (options_.name.empty()) {
      options_.name = DefaultWorkerName(HostName());  // worker_name.h: the Slurm node, if any
    }
    if (options_.handle_signals) {
      // Blocked before the ZeroMQ and launcher set-up, so that no thread they start takes them.
      sigset_t set;
      sigemptyset(&set);
      // SIGUSR1: the end-of-allocation warning (sbatch --signal, automatic allocations).
      for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&set, s);
      if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
        return ErrnoStatus("pthread_sigmask", errno);
      }
      signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
      if (signal_fd_ < 0) return ErrnoStatus("signalfd", errno);
    }
    if (options_.machine.executor == kSlurmExecutor) {
      // Each attempt its own Slurm job (exec/slurm_job_launcher.h).
      SlurmJobLauncherOptions slurm;
      slurm.defaults = options_.slurm_defaults;
      ALLOT_ASSIGN_OR_RETURN(launcher_, SlurmJobLauncher::Create(std::move(slurm)));
    } else {
      PosixLauncherOptions launcher_options;
      launcher_options.sample_interval = options_.sample_interval;
      launcher_options.clock = clock_;
      ALLOT_ASSIGN_OR_RETURN(launcher_, PosixProcessLauncher::Create(launcher_options));
    }
    ALLOT_ASSIGN_OR_RETURN(connection_, WorkerConnection::Create(access_, options_.name));
    return Status::Ok();
  }

  const std::string& name() const { return options_.name; }

  Result<WorkerOutcome> Run() {
    TimePoint now = clock_->Now();
    if (options_.stops_wall_us > 0) {
      stop_at_ = now + Duration(options_.stops_wall_us - clock_->WallMicros());
    }
    last_heard_ = now;
    idle_since_ = now;
    const Machine& m = options_.machine;
    Log(fmt::format("{} registering with {}: {} core{}, {}{}", options_.name,
                    connection_->endpoint(), m.cpus.size(), m.cpus.size() == 1 ? "" : "s",
                    FormatSize(m.memory_bytes),
                    m.gpus.empty() ? "" : fmt::format(", {} GPUs", m.gpus.size())));
    SendRegister(now);
    std::vector<zmq_pollitem_t> items;
    while (!outcome_) {
      // The local worker (and its hasher's fd) comes with the welcome.
      items.clear();
      items.push_back({connection_->socket(), 0, ZMQ_POLLIN, 0});
      items.push_back({nullptr, launcher_->ReadyFd(), ZMQ_POLLIN, 0});
      const size_t signal_item = items.size();
      if (signal_fd_ >= 0) items.push_back({nullptr, signal_fd_, ZMQ_POLLIN, 0});
      const size_t hashed_item = items.size();
      if (local_ != nullptr) items.push_back({nullptr, local_->ReadyFd(), ZMQ_POLLIN, 0});
      if (local_ != nullptr && local_->MetricsFd() >= 0) {
        items.push_back({nullptr, local_->MetricsFd(), ZMQ_POLLIN, 0});
      }
      auto readable = [&](size_t i) {
        return i < items.size() && (items[i].revents & ZMQ_POLLIN) != 0;
      };
      now = clock_->Now();
      long timeout_ms = std::max<long>(
          0, std::chrono::ceil<std::chrono::milliseconds>(NextDeadline(now) - now).count());
      for (auto& item : items) item.revents = 0;
      if (zmq_poll(items.data(), static_cast<int>(items.size()), timeout_ms) < 0 &&
          errno != EINTR) {
        return Status::IoError(std::string("zmq_poll: ") + zmq_strerror(errno));
      }
      now = clock_->Now();
      if (signal_fd_ >= 0 && readable(signal_item)) TakeSignals(now);
      ReceiveMessages(now);
      if (outcome_) break;  // refused
      if (readable(1) || (local_ != nullptr && readable(hashed_item))) CollectExits(now);
      FlushMetrics();  // an attempt's metrics before its exit
      FlushExits(now);
      RunTimers(clock_->Now());
      if (auto sample = launcher_->NextSampleDue(); sample && *sample <= clock_->Now()) {
        launcher_->Sample();
      }
    }
    return *outcome_;
  }

 private:
  struct Stopping {
    std::string reason;  // for goodbye and the log
    WorkerEnd end = WorkerEnd::kStopped;
    int signal = 0;
    bool killed = false;                // SIGKILL sent to everything
    TimePoint kill_at;                  // SIGKILL then
    std::optional<TimePoint> leave_at;  // set once nothing runs: goodbye then, or when acked
  };

  // ---- Outgoing ----

  void Send(const WorkerToServer& message) {
    Status s = connection_->Send(Encode(message));
    // Only a full queue fails; exits are kept and sent again, heartbeats do not matter.
    if (!s.ok() && !send_failure_logged_) {
      Log(fmt::format("cannot send {} to the server: {}", MessageType(message), s.message()));
      send_failure_logged_ = true;
    }
  }

  // Sends what the running attempts reported since the last turn (and the last ones of those
  // that exited), as one message.
  void FlushMetrics() {
    if (local_ == nullptr) return;
    metrics_.clear();
    local_->CollectMetrics(clock_->WallMicros(), &metrics_);
    if (metrics_.empty()) return;
    MetricsMessage m;
    m.metrics.reserve(metrics_.size());
    for (RunMetric& r : metrics_) m.metrics.push_back(sent_metrics_.Add(std::move(r)));
    Send(m);
  }

  void AckExits(const std::vector<uint64_t>& acked) {
    ledger_.Ack(acked);
    if (sent_metrics_.attempts() > running_.size()) {
      sent_metrics_.Forget(
          [this](uint64_t e) { return running_.count(e) > 0 || ledger_.Contains(e); });
    }
  }

  void SendRegister(TimePoint now) {
    RegisterMessage r;
    r.name = options_.name;
    r.host = HostName();
    r.pid = getpid();
    r.machine = options_.machine;
    r.node = options_.node;
    r.slurm_job = options_.slurm_job;
    r.stops_us = options_.stops_wall_us;
    r.running.reserve(running_.size());
    for (const auto& [execution, attempt] : running_) r.running.push_back(attempt);
    std::sort(
        r.running.begin(), r.running.end(),
        [](const RunningAttempt& a, const RunningAttempt& b) { return a.execution < b.execution; });
    r.finished = ledger_.All(now);
    // Every metric of those attempts again: the server takes what it lacks, before the exits.
    r.metrics = sent_metrics_.Resend(
        [this](uint64_t e) { return running_.count(e) > 0 || ledger_.Contains(e); });
    Send(r);
    welcomed_ = false;
    next_register_ = now + options_.register_retry;
  }

  void FlushExits(TimePoint now) {
    if (turn_exits_.empty()) return;
    for (const ExitReport& e : turn_exits_) ledger_.Add(e, now);
    Send(ExitedMessage{std::move(turn_exits_)});
    turn_exits_.clear();
  }

  // ---- Incoming ----

  void ReceiveMessages(TimePoint now) {
    std::string frame;
    while (connection_->Receive(&frame)) {
      last_heard_ = now;
      auto message = DecodeServerToWorker(frame);
      if (!message.ok()) {
        Log("ignoring a message from the server: " + message.status().message());
        continue;
      }
      std::visit(
          Overloaded{
              [&](const WelcomeMessage& m) { OnWelcome(m, now); },
              [&](const LaunchMessage& m) { OnLaunch(m, now); },
              [&](const SignalMessage& m) { OnSignal(m); },
              [&](const AckMessage& m) { AckExits(m.acked); },
              [&](const ReregisterMessage&) { OnReregister(now); },
              [&](const StopMessage& m) { BeginStop("stop", WorkerEnd::kStopped, 0, m.kill, now); },
              [&](const RefuseMessage& m) { OnRefuse(m); },
          },
          *message);
    }
  }

  void OnWelcome(const WelcomeMessage& m, TimePoint now) {
    welcomed_ = true;
    if (m.machine && *m.machine != options_.machine) {
      options_.machine = *m.machine;
      std::vector<int> ids;
      for (const Cpu& c : options_.machine.cpus) ids.push_back(c.os_index);
      Log(fmt::format("given {} {} and {} as its share of node {}",
                      ids.size() == 1 ? "CPU" : "CPUs", fmt::join(ids, ","),
                      FormatSize(options_.machine.memory_bytes), options_.node.name));
    }
    heartbeat_ = std::chrono::milliseconds(m.heartbeat_ms);
    next_heartbeat_ = now + heartbeat_;
    if (local_ == nullptr || m.output_dir != output_dir_) {
      output_dir_ = m.output_dir;
      // Only the last level: a missing server directory means the shared file system is not
      // here, and each launch should fail saying so rather than write output nobody sees.
      if (mkdir(output_dir_.c_str(), 0700) != 0 && errno != EEXIST) {
        Log(fmt::format("cannot create the output directory {}: {}", output_dir_,
                        std::strerror(errno)));
      }
      local_ =
          std::make_unique<LocalWorker>(launcher_.get(), output_dir_,
                                        AttemptEnvironment(AttemptEnvironment::CurrentEnvironment(),
                                                           !options_.machine.gpus.empty()));
    }
    if (m.instance != server_instance_ || m.worker_id != worker_id_) {
      server_instance_ = m.instance;
      worker_id_ = m.worker_id;
      Log(fmt::format("joined server {} as worker {}; heartbeat every {}; output in {}", m.instance,
                      m.worker_id, FormatDuration(heartbeat_), output_dir_));
    }
  }

  void OnRefuse(const RefuseMessage& m) {
    if (outcome_) return;
    std::string message = "refused by the server: " + m.reason;
    if (!running_.empty()) message += fmt::format("; killed {}", Counted(running_.size(), "task"));
    Log(message);
    SignalAll(SIGKILL);
    outcome_ = WorkerOutcome{WorkerEnd::kRefused, 0, std::move(message)};
  }

  // A server that does not know this worker answers each of its messages with a reregister:
  // after a restart, that is one per message queued while it was down. One register answers
  // them all; until its welcome comes, register_retry covers its loss.
  void OnReregister(TimePoint now) {
    if (welcomed_) SendRegister(now);
  }

  void OnLaunch(const LaunchMessage& m, TimePoint now) {
    AckExits(m.acked);
    for (const AttemptToLaunch& a : m.attempts) {
      if (running_.count(a.execution) > 0 || ledger_.Contains(a.execution)) continue;  // again
      std::string error = StartAttempt(a);
      if (!error.empty()) {
        ExitReport e;
        e.execution = a.execution;
        e.task = a.task;
        e.attempt = a.attempt;
        e.error = std::move(error);
        e.stopped_by_worker = stopping_.has_value();
        turn_exits_.push_back(std::move(e));
      }
    }
    idle_since_ = now;
  }

  // Starts one attempt; the reason when it could not be started.
  std::string StartAttempt(const AttemptToLaunch& a) {
    if (stopping_) return "the worker is stopping";
    if (local_ == nullptr) return "launched before the worker was welcomed";
    if (!IsPlainName(a.task)) return "task id '" + a.task + "' cannot be a directory name";
    TaskSpec spec;
    spec.id = a.task;
    spec.command = a.command;
    spec.env = a.env;
    spec.workdir = a.workdir;
    spec.checkpoint = a.checkpoint;
    spec.outputs = a.outputs;
    spec.job = a.job;
    spec.time_limit = a.time_limit;
    if (a.time_limit) spec.grace_period = a.grace_period;
    spec.tags.insert(a.batch_tags.begin(), a.batch_tags.end());
    AttemptPlan plan;
    plan.run_id = a.execution;
    plan.spec = &spec;
    plan.attempt = a.attempt;
    plan.cpus = &a.cpus;
    plan.gpus = &a.gpus;
    plan.memory_limit_bytes = a.memory_bytes;
    plan.inputs = &a.inputs;
    plan.dep_results = &a.dep_results;
    Status s = local_->Start(plan);
    if (!s.ok()) return s.message();
    if (a.checkpoint) checkpoint_signal_[a.execution] = a.checkpoint->signal;
    running_.emplace(a.execution, RunningAttempt{a.execution, a.task, a.attempt, a.cpus, a.gpus,
                                                 a.memory_bytes});
    return "";
  }

  void OnSignal(const SignalMessage& m) {
    for (const SignalRequest& s : m.signals) {
      if (running_.count(s.execution) == 0) continue;  // ended meanwhile: its exit is on the way
      (void)local_->Signal(s.execution, s.signal);
    }
  }

  // ---- Processes ----

  void CollectExits(TimePoint now) {
    exits_.clear();
    launcher_->CollectExits(&exits_);
    std::vector<ProcessExit> ended;
    for (ProcessExit& exit : exits_) {
      // Held for its validation or the hashing of its outputs: it comes back from CollectReady.
      if (local_ == nullptr || local_->Finish(&exit, clock_->WallMicros())) {
        ended.push_back(std::move(exit));
      }
    }
    if (local_ != nullptr) local_->CollectReady(&ended);
    for (ProcessExit& exit : ended) {
      auto it = running_.find(exit.run_id);
      if (it == running_.end()) continue;
      ExitReport e;
      e.execution = it->first;
      e.task = std::move(it->second.task);
      e.attempt = it->second.attempt;
      e.usage = exit.usage;
      // Ended while this worker stops (it signalled it): not the task's failure, unless it
      // succeeded anyway.
      e.stopped_by_worker = stopping_.has_value() &&
                            (exit.usage.exit_code != 0 || exit.usage.term_signal != 0);
      turn_exits_.push_back(std::move(e));
      running_.erase(it);
      checkpoint_signal_.erase(exit.run_id);
    }
    if (running_.empty()) idle_since_ = now;
  }

  void SignalAll(int signal) {
    for (const auto& [execution, attempt] : running_) (void)local_->Signal(execution, signal);
  }

  void TakeSignals(TimePoint now) {
    signalfd_siginfo info;
    while (read(signal_fd_, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
      int signal = static_cast<int>(info.ssi_signo);
      if (signal == SIGUSR1) {
        // Slurm's warning that the allocation ends soon (sbatch --signal): leave as at the
        // end, the tasks running again elsewhere; a second warning changes nothing.
        BeginStop("its allocation ends (SIGUSR1 from Slurm)", WorkerEnd::kAllocationEnded, 0,
                  false, now);
        continue;
      }
      if (stopping_) {
        KillAll("second signal " + SignalName(signal));
      } else {
        BeginStop("signal " + SignalName(signal), WorkerEnd::kSignaled, signal, false, now);
      }
    }
  }

  void BeginStop(std::string reason, WorkerEnd end, int signal, bool kill, TimePoint now) {
    if (stopping_) {
      if (kill) KillAll(reason + " with kill");
      return;
    }
    if (running_.empty()) {
      Log(fmt::format("stopping ({}): nothing runs", reason));
    } else {
      Log(fmt::format("stopping ({}): {} {} get {}", reason, running_.size(),
                      running_.size() == 1 ? "task" : "tasks", kill ? "SIGKILL" : "SIGTERM"));
    }
    stopping_ = Stopping{std::move(reason), end, signal, kill, now + options_.kill_grace, {}};
    if (kill) {
      SignalAll(SIGKILL);
    } else {
      // A checkpointing task gets its checkpoint signal: it writes its checkpoint, which is
      // sealed with its exit and continues wherever the task runs next.
      for (const auto& [execution, attempt] : running_) {
        auto c = checkpoint_signal_.find(execution);
        (void)local_->Signal(execution, c == checkpoint_signal_.end() ? SIGTERM : c->second);
      }
      SignalAll(SIGCONT);  // a paused attempt must run to see its signal
    }
  }

  void KillAll(const std::string& why) {
    if (stopping_->killed) return;
    if (!running_.empty()) Log(fmt::format("{}: SIGKILL to {} tasks", why, running_.size()));
    stopping_->killed = true;
    SignalAll(SIGKILL);
  }

  // ---- Timers ----

  TimePoint NextDeadline(TimePoint now) const {
    TimePoint next = last_heard_ + options_.server_timeout;
    next = std::min(next, welcomed_ ? next_heartbeat_ : next_register_);
    if (!ledger_.empty()) next = std::min(next, next_resend_check_);
    if (options_.idle_timeout && running_.empty() && !stopping_) {
      next = std::min(next, idle_since_ + *options_.idle_timeout);
    }
    if (auto sample = launcher_->NextSampleDue()) next = std::min(next, *sample);
    if (stop_at_ && !stopping_) next = std::min(next, *stop_at_);
    if (stopping_) {
      if (!stopping_->killed) next = std::min(next, stopping_->kill_at);
      if (stopping_->leave_at) next = std::min(next, *stopping_->leave_at);
    }
    return next;
  }

  void RunTimers(TimePoint now) {
    if (stopping_) {
      if (!stopping_->killed && now >= stopping_->kill_at) KillAll("grace period over");
      if (running_.empty()) {
        if (!stopping_->leave_at) stopping_->leave_at = now + options_.ack_wait;
        if (ledger_.empty() || now >= *stopping_->leave_at) return Leave();
      }
    } else if (stop_at_ && now >= *stop_at_) {
      BeginStop("its allocation ends", WorkerEnd::kAllocationEnded, 0, false, now);
      return RunTimers(now);
    } else if (options_.idle_timeout && running_.empty() &&
               now >= idle_since_ + *options_.idle_timeout) {
      BeginStop("idle for " + FormatDuration(*options_.idle_timeout), WorkerEnd::kIdle, 0, false,
                now);
      return RunTimers(now);
    }
    if (now >= last_heard_ + options_.server_timeout) return LoseServer();
    if (!welcomed_ && now >= next_register_) SendRegister(now);
    if (welcomed_ && now >= next_heartbeat_) {
      SendHeartbeat();
      next_heartbeat_ = now + heartbeat_;
    }
    if (now >= next_resend_check_) {
      next_resend_check_ = now + std::chrono::seconds(1);
      std::vector<ExitReport> due = ledger_.TakeDue(now, options_.resend_after);
      if (!due.empty()) Send(ExitedMessage{std::move(due)});
    }
  }

  // What runs here (and the exits not acked yet), and the node's load since the last beat.
  void SendHeartbeat() {
    HeartbeatMessage beat;
    beat.running.reserve(running_.size() + ledger_.size());
    for (const auto& [execution, attempt] : running_) beat.running.push_back(execution);
    for (uint64_t execution : ledger_.Executions()) beat.running.push_back(execution);
    Result<SystemSample> sample = sampler_.Sample();
    if (sample.ok()) {
      if (last_sample_) {
        CpuUtilizationReport u = CpuUtilization(last_sample_->cpu, sample->cpu);
        double busy = 0;
        for (const CoreUtilization& c : u.cores) {
          busy += c.busy;
          beat.node.core_busy_permille.push_back(static_cast<int64_t>(c.busy * 1000 + 0.5));
        }
        beat.node.cores_busy_milli = static_cast<int64_t>(busy * 1000 + 0.5);
      }
      beat.node.memory_total = sample->memory.total_bytes;
      beat.node.memory_available = sample->memory.available_bytes;
      beat.node.load1_centi = static_cast<int64_t>(sample->load.one_minute * 100 + 0.5);
      last_sample_ = std::move(sample).value();
    }
    Send(beat);
  }

  void Leave() {
    Send(GoodbyeMessage{stopping_->reason});
    std::string message = stopping_->reason;
    if (!ledger_.empty()) {
      message += fmt::format("; {} exits were not acked", ledger_.size());
    }
    Log("goodbye (" + message + ")");
    outcome_ = WorkerOutcome{stopping_->end, stopping_->signal, std::move(message)};
  }

  void LoseServer() {
    std::string message =
        fmt::format("no word from the server at {} for {}; killed {} {}", connection_->endpoint(),
                    FormatDuration(options_.server_timeout), running_.size(),
                    running_.size() == 1 ? "task" : "tasks");
    Log(message);
    SignalAll(SIGKILL);
    outcome_ = WorkerOutcome{WorkerEnd::kServerLost, 0, std::move(message)};
  }

  const Clock* clock_ = SystemClock::Default();
  AccessFile access_;
  WorkerAgentOptions options_;
  int signal_fd_ = -1;
  std::unique_ptr<ProcessLauncher> launcher_;
  std::unique_ptr<WorkerConnection> connection_;
  std::unique_ptr<LocalWorker> local_;
  std::string output_dir_;

  std::unordered_map<uint64_t, RunningAttempt> running_;
  std::unordered_map<uint64_t, int> checkpoint_signal_;  // of running checkpointing attempts
  ExitLedger ledger_;
  SystemSampler sampler_;
  std::optional<SystemSample> last_sample_;
  std::vector<ExitReport> turn_exits_;  // collected this turn, sent by FlushExits
  std::vector<RunMetric> metrics_;      // scratch of FlushMetrics
  MetricsOutbox sent_metrics_;          // numbered, kept to send again in each register
  std::vector<ProcessExit> exits_;      // scratch for CollectExits

  bool welcomed_ = false;  // since the last register
  std::string server_instance_;
  uint64_t worker_id_ = 0;
  Duration heartbeat_{0};
  TimePoint next_heartbeat_{};
  TimePoint next_register_{};
  TimePoint next_resend_check_{};
  TimePoint last_heard_{};
  TimePoint idle_since_{};
  std::optional<TimePoint> stop_at_;  // options_.stops_wall_us on the loop's clock
  std::optional<Stopping> stopping_;
  std::optional<WorkerOutcome> outcome_;
  bool send_failure_logged_ = false;
};

Result<std::unique_ptr<WorkerAgent>> WorkerAgent::Create(const AccessFile& access,
                                                         WorkerAgentOptions options) {
  auto loop = std::make_unique<Loop>(access, std::move(options));
  ALLOT_RETURN_IF_ERROR(loop->Init());
  return std::unique_ptr<WorkerAgent>(new WorkerAgent(std::move(loop)));
}

WorkerAgent::WorkerAgent(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}
WorkerAgent::~WorkerAgent() = default;

const std::string& WorkerAgent::name() const { return loop_->name(); }

Result<WorkerOutcome> WorkerAgent::Run() { return loop_->Run(); }

}  // namespace allot
