#include "cli/run_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "cli/diagnostics_output.h"
#include "cli/exit_codes.h"
#include "cli/relative_to.h"
#include "cli/run_options.h"
#include "common/clock.h"
#include "cli/allocation_end.h"
#include "common/units.h"
#include "exec/machine_detector.h"
#include "exec/machine_overrides.h"
#include "exec/slurm_job_end.h"
#include "model/task_file.h"
#include "cli/scheduling_flags.h"
#include "server/local_campaign.h"
#include "server/run_summary.h"

namespace allot {
namespace {

namespace fs = std::filesystem;

int BadInput(const RunOptions& o, const std::string& message) {
  fmt::print(stderr, "allot {}: {}\n", o.command, message);
  return kExitBadInput;
}

// Prints `s` and returns the exit code its kind calls for (2 for bad input, else 3).
int Failed(const RunOptions& o, const Status& s) {
  fmt::print(stderr, "allot {}: {}\n", o.command, s.message());
  return ExitForStatus(s);
}

Result<Machine> DetectFromFlags(const RunOptions& o) {
  // --cores beyond the CPUs: that many slots on the CPUs there are (one warning, in Run).
  return DetectMachineFromFlags({o.cores, o.memory, o.gpus, o.resources,
                                 /*slots_beyond_cpus=*/true});
}

// --feed IN,OUT: two open file descriptors, made close-on-exec so that no task holds them.
std::optional<std::pair<int, int>> ParseFeedFds(const std::string& text) {
  int in = -1, out = -1;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d,%d%c", &in, &out, &extra) != 2 || in < 0 || out < 0) {
    return std::nullopt;
  }
  for (int fd : {in, out}) {
    const int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) return std::nullopt;
  }
  return std::make_pair(in, out);
}

}  // namespace

int RunCampaign(const RunOptions& o) {
  if (o.retry_failed && !o.resume) {
    return BadInput(o,
                    "--retry-failed: only with --resume (it requeues the journal's failed tasks)");
  }
  if (o.tasks_file.empty() && !o.resume) {
    return BadInput(o, "no task file: allot run TASKS.{json,yaml} (or --tasks FILE)");
  }
  std::error_code ec;
  const fs::path cwd = fs::current_path();
  const fs::path workdir = fs::absolute(o.workdir);
  const fs::path db = o.db.empty() ? workdir / "allot.db" : fs::absolute(o.db);
  auto durability = ParseJournalDurability(o.durability);
  if (!durability) return BadInput(o, "--durability " + o.durability + ": expected normal or full");
  ProgressMode progress_mode = ProgressMode::kAuto;
  if (o.quiet || o.progress == "none") {
    progress_mode = ProgressMode::kNone;
  } else if (o.progress == "tty") {
    progress_mode = ProgressMode::kTerminal;
  } else if (o.progress == "plain") {
    progress_mode = ProgressMode::kPlain;
  } else if (o.progress != "auto") {
    return BadInput(o, "--progress " + o.progress + ": expected auto, tty, plain or none");
  }

  const bool journal_exists = fs::exists(db, ec);
  if (journal_exists && !o.resume) {
    return BadInput(o, fmt::format(
        "a journal already exists at {}: add --resume to continue that campaign, or choose "
        "another --workdir or --db for a new one",
        db.string()));
  }
  if (!journal_exists && o.resume) {
    return BadInput(o, fmt::format("--resume: no journal at {} to resume", db.string()));
  }

  auto sample_interval = ParseDuration(o.sample_interval);
  if (!sample_interval.ok()) {
    return BadInput(o, sample_interval.status().WithPrefix("--sample-interval " + o.sample_interval)
                        .message());
  }
  auto busy_timeout = ParseDuration(o.journal_busy_timeout);
  if (!busy_timeout.ok() || *busy_timeout > std::chrono::hours(24)) {
    return BadInput(o, "--journal-busy-timeout " + o.journal_busy_timeout +
                    ": expected a duration of at most 24h, such as 60s or 10min (0: no wait)");
  }

  // When the allocation ends: --end-time, else (inside a Slurm job) SLURM_JOB_END_TIME.
  Result<AllocationEnd> allocation_end = ResolveAllocationEnd(o.end_time, o.end_margin);
  if (!allocation_end.ok()) return BadInput(o, allocation_end.status().message());
  const int64_t end_wall_us = allocation_end->end_wall_us;
  const Duration end_margin = allocation_end->margin;

  auto preempt_after = ParsePreemptAfter(o.preempt_after);
  if (!preempt_after.ok()) return BadInput(o, preempt_after.status().message());
  auto share_weights = ParseShares(o.shares);
  if (!share_weights.ok()) return BadInput(o, share_weights.status().message());
  auto half_life = ParseShareHalfLife(o.share_half_life);
  if (!half_life.ok()) return BadInput(o, half_life.status().message());

  std::optional<FailureInjection> inject;
  if (!o.inject_failures.empty()) {
    auto f = ParseFailureInjection(o.inject_failures);
    if (!f.ok()) return BadInput(o, f.status().message());
    inject = *f;
  }

  std::optional<std::pair<int, int>> feed;
  if (!o.feed.empty()) {
    feed = ParseFeedFds(o.feed);
    if (!feed) {
      return BadInput(o, "--feed " + o.feed + ": expected IN,OUT, two open file descriptors");
    }
  }

  auto machine = DetectFromFlags(o);
  if (!machine.ok()) return BadInput(o, machine.status().message());
  if (const int shared = SharedSlots(*machine); shared > 0) {
    const size_t cpus = machine->cpus.size() - static_cast<size_t>(shared);
    fmt::print(stderr,
               "allot {}: warning: --cores {}: this process may use {} CPU{}; running {} task "
               "slots on them, {} per CPU at most (tasks share CPUs; affinity is not "
               "exclusive)\n",
               o.command, machine->cpus.size(), cpus, cpus == 1 ? "" : "s", machine->cpus.size(),
               (machine->cpus.size() + cpus - 1) / cpus);
  }

  std::optional<LoadedTasks> loaded;
  if (!o.tasks_file.empty()) {
    std::vector<Diagnostic> diagnostics;
    LoadOptions load;
    load.base_dir = cwd.string();
    if (Status s = ApplyRelativeTo(o.relative_to, &load); !s.ok()) return BadInput(o, s.message());
    load.capacity = machine->Capacity();
    auto tasks = LoadTaskFile(o.tasks_file, load, &diagnostics);
    if (!diagnostics.empty()) {
      fmt::print(stderr, "{}", FormatDiagnostics(diagnostics));
      WriteDiagnosticsJson(o.command, o.diagnostics_json, diagnostics);
      fmt::print(stderr, "allot {}: {} problem{} in {}; nothing was run\n", o.command,
                 diagnostics.size(),
                 diagnostics.size() == 1 ? "" : "s", o.tasks_file);
      return kExitBadInput;
    }
    if (!tasks.ok()) return BadInput(o, tasks.status().message());
    for (const Diagnostic& w : tasks->warnings) {
      fmt::print(stderr, "warning: {}\n", w.ToString());
    }
    loaded = std::move(*tasks);
  }

  LocalCampaignOptions campaign;
  campaign.machine = std::move(*machine);
  campaign.workdir = workdir.string();
  campaign.db = db.string();
  if (!o.tasks_file.empty()) campaign.tasks_file = fs::absolute(o.tasks_file).string();
  campaign.resume = o.resume;
  campaign.retry_failed = o.retry_failed;
  campaign.max_running = o.max_workers;
  campaign.end_wall_us = end_wall_us;
  campaign.end_margin = end_margin;
  campaign.preempt_after = *preempt_after;
  campaign.inject = inject;
  campaign.share_weights = *share_weights;
  campaign.share_half_life = *half_life;
  campaign.journal.durability = *durability;
  campaign.journal.busy_timeout_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(*busy_timeout).count());
  campaign.journal.accept_loss = o.accept_journal_loss;
  campaign.journal.accept_loss_hint =
      "restore its -wal file if you still have it, or pass --accept-journal-loss to continue "
      "from what the file holds";
  campaign.sample_interval = *sample_interval;
  campaign.progress = progress_mode;
  if (feed) {
    campaign.feed_in = feed->first;
    campaign.feed_out = feed->second;
    campaign.feed_base_dir = cwd.string();
  }
  campaign.meta = o.meta;
  Result<RunSummary> ran = RunLocalCampaign(campaign, std::move(loaded));
  if (!ran.ok()) {
    WriteDiagnosticsJson(o.command, o.diagnostics_json, ran.status().diagnostics());
    return Failed(o, ran.status());
  }
  const RunSummary& summary = *ran;
  if (!o.quiet) {
    fmt::print("{}", SummaryToText(summary));
    fmt::print("journal: {}  summary: {}\n", db.string(), (workdir / "summary.json").string());
  }
  if (!summary.journal_error.empty()) return kExitInternal;
  if (summary.stop_signal) return ExitForSignal(summary.stop_signal);
  if (summary.allocation_ended && summary.unfinished > 0) return kExitAllocationEnded;
  return summary.all_succeeded() ? kExitOk : kExitTasksFailed;
}

namespace {

// A whole number >= `min`, with a message that says so (CLI11's ranges print a double range).
CLI::Validator WholeNumberAtLeast(int min) {
  return CLI::Validator(
      [min](std::string& input) -> std::string {
        size_t used = 0;
        long long n = 0;
        try {
          n = std::stoll(input, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != input.size() || n < min || n > std::numeric_limits<int>::max()) {
          return fmt::format("expected a whole number >= {}, got '{}'", min, input);
        }
        return std::string();
      },
      fmt::format("INT>={}", min));
}

}  // namespace

void AddRunCommand(CLI::App* app, int* exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app->add_subcommand("run", "Run a campaign on this machine (embedded server)");
  run->add_option("file", options->tasks_file, "Task file (JSON array, or workflow JSON/YAML)");
  run->add_option("--tasks", options->tasks_file, "Task file (same as the positional argument)");
  run->add_option("--workdir", options->workdir,
                  "Where task output (<workdir>/<task id>/stdout, stderr), the journal and "
                  "summary.json go")
      ->capture_default_str();
  run->add_option("--db", options->db, "Journal file (default <workdir>/allot.db)");
  run->add_option("--relative-to", options->relative_to,
                  "Resolve the task file's relative paths (workdirs, programs like ./sim) "
                  "against this directory instead of the file's own (for generated files)");
  run->add_flag("--resume", options->resume,
                "Continue the campaign in the journal after a crash or stop");
  run->add_flag("--retry-failed", options->retry_failed,
                "With --resume: failed and canceled tasks run again with a fresh retry budget "
                "(their dependents with them); earlier attempts stay in the journal");
  run->add_option("--cores", options->cores,
                  "Use this many cores (default: all this process may use); more than there "
                  "are: that many task slots sharing the CPUs (with a warning)")
      ->check(WholeNumberAtLeast(1));
  run->add_option("--memory", options->memory, "Memory to hand out, e.g. 16G (default: detected)");
  run->add_option("--gpus", options->gpus, "GPUs: a count (2) or device ids (0,3; one id: 3,)");
  run->add_option("--resource", options->resources,
                  "A custom resource this machine offers, NAME=COUNT (repeatable), for tasks' "
                  "`resources`")
      ->allow_extra_args(false);
  run->add_option("--max-workers", options->max_workers,
                  "Most tasks running at once (default: as many as fit)")
      ->check(WholeNumberAtLeast(0));
  run->add_option("--end-time", options->end_time,
                  "When the allocation ends: +DURATION, epoch seconds or YYYY-MM-DDTHH:MM[:SS][Z] "
                  "(default inside a Slurm job: the job's end). Tasks whose expected run time "
                  "(estimate, learned, else time_limit) would reach past it are not started, "
                  "and the run stops --end-margin before it (exit 75); --resume continues");
  run->add_option("--end-margin", options->end_margin,
                  "How long before --end-time the run stops its tasks (their grace periods "
                  "and the journal's last commit must fit in it)")
      ->capture_default_str();
  run->add_option("--preempt-after", options->preempt_after,
                  "How long the highest-priority waiting task waits for cores before running "
                  "`preemptible` tasks of lower priority make room (checkpointed when they can, "
                  "then requeued); `protected` tasks never do; never: no preemption")
      ->capture_default_str();
  run->add_option("--share", options->shares,
                  "Fair share: PROJECT=WEIGHT (repeatable) for tasks' tags.project; among tasks "
                  "of equal priority the project furthest below its share of the core-hours "
                  "starts first (Slurm's fair-share factor); unnamed projects weigh 1. See "
                  "`allot share`")
      ->allow_extra_args(false);
  run->add_option("--share-half-life", options->share_half_life,
                  "How fast fair share forgets usage: core-hours this long ago count half")
      ->capture_default_str();
  run->add_option("--inject-failures", options->inject_failures,
                  "Break things on purpose, for testing a campaign's survival: comma-separated "
                  "tasks=RATE (a running attempt SIGKILLed), workers=RATE (every running "
                  "attempt killed and lost), corrupt=P (a sealed checkpoint set corrupted), "
                  "commit-delay=P:DURATION, seed=N; RATE as 2/min, 0.5/s, 3/h");
  run->add_option("--durability", options->durability,
                  "normal: survives kill -9 of allot; full: survives power loss (slower)")
      ->capture_default_str();
  run->add_option("--progress", options->progress, "auto, tty, plain or none")->capture_default_str();
  run->add_option("--sample-interval", options->sample_interval,
                  "How often running tasks' CPU, memory and I/O are sampled after the first "
                  "second (memory limits are enforced at samples); 0: never")
      ->capture_default_str();
  run->add_option("--journal-busy-timeout", options->journal_busy_timeout,
                  "How long to wait for the journal when another process (the sqlite3 shell, a "
                  "backup) holds its lock, before stopping with exit code 3")
      ->capture_default_str();
  run->add_flag("--accept-journal-loss", options->accept_journal_loss,
                "With --resume: continue a journal that lost committed records (its -wal file "
                "deleted or damaged after a crash) from what the file holds; finished tasks "
                "whose records were lost run again");
  run->add_option("--feed", options->feed,
                  "IN,OUT: file descriptors of pipes: more tasks arrive on IN while the campaign "
                  "runs and task ends are reported on OUT, as JSON lines; the run ends once "
                  "IN says {\"end\": true} and all is done (README, allot.pilot)");
  run->add_flag("-q,--quiet", options->quiet, "No progress and no summary on the terminal");
  AddDiagnosticsJsonOption(run, &options->diagnostics_json);
  run->callback([options, exit_code] { *exit_code = RunCampaign(*options); });
}

}  // namespace allot
