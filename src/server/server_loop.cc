#include "server/server_loop.h"

#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

namespace allot {
namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

ServerLoop::ServerLoop(Scheduler* scheduler, JournalStore* journal, const Clock* clock,
                       LoopOptions options)
    : scheduler_(scheduler), journal_(journal), clock_(clock), options_(options) {
  log_ = [](const std::string& line) { std::fprintf(stderr, "allot: %s\n", line.c_str()); };
}

Result<std::unique_ptr<ServerLoop>> ServerLoop::Create(Scheduler* scheduler,
                                                       JournalStore* journal,
                                                       const Clock* clock, LoopOptions options) {
  std::unique_ptr<ServerLoop> loop(new ServerLoop(scheduler, journal, clock, options));
  ALLOT_RETURN_IF_ERROR(loop->Setup());
  return loop;
}

ServerLoop::~ServerLoop() {
  Close();
  if (signal_fd_ >= 0) close(signal_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

Status ServerLoop::BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kStopSignals) sigaddset(&set, s);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return ErrnoStatus("pthread_sigmask", errno);
  return Status::Ok();
}

Status ServerLoop::Setup() {
  // Before any thread exists, so every thread inherits the mask.
  ALLOT_RETURN_IF_ERROR(BlockStopSignals());
  sigset_t set;
  sigemptyset(&set);
  for (int s : kStopSignals) sigaddset(&set, s);
  signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return ErrnoStatus("signalfd", errno);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return ErrnoStatus("eventfd", errno);
  return Status::Ok();
}

Result<RecoveredCounts> ServerLoop::Recover(
    RecoverMode mode, std::function<void(std::span<const TaskEvent>)> on_replayed) {
  ALLOT_ASSIGN_OR_RETURN(RecoveredCounts counts,
                         RecoverFromJournal(journal_, scheduler_, mode, std::move(on_replayed)));
  committed_events_ = counts.events;
  Outbox* out = scheduler_->outbox();
  ALLOT_RETURN_IF_ERROR(journal_->AppendEvents(out->events));
  ALLOT_RETURN_IF_ERROR(journal_->Commit());
  committed_events_ += static_cast<int64_t>(out->events.size());
  for (LoopObserver* o : observers_) o->OnEvents({}, out->events, /*durable=*/true);
  out->submissions.clear();
  out->events.clear();
  return counts;
}

Result<nlohmann::json> ServerLoop::Call(std::function<Result<nlohmann::json>()> fn) {
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

int64_t ServerLoop::WaitForCommit(int64_t after, Duration timeout) {
  return WaitForCommit(after, INT64_MAX, timeout);
}

int64_t ServerLoop::WaitForCommit(int64_t after, int64_t after_metrics, Duration timeout) {
  const TimePoint deadline = clock_->Now() + timeout;
  std::unique_lock lock(commit_mu_);
  while (committed_events_ <= after && committed_metrics_ <= after_metrics && !closing_) {
    const Duration left = deadline - clock_->Now();
    if (left <= Duration(0)) break;
    // The clock is the judge of the deadline; a real wait is bounded so that a clock that is
    // not the system's (tests) is looked at again.
    commit_cv_.wait_for(lock, std::min<Duration>(left, std::chrono::seconds(1)));
  }
  return committed_events_;
}

void ServerLoop::BeginStop(bool kill) {
  kill = kill || stopping_;
  stopping_ = true;
  scheduler_->Stop(kill);
}

void ServerLoop::HandleSignals() {
  signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof info) == sizeof info) {
    const int sig = static_cast<int>(info.ssi_signo);
    if (!stopping_) {
      if (outcome_.stop_signal == 0) outcome_.stop_signal = sig;
      log_(std::string("received ") + strsignal(sig) +
           ": stopping; tasks get SIGTERM, then SIGKILL after their grace period (signal "
           "again to kill at once)");
      BeginStop(/*kill=*/false);
    } else {
      log_(std::string("received ") + strsignal(sig) + " again: killing all tasks");
      BeginStop(/*kill=*/true);
    }
  }
}

void ServerLoop::RunCalls() {
  std::vector<Pending> calls;
  {
    std::lock_guard lock(calls_mu_);
    calls.swap(calls_);
  }
  for (Pending& p : calls) answers_.emplace_back(p.reply, p.fn());
}

void ServerLoop::Flush() {
  Outbox* out = scheduler_->outbox();
  if (out->submissions.empty() && out->events.empty() && out->metrics.empty() &&
      out->scenario_decisions.empty() && out->meta.empty()) {
    return;
  }
  bool durable = false;
  if (outcome_.journal_error.ok()) {
    const TimePoint start = clock_->Now();
    Status s = journal_->AppendSubmissions(out->submissions);
    if (s.ok()) s = journal_->AppendEvents(out->events);
    if (s.ok() && !out->metrics.empty()) s = journal_->AppendMetrics(out->metrics);
    if (s.ok() && !out->scenario_decisions.empty()) {
      s = journal_->AppendScenarioDecisions(out->scenario_decisions);
    }
    for (size_t i = 0; s.ok() && i < out->meta.size(); ++i) {
      s = journal_->PutMeta(out->meta[i].first, out->meta[i].second);
    }
    if (s.ok()) s = journal_->Commit();
    stats_.commit_seconds.Observe(Seconds(clock_->Now() - start));
    if (s.ok()) {
      durable = true;
    } else {
      // Nothing may start without a durable record: no more launches, everything is killed.
      outcome_.journal_error = s.WithPrefix("the journal stopped accepting writes");
      log_(outcome_.journal_error.message() + "; stopping all tasks");
      BeginStop(/*kill=*/true);
      for (auto& [reply, answer] : answers_) answer = outcome_.journal_error;
    }
  }
  for (LoopObserver* o : observers_) o->OnEvents(out->submissions, out->events, durable);
  if (durable) {
    committed_events_ += static_cast<int64_t>(out->events.size());
    committed_metrics_ += static_cast<int64_t>(out->metrics.size());
  }
  out->submissions.clear();
  out->events.clear();
  out->metrics.clear();
  for (const ScenarioDecision& d : out->scenario_decisions) {
    log_("scenario " + d.scenario + ": " + d.reason);
  }
  out->scenario_decisions.clear();
  out->meta.clear();
}

void ServerLoop::Answer() {
  for (auto& [reply, answer] : answers_) reply->set_value(std::move(answer));
  answers_.clear();
  commit_cv_.notify_all();
}

void ServerLoop::Close() {
  {
    std::lock_guard lock(calls_mu_);
    closing_ = true;
    for (Pending& p : calls_) p.reply->set_value(Status::Unavailable("the server is stopping"));
    calls_.clear();
  }
  Answer();
  commit_cv_.notify_all();
}

int ServerLoop::TimeoutMillis() const {
  if (!scheduler_->outbox()->empty()) return 0;
  const TimePoint now = clock_->Now();
  TimePoint due = now + options_.max_wait;
  if (auto next = scheduler_->NextDeadline()) due = std::min(due, *next);
  if (auto next = channel_->NextDeadline()) due = std::min(due, *next);
  for (const LoopObserver* o : observers_) {
    if (auto next = o->NextDue()) due = std::min(due, *next);
  }
  if (due <= now) return 0;
  // Rounded up, so that a deadline is never polled for in a busy loop.
  return static_cast<int>((due - now + std::chrono::microseconds(999)).count() / 1000);
}

bool ServerLoop::Finished() const {
  if (!scheduler_->outbox()->empty()) return false;
  if (stopping_ || !outcome_.journal_error.ok()) return scheduler_->running() == 0;
  return options_.exit_when_done && !held_open_ && scheduler_->Done();
}

Result<LoopOutcome> ServerLoop::Run() {
  if (channel_ == nullptr) return Status::FailedPrecondition("the loop has no worker channel");
  const TimePoint start = clock_->Now();
  std::vector<zmq_pollitem_t> items;
  while (true) {
    HandleSignals();
    RunCalls();
    channel_->Receive();
    const TimePoint schedule_start = clock_->Now();
    scheduler_->OnTimersDue();
    scheduler_->Schedule();
    stats_.schedule_seconds.Observe(Seconds(clock_->Now() - schedule_start));
    Flush();
    channel_->Act(scheduler_->outbox(), !outcome_.journal_error.ok());
    channel_->Send();
    Answer();
    for (LoopObserver* o : observers_) o->OnTurn();
    if (Finished()) break;
    if (options_.exit_when_done && !stopping_ && scheduler_->running() == 0 &&
        !scheduler_->NextDeadline() && scheduler_->outbox()->empty() && !scheduler_->Done()) {
      // Validation makes this unreachable; never spin or hang if it is reached anyway.
      std::string why;
      for (TaskIndex t = 0; t < scheduler_->task_count() && why.empty(); ++t) {
        if (!IsTerminal(scheduler_->state(t))) {
          why = scheduler_->id(t) + ": " + scheduler_->WhyWaiting(t);
        }
      }
      Close();
      return Status::Internal("no task can make progress (" + why + ")");
    }

    items.clear();
    for (const PollSource& s : channel_->PollSources()) {
      items.push_back({s.socket, s.fd, ZMQ_POLLIN, 0});
    }
    items.push_back({nullptr, wake_fd_, ZMQ_POLLIN, 0});
    items.push_back({nullptr, signal_fd_, ZMQ_POLLIN, 0});
    if (zmq_poll(items.data(), static_cast<int>(items.size()), TimeoutMillis()) < 0 &&
        errno != EINTR) {
      Close();
      return ErrnoStatus("zmq_poll", errno);
    }
    uint64_t drained;
    while (read(wake_fd_, &drained, sizeof(drained)) > 0) {
    }
  }
  channel_->Shutdown(/*kill=*/!outcome_.journal_error.ok());
  Close();
  outcome_.wall = clock_->Now() - start;
  return outcome_;
}

}  // namespace allot
