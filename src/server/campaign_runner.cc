#include "server/campaign_runner.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace allot {

CampaignRunner::CampaignRunner(Scheduler* scheduler, JournalStore* journal,
                               ProcessLauncher* launcher, LocalWorker* worker,
                               const Clock* clock, ProgressReporter* progress)
    : scheduler_(scheduler),
      journal_(journal),
      launcher_(launcher),
      worker_(worker),
      clock_(clock),
      progress_(progress) {}

CampaignRunner::~CampaignRunner() {
  if (signal_fd_ >= 0) close(signal_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Status CampaignRunner::Setup() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return ErrnoStatus("sigprocmask", errno);
  signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return ErrnoStatus("signalfd", errno);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return ErrnoStatus("epoll_create1", errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = signal_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &ev) != 0) {
    return ErrnoStatus("epoll_ctl", errno);
  }
  if (int fd = launcher_->ReadyFd(); fd >= 0) {
    ev.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return ErrnoStatus("epoll_ctl", errno);
  }
  return Status::Ok();
}

void CampaignRunner::Flush() {
  Outbox* out = scheduler_->outbox();
  if (out->submissions.empty() && out->events.empty()) return;
  if (journal_ok_) {
    Status s = journal_->AppendSubmissions(out->submissions);
    if (s.ok()) s = journal_->AppendEvents(out->events);
    if (s.ok()) s = journal_->Commit();
    if (!s.ok()) {
      journal_ok_ = false;
      outcome_.journal_error = s;
      progress_->Message("journal failed, stopping all tasks: " + s.ToString());
      // Nothing may start without a durable record: drop the launches and kill what runs.
      std::vector<LaunchOrder> dropped;
      dropped.swap(out->launches);
      scheduler_->Stop(/*kill_now=*/true);
      for (const LaunchOrder& l : dropped) scheduler_->OnLaunchFailed(l.execution, s);
      for (const SignalOrder& o : out->signals) SendSignal(o);
      out->signals.clear();
    }
  }
  for (const TaskEvent& e : out->events) {
    if (e.to != TaskState::kFailed && e.to != TaskState::kSkipped &&
        e.to != TaskState::kCanceled) {
      continue;
    }
    const std::string& id = scheduler_->id(e.task);
    if (e.to == TaskState::kFailed) progress_->Message("task " + id + " failed: " + e.reason);
    if (outcome_.unsuccessful.size() < RunOutcome::kMaxListed) {
      outcome_.unsuccessful.push_back({id, std::string(TaskStateName(e.to)), e.reason});
    }
  }
  out->submissions.clear();
  out->events.clear();
}

void CampaignRunner::Act() {
  Outbox* out = scheduler_->outbox();
  // Launch failures emit new events into the outbox; take the orders out first.
  std::vector<LaunchOrder> launches;
  launches.swap(out->launches);
  for (const LaunchOrder& l : launches) {
    AttemptPlan plan;
    plan.run_id = l.execution;
    plan.spec = &scheduler_->spec(l.task);
    plan.attempt = l.attempt;
    plan.cpus = &l.allocation.cpus;
    plan.gpus = &l.allocation.gpus;
    plan.memory_limit_bytes = l.allocation.memory_bytes;
    Status s = worker_->Start(plan);
    if (!s.ok()) scheduler_->OnLaunchFailed(l.execution, s);
  }
  std::vector<SignalOrder> signals;
  signals.swap(out->signals);
  for (const SignalOrder& s : signals) SendSignal(s);
}

void CampaignRunner::SendSignal(const SignalOrder& order) {
  // A group that is already gone is fine (the launcher says OK); anything else is worth a line.
  Status s = worker_->Signal(order.execution, order.signal);
  if (!s.ok()) {
    const std::string& id = scheduler_->id(TaskOfExecution(order.execution));
    progress_->Message("cannot signal task " + id + ": " + s.ToString());
  }
}

void CampaignRunner::HandleSignals() {
  signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof info) == sizeof info) {
    int sig = static_cast<int>(info.ssi_signo);
    if (outcome_.stop_signal == 0) {
      outcome_.stop_signal = sig;
      progress_->Message(std::string("received ") + strsignal(sig) +
                         ": stopping; tasks get SIGTERM, then SIGKILL after their grace period "
                         "(signal again to kill at once)");
      scheduler_->Stop(/*kill_now=*/false);
    } else {
      progress_->Message(std::string("received ") + strsignal(sig) + " again: killing all tasks");
      scheduler_->Stop(/*kill_now=*/true);
    }
  }
}

int CampaignRunner::TimeoutMillis() const {
  const Outbox* out = const_cast<Scheduler*>(scheduler_)->outbox();
  if (!out->empty()) return 0;
  TimePoint now = clock_->Now();
  TimePoint due = now + std::chrono::seconds(60);
  if (auto next = scheduler_->NextDeadline()) due = std::min(due, *next);
  if (progress_->enabled()) due = std::min(due, progress_->NextDue());
  if (auto sample = launcher_->NextSampleDue()) due = std::min(due, *sample);
  if (due <= now) return 0;
  // Round up so a deadline is never polled for in a busy loop.
  return static_cast<int>((due - now + std::chrono::microseconds(999)).count() / 1000);
}

Result<RunOutcome> CampaignRunner::Run() {
  ALLOT_RETURN_IF_ERROR(Setup());
  const TimePoint start = clock_->Now();
  outcome_.totals_before = scheduler_->totals();
  epoll_event events[8];
  ProgressSnapshot snap;
  snap.total = static_cast<int64_t>(scheduler_->task_count());
  while (true) {
    if (auto sample = launcher_->NextSampleDue(); sample && *sample <= clock_->Now()) {
      launcher_->Sample();
    }
    exits_.clear();
    launcher_->CollectExits(&exits_);
    for (const ProcessExit& e : exits_) scheduler_->OnAttemptExited(e.run_id, e.usage);
    scheduler_->OnTimersDue();
    scheduler_->Schedule();
    Flush();
    Act();
    snap.counts = scheduler_->counts();
    snap.now = clock_->Now();
    progress_->Update(snap);
    if (scheduler_->Done() && scheduler_->outbox()->empty()) break;
    if (scheduler_->running() == 0 && !scheduler_->NextDeadline() &&
        scheduler_->outbox()->empty()) {
      // Validation makes this unreachable; never spin or hang if it is reached anyway.
      std::string why;
      for (TaskIndex t = 0; t < scheduler_->task_count() && why.empty(); ++t) {
        if (!IsTerminal(scheduler_->state(t))) {
          why = scheduler_->id(t) + ": " + scheduler_->WhyWaiting(t);
        }
      }
      return Status::Internal("no task can make progress (" + why + ")");
    }
    int n = epoll_wait(epoll_fd_, events, 8, TimeoutMillis());
    if (n < 0 && errno != EINTR) return ErrnoStatus("epoll_wait", errno);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == signal_fd_) HandleSignals();
    }
  }
  progress_->Finish();
  outcome_.wall = clock_->Now() - start;
  return outcome_;
}

}  // namespace allot
