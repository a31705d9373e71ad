#include "server/local_campaign.h"

#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "common/clock.h"
#include "common/units.h"
#include "core/scheduler.h"
#include "exec/leftover_processes.h"
#include "exec/posix_process_launcher.h"
#include "model/scenario_policy_json.h"
#include "server/campaign_lock.h"
#include "server/campaign_runner.h"
#include "server/campaign_setup.h"
#include "server/requeue_tasks.h"
#include "server/scenario_recovery.h"
#include "worker/attempt_environment.h"
#include "worker/local_worker.h"

namespace allot {
namespace {

namespace fs = std::filesystem;

void ToStderr(const std::string& line) { fmt::print(stderr, "allot run: {}\n", line); }

}  // namespace

Result<RunSummary> RunLocalCampaign(const LocalCampaignOptions& options,
                                    std::optional<LoadedTasks> loaded) {
  if (!options.resume && !loaded) {
    return Status::InvalidArgument("a new campaign needs a task file");
  }
  const std::function<void(const std::string&)> print =
      options.log ? options.log : std::function<void(const std::string&)>(ToStderr);
  SchedulerOptions sched_options;
  sched_options.max_running = options.max_running;
  sched_options.preempt_after = options.preempt_after;
  sched_options.share_weights = options.share_weights;
  sched_options.share_half_life = options.share_half_life;
  // The stop moment on the loop's (monotonic) clock.
  std::optional<TimePoint> stop_at;
  if (options.end_wall_us > 0) {
    const Clock* clock = SystemClock::Default();
    stop_at = clock->Now() + Duration(options.end_wall_us - clock->WallMicros()) -
              options.end_margin;
    sched_options.ends_at = stop_at;
  }
  Scheduler scheduler(SystemClock::Default(), options.machine, sched_options);

  // Where lines about the journal go: `print` until the progress reporter takes over. Declared
  // before the journal, which calls it while it waits for a lock, up to its destruction.
  std::function<void(const std::string&)> log = print;
  SqliteJournalOptions jo = options.journal;
  jo.on_busy_wait = [&log](const std::string& line) { log(line); };
  std::unique_ptr<SqliteJournal> journal;
  std::unique_ptr<CampaignLock> lock;
  std::error_code ec;
  if (options.resume) {
    ALLOT_ASSIGN_OR_RETURN(lock, CampaignLock::Acquire(options.db));
    jo.must_exist = true;
    ALLOT_ASSIGN_OR_RETURN(journal, SqliteJournal::Open(options.db, jo));
    if (!journal->loss().empty()) {
      print(fmt::format("warning: {}; continuing from what the file holds "
                        "(--accept-journal-loss)",
                        journal->loss()));
    }
    // The policy the campaign was started with; a file given again must say the same.
    ALLOT_ASSIGN_OR_RETURN(std::optional<std::string> policy,
                           journal->GetMeta(std::string(kScenarioPolicyMetaKey)));
    if (policy) {
      ALLOT_ASSIGN_OR_RETURN(ScenarioPolicySpec spec, ScenarioPolicyFromJson(*policy));
      scheduler.SetScenarioPolicy(spec);
    }
    if (loaded && loaded->scenarios &&
        (!policy || ScenarioPolicyToJson(*loaded->scenarios) != *policy)) {
      return Status::InvalidArgument(fmt::format(
          "{}: scenarios: differs from the policy the campaign was started with ({}); a "
          "resumed campaign keeps its policy (start a new campaign to change it)",
          options.tasks_file, policy ? *policy : "none"));
    }
    ALLOT_RETURN_IF_ERROR(ResumeCampaign(&scheduler, journal.get(),
                                         loaded ? &loaded->tasks : nullptr,
                                         options.machine.Capacity()));
    ALLOT_RETURN_IF_ERROR(RestoreScenarios(&scheduler, journal.get(), options.db));
    if (options.retry_failed) {
      ALLOT_ASSIGN_OR_RETURN(int requeued, RequeueUnsuccessful(&scheduler, journal.get()));
      print(fmt::format("--retry-failed: {} task{} requeued", requeued,
                        requeued == 1 ? "" : "s"));
    }
    // Interrupted attempts run again: what is left of them must not run beside them.
    Result<int> killed = KillLeftoverProcesses(options.workdir);
    if (!killed.ok()) return Status::Internal(killed.status().message());
    if (*killed > 0) {
      print(fmt::format("killed {} leftover process{} of interrupted attempts", *killed,
                        *killed == 1 ? "" : "es"));
    }
  } else {
    fs::create_directories(options.workdir, ec);
    if (ec) {
      return Status::InvalidArgument(
          fmt::format("cannot create {}: {}", options.workdir, ec.message()));
    }
    jo.create_new = true;
    ALLOT_ASSIGN_OR_RETURN(journal, SqliteJournal::Open(options.db, jo));
    ALLOT_ASSIGN_OR_RETURN(lock, CampaignLock::Acquire(options.db));
    // Journaled with the campaign's first batch (Outbox::meta).
    if (loaded->scenarios) scheduler.SetScenarioPolicy(*loaded->scenarios);
    // In the same commit as the tasks: a journal never holds a study's tasks without its spec.
    for (const auto& [key, value] : options.meta) {
      ALLOT_RETURN_IF_ERROR(journal->PutMeta(key, value));
    }
    ALLOT_RETURN_IF_ERROR(
        StartCampaign(&scheduler, journal.get(), std::move(loaded->tasks), options.tasks_file));
  }
  fs::create_directories(options.workdir, ec);
  // What `allot share` reads: the weights and half-life this run schedules with (committed
  // with the run's first batch).
  ALLOT_RETURN_IF_ERROR(journal->PutMeta(kFairShareMetaKey,
                                         FairShareMeta(options.share_weights,
                                                       options.share_half_life)));

  PosixLauncherOptions launcher_options;
  launcher_options.sample_interval = options.sample_interval;
  Result<std::unique_ptr<PosixProcessLauncher>> launcher =
      PosixProcessLauncher::Create(launcher_options);
  if (!launcher.ok()) return Status::Internal(launcher.status().ToString());
  const Machine& machine = options.machine;
  LocalWorker worker(
      launcher->get(), options.workdir,
      AttemptEnvironment(AttemptEnvironment::CurrentEnvironment(), !machine.gpus.empty()));
  worker.RunSlotsOn(machine);
  ProgressReporter progress(stderr, options.progress, SystemClock::Default()->Now());
  log = [&progress](const std::string& line) { progress.Message(line); };
  worker.set_log([&progress](const std::string& line) { progress.Message("allot: " + line); });
  progress.Message(fmt::format(
      "allot: {} on {}{}; journal {}", Counted(scheduler.task_count(), "task"),
      Counted(machine.cpus.size(), "core"),
      machine.gpus.empty() ? "" : ", " + Counted(machine.gpus.size(), "GPU"), options.db));
  CampaignRunner runner(&scheduler, journal.get(), launcher->get(), &worker,
                        SystemClock::Default(), &progress);
  if (options.inject) runner.set_failure_injection(*options.inject);
  if (stop_at) {
    runner.set_stop_at(*stop_at, options.end_wall_us);
    progress.Message(fmt::format(
        "allot: the allocation ends in {}: tasks that would not end {} before it are not "
        "started, and the run stops then",
        FormatDuration(Duration(options.end_wall_us - SystemClock::Default()->WallMicros())),
        FormatDuration(options.end_margin)));
  }
  if (options.feed_in >= 0 && options.feed_out >= 0) {
    FeedOptions feed;
    feed.in_fd = options.feed_in;
    feed.out_fd = options.feed_out;
    feed.base_dir = options.feed_base_dir;
    feed.capacity = machine.Capacity();
    runner.set_feed(std::move(feed));
  }
  Result<RunOutcome> outcome = runner.Run();
  // The progress reporter goes before the journal: lines from its close go to `print`.
  log = print;
  if (!outcome.ok()) return Status::Internal(outcome.status().ToString());
  RunSummary summary = Summarize(scheduler, *outcome);
  if (!outcome->journal_error.ok()) {
    // What the journal holds is what a resume starts from; the summary must say the same.
    CountFromJournal(journal->Load(), &summary);
  }
  std::ofstream out(fs::path(options.workdir) / "summary.json");
  out << SummaryToJson(summary).dump(2) << "\n";
  return summary;
}

}  // namespace allot
