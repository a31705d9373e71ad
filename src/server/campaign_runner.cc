#include "server/campaign_runner.h"

#include "server/commit_delaying_journal.h"
#include "server/failure_injector.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "common/units.h"
#include "server/local_channel.h"
#include "server/progress_forecast.h"
#include "server/server_loop.h"

namespace allot {
namespace {

// The progress line, a line per task that fails for good, and the tasks that did not succeed.
class ProgressObserver final : public LoopObserver {
 public:
  ProgressObserver(const Scheduler* scheduler, ProgressReporter* progress, const Clock* clock,
                   RunOutcome* outcome)
      : scheduler_(scheduler), progress_(progress), clock_(clock), outcome_(outcome) {
    snap_.total = static_cast<int64_t>(scheduler->task_count());
  }

  void OnEvents(std::span<const Submission>, std::span<const TaskEvent> events,
                bool durable) override {
    for (const TaskEvent& e : events) {
      if (!IsUnsuccessful(e.to)) continue;
      const std::string& id = scheduler_->id(e.task);
      if (e.to == TaskState::kFailed) progress_->Message("task " + id + " failed: " + e.reason);
      if (outcome_->unsuccessful.size() < RunOutcome::kMaxListed) {
        outcome_->unsuccessful.push_back({id, std::string(TaskStateName(e.to)), e.reason});
      }
    }
  }

  void OnTurn() override {
    snap_.total = static_cast<int64_t>(scheduler_->task_count());  // grows with submissions
    snap_.counts = scheduler_->counts();
    snap_.now = clock_->Now();
    if (progress_->enabled()) {
      forecast_.Update(*scheduler_, snap_.now);
      std::optional<ProgressForecast::Remaining> left = forecast_.Left(snap_.now);
      snap_.left_p50 = left ? std::optional<Duration>(left->p50) : std::nullopt;
      snap_.left_p90 = left ? std::optional<Duration>(left->p90) : std::nullopt;
    }
    progress_->Update(snap_);
  }

  std::optional<TimePoint> NextDue() const override {
    if (!progress_->enabled()) return std::nullopt;
    return progress_->NextDue();
  }

 private:
  const Scheduler* scheduler_;
  ProgressReporter* progress_;
  const Clock* clock_;
  RunOutcome* outcome_;
  ProgressSnapshot snap_;
  ProgressForecast forecast_;
};

// Stops the loop once, when the allocation is about to end.
class AllocationEnd final : public LoopObserver {
 public:
  AllocationEnd(ServerLoop* loop, const Clock* clock, Scheduler* scheduler,
                TimePoint stop_at, int64_t end_wall_us, RunOutcome* outcome,
                std::function<void(const std::string&)> log)
      : loop_(loop), clock_(clock), scheduler_(scheduler), stop_at_(stop_at),
        end_wall_us_(end_wall_us), outcome_(outcome), log_(std::move(log)) {}
  void OnTurn() override {
    if (done_ || loop_->stopping()) return;
    const int64_t left_s = std::max<int64_t>(0, (end_wall_us_ - clock_->WallMicros()) / 1000000);
    if (clock_->Now() >= stop_at_) {
      log_(fmt::format("the allocation ends in {}s: stopping; {} running (SIGTERM, then their "
                       "grace period) run again on --resume",
                       left_s, Counted(static_cast<int64_t>(scheduler_->running()), "task")));
    } else if (scheduler_->running() == 0 && !scheduler_->Done() &&
               scheduler_->outbox()->empty() && !scheduler_->NextDeadline()) {
      // Nothing runs and nothing left could end before the end: no reason to wait for it.
      log_(fmt::format("the allocation ends in {}s, and no task left could end before then: "
                       "stopping now",
                       left_s));
    } else {
      return;
    }
    done_ = true;
    outcome_->allocation_ended = true;
    outcome_->allocation_end_wall_us = end_wall_us_;
    loop_->BeginStop(/*kill=*/false);
  }
  std::optional<TimePoint> NextDue() const override {
    if (done_) return std::nullopt;
    return stop_at_;
  }

 private:
  ServerLoop* loop_;
  const Clock* clock_;
  Scheduler* scheduler_;
  TimePoint stop_at_;
  int64_t end_wall_us_;
  RunOutcome* outcome_;
  std::function<void(const std::string&)> log_;
  bool done_ = false;
};

}  // namespace

CampaignRunner::CampaignRunner(Scheduler* scheduler, JournalStore* journal,
                               ProcessLauncher* launcher, LocalWorker* worker,
                               const Clock* clock, ProgressReporter* progress)
    : scheduler_(scheduler),
      journal_(journal),
      launcher_(launcher),
      worker_(worker),
      clock_(clock),
      progress_(progress) {}

Result<RunOutcome> CampaignRunner::Run() {
  LoopOptions options;
  options.exit_when_done = true;
  std::unique_ptr<CommitDelayingJournal> delaying;
  JournalStore* journal = journal_;
  if (inject_ && inject_->commit_delay_probability > 0) {
    delaying = std::make_unique<CommitDelayingJournal>(
        journal_, inject_->commit_delay_probability, inject_->commit_delay, inject_->seed);
    journal = delaying.get();
  }
  ALLOT_ASSIGN_OR_RETURN(std::unique_ptr<ServerLoop> loop,
                         ServerLoop::Create(scheduler_, journal, clock_, options));
  auto log = [this](const std::string& line) { progress_->Message(line); };
  loop->set_log(log);
  LocalChannel channel(scheduler_, launcher_, worker_, clock_, log);
  loop->set_channel(&channel);
  RunOutcome outcome;
  outcome.totals_before = scheduler_->totals();
  ProgressObserver observer(scheduler_, progress_, clock_, &outcome);
  loop->AddObserver(&observer);
  std::unique_ptr<SubmissionFeed> feed;
  if (feed_) {
    FeedOptions fo = std::move(*feed_);
    feed_.reset();
    fo.log = log;
    fo.task_dir = [this](const std::string& id) { return worker_->TaskDir(id); };
    feed = std::make_unique<SubmissionFeed>(loop.get(), scheduler_, std::move(fo));
    loop->AddObserver(feed.get());
    ALLOT_RETURN_IF_ERROR(feed->Start());
  }
  std::unique_ptr<AllocationEnd> allocation_end;
  if (stop_at_) {
    allocation_end = std::make_unique<AllocationEnd>(loop.get(), clock_, scheduler_, *stop_at_,
                                                     end_wall_us_, &outcome, log);
    loop->AddObserver(allocation_end.get());
  }
  std::unique_ptr<FailureInjector> injector;
  if (inject_ && inject_->any()) {
    log("allot: injecting failures: " + DescribeFailureInjection(*inject_));
    injector = std::make_unique<FailureInjector>(
        *inject_, scheduler_, worker_, clock_,
        [log](const std::string& line) { log("allot: " + line); });
    loop->AddObserver(injector.get());
  }
  ALLOT_ASSIGN_OR_RETURN(LoopOutcome ended, loop->Run());
  progress_->Finish();
  outcome.stop_signal = ended.stop_signal;
  outcome.journal_error = ended.journal_error;
  outcome.wall = ended.wall;
  return outcome;
}

}  // namespace allot
