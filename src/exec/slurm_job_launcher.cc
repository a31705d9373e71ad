#include "exec/slurm_job_launcher.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "common/thread_annotations.h"
#include "exec/slurm_allocation_commands.h"

namespace allot {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The first line of `text`, trimmed; `fallback` when there is none.
std::string FirstLine(const std::string& text, const std::string& fallback) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return fallback;
  size_t end = text.find('\n', start);
  std::string line = text.substr(start, end == std::string::npos ? end : end - start);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line;
}

// Appends a line for people to the attempt's stderr file (it may not exist yet).
void AppendLine(const std::string& path, const std::string& line) {
  if (path.empty()) return;
  if (std::FILE* f = std::fopen(path.c_str(), "a")) {
    std::fprintf(f, "allot: %s\n", line.c_str());
    std::fclose(f);
  }
}

}  // namespace

// Owns the jobs, on its own thread: the owner's calls only queue (to_submit_, signals_) and
// take (done_) under mu_.
class SlurmJobLauncher::Poller {
 public:
  explicit Poller(SlurmJobLauncherOptions options) : options_(std::move(options)) {
    if (!options_.run) {
      const Duration timeout = options_.command_timeout;
      options_.run = [timeout](const std::vector<std::string>& argv, const std::string& in) {
        return RunCaptured(argv, in, timeout);
      };
    }
  }

  ~Poller() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    // Jobs that have not ended do not outlive the worker that would report them.
    std::vector<std::string> argv = {"scancel"};
    for (const auto& [run, job] : jobs_) {
      if (!job.id.empty()) argv.push_back(job.id);
    }
    if (argv.size() > 1) options_.run(argv, "");
    if (ready_fd_ >= 0) close(ready_fd_);
  }

  Status Start() {
    ready_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (ready_fd_ < 0) return Status::IoError(std::string("eventfd: ") + std::strerror(errno));
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (const std::system_error& e) {
      return Status::IoError(std::string("thread: ") + e.what());
    }
    return Status::Ok();
  }

  int ready_fd() const { return ready_fd_; }

  void Submit(const LaunchRequest& request) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      to_submit_.push_back(request);
    }
    cv_.notify_all();
  }

  void Signal(RunId run, int signal) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      signals_.emplace_back(run, signal);
    }
    cv_.notify_all();
  }

  void Take(std::vector<ProcessExit>* out) {
    uint64_t n;
    while (read(ready_fd_, &n, sizeof n) == sizeof n) {
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (ProcessExit& e : done_) out->push_back(std::move(e));
    done_.clear();
  }

 private:
  struct Job {
    std::string id;               // the Slurm job id; empty until submitted
    std::string name;             // allot-<task id>
    std::string stderr_path;
    int last_signal = 0;          // the last one sent, for a cancelled job's exit
    std::optional<SteadyClock::time_point> ended;  // when squeue stopped listing it
    std::optional<SlurmJobSample> sample;  // sstat's last, without accounting
  };

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, options_.poll_interval,
                   [this] { return stop_ || !to_submit_.empty() || !signals_.empty(); });
      if (stop_) break;
      std::vector<LaunchRequest> submits = std::move(to_submit_);
      std::vector<std::pair<RunId, int>> signals = std::move(signals_);
      to_submit_.clear();
      signals_.clear();
      lock.unlock();
      for (const LaunchRequest& r : submits) SubmitJob(r);
      for (const auto& [run, signal] : signals) SignalJob(run, signal);
      Poll();
      lock.lock();
    }
  }

  void SubmitJob(const LaunchRequest& r) {
    Job& job = jobs_[r.run_id];
    job.stderr_path = r.stderr_path;
    job.name = "allot-" + r.batch.task_id;
    CapturedOutput out =
        options_.run(SlurmJobSbatchArgv(r, options_.defaults), SlurmJobScript(r));
    Result<std::string> id = out.exit_code == 0
                                 ? ParseSbatchParsable(out.out)
                                 : Result<std::string>(Status::InvalidArgument(
                                       SbatchError(out.err, out.exit_code)));
    if (!id.ok()) {
      const std::string why = "sbatch failed: " + id.status().message();
      AppendLine(r.stderr_path, why);
      ProcessExit e;
      e.run_id = r.run_id;
      e.usage.exit_code = 127;
      e.usage.stderr_tail = why;
      jobs_.erase(r.run_id);
      Finish(std::move(e));
      return;
    }
    job.id = *id;
  }

  void SignalJob(RunId run, int signal) {
    auto it = jobs_.find(run);
    if (it == jobs_.end() || it->second.id.empty() || it->second.ended) return;
    Job& job = it->second;
    job.last_signal = signal;
    CapturedOutput out = options_.run(SlurmJobScancelArgv(job.id, signal), "");
    // A pending job has no processes to signal: a stop signal cancels it instead.
    if (out.exit_code != 0 && signal != SIGKILL &&
        (signal == SIGTERM || signal == SIGINT || signal == SIGHUP)) {
      options_.run(SlurmJobScancelArgv(job.id, SIGKILL), "");
    }
  }

  void Poll() {
    std::vector<std::string> listed_ids;
    for (const auto& [run, job] : jobs_) {
      if (!job.id.empty() && !job.ended) listed_ids.push_back(job.id);
    }
    const auto now = SteadyClock::now();
    if (!listed_ids.empty() && !accounting_probed_) {
      // Once, with the first job: whether sacct will ever answer, or sstat must sample.
      accounting_probed_ = true;
      CapturedOutput probe = options_.run(SlurmJobSacctArgv(listed_ids.front()), "");
      if (probe.exit_code != 0 && SaysNoAccounting(probe.err)) no_accounting_ = true;
    }
    if (!listed_ids.empty()) {
      CapturedOutput out = options_.run(SlurmJobSqueueArgv(listed_ids), "");
      // squeue fails for a list of only forgotten jobs ("Invalid job id"); any other failure
      // (slurmctld unreachable) says nothing: ask again next time.
      const bool forgotten = out.exit_code != 0 &&
                             out.err.find("Invalid job id") != std::string::npos;
      if (out.exit_code == 0 || forgotten) {
        std::set<std::string> live;
        for (const auto& [id, state] : ParseSlurmJobSqueue(out.out)) {
          if (!IsFinalSlurmJobState(state)) live.insert(id);
        }
        for (auto& [run, job] : jobs_) {
          if (!job.id.empty() && !job.ended && live.count(job.id) == 0) job.ended = now;
        }
      }
      if (no_accounting_) SampleRunning();
    }
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      Job& job = it->second;
      if (!job.ended) {
        ++it;
        continue;
      }
      std::optional<SlurmJobRecord> record = Record(job, now);
      if (!record) {
        ++it;
        continue;
      }
      Finish(ExitOf(it->first, job, *record));
      it = jobs_.erase(it);
    }
  }

  // The ended job's record: sacct's, else (no accounting, or none after accounting_wait)
  // scontrol's; nullopt: ask again next poll. A job neither knows gets a made-up failure.
  std::optional<SlurmJobRecord> Record(Job& job, SteadyClock::time_point now) {
    CapturedOutput out = options_.run(SlurmJobSacctArgv(job.id), "");
    if (out.exit_code == 0) {
      Result<std::optional<SlurmJobRecord>> r = ParseSacct(out.out, job.id);
      // Under its own name only: slurmdbd may have a job's end before its start (and then
      // names it "allocation"), or a job of an earlier cluster under the same id.
      if (r.ok() && r->has_value() && (*r)->name == job.name) return **r;
    }
    if (out.exit_code != 0 && SaysNoAccounting(out.err)) no_accounting_ = true;
    if (!no_accounting_ && now - *job.ended < options_.accounting_wait) return std::nullopt;
    CapturedOutput shown = options_.run(SlurmJobScontrolArgv(job.id), "");
    if (shown.exit_code == 0) {
      if (Result<SlurmJobRecord> r = ParseScontrolJob(shown.out); r.ok()) {
        if (job.sample) {
          r->user_cpu = job.sample->cpu;  // sstat's AveCPU does not split user and system
          r->max_rss_bytes = job.sample->max_rss_bytes;
        }
        return *r;
      }
    }
    const std::string why = "Slurm job " + job.id +
                            " ended, but neither sacct nor scontrol knows how: " +
                            FirstLine(shown.err + out.err, "no answer");
    AppendLine(job.stderr_path, why);
    SlurmJobRecord failed;
    failed.state = "UNKNOWN";
    failed.exit_code = 1;
    return failed;
  }

  // Without accounting: sstat's usage of each running job, kept for its end.
  void SampleRunning() {
    for (auto& [run, job] : jobs_) {
      if (job.id.empty() || job.ended) continue;
      CapturedOutput out = options_.run(SlurmJobSstatArgv(job.id), "");
      if (out.exit_code != 0) continue;
      if (std::optional<SlurmJobSample> s = ParseSstat(out.out, job.id)) job.sample = s;
    }
  }

  static ProcessExit ExitOf(RunId run, const Job& job, const SlurmJobRecord& r) {
    ProcessExit e;
    e.run_id = run;
    AttemptUsage& u = e.usage;
    u.slurm_job = job.id;
    u.exit_code = r.exit_code;
    u.term_signal = r.signal;
    const bool cancelled = r.state.rfind("CANCELLED", 0) == 0;
    if (cancelled && r.signal == 0 && r.exit_code == 0) {
      // scancel ended it before it could say: the signal sent, else as a kill.
      u.term_signal = job.last_signal != 0 ? job.last_signal : SIGKILL;
    }
    if (u.term_signal != 0) u.exit_code = -1;
    u.memory_exceeded = r.state == "OUT_OF_MEMORY";
    u.wall = r.elapsed;
    u.user_cpu = r.user_cpu;
    u.sys_cpu = r.sys_cpu;
    u.max_rss_bytes = r.max_rss_bytes;
    return e;
  }

  void Finish(ProcessExit exit) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_.push_back(std::move(exit));
    }
    const uint64_t one = 1;
    (void)!write(ready_fd_, &one, sizeof one);
  }

  SlurmJobLauncherOptions options_;
  int ready_fd_ = -1;
  std::map<RunId, Job> jobs_;  // the thread's own (and the destructor's, after the join)
  bool no_accounting_ = false;  // sacct said so: sample with sstat (the thread's own)
  bool accounting_probed_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<LaunchRequest> to_submit_ GUARDED_BY(mu_);
  std::vector<std::pair<RunId, int>> signals_ GUARDED_BY(mu_);
  std::vector<ProcessExit> done_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

Result<std::unique_ptr<SlurmJobLauncher>> SlurmJobLauncher::Create(
    SlurmJobLauncherOptions options) {
  auto poller = std::make_unique<Poller>(std::move(options));
  ALLOT_RETURN_IF_ERROR(poller->Start());
  return std::unique_ptr<SlurmJobLauncher>(new SlurmJobLauncher(std::move(poller)));
}

SlurmJobLauncher::SlurmJobLauncher(std::unique_ptr<Poller> poller)
    : poller_(std::move(poller)) {}

SlurmJobLauncher::~SlurmJobLauncher() = default;

Status SlurmJobLauncher::Launch(const LaunchRequest& request) {
  // The job starts elsewhere, in request.cwd: its paths must not depend on this process's.
  LaunchRequest r = request;
  for (std::string* path : {&r.cwd, &r.stdout_path, &r.stderr_path}) {
    std::error_code ec;
    if (!path->empty() && (*path)[0] != '/') {
      std::filesystem::path absolute = std::filesystem::absolute(*path, ec);
      if (!ec) *path = absolute.lexically_normal().string();
    }
  }
  poller_->Submit(r);
  ++running_;
  return Status::Ok();
}

Status SlurmJobLauncher::Signal(RunId run_id, int signal) {
  poller_->Signal(run_id, signal);
  return Status::Ok();
}

int SlurmJobLauncher::ReadyFd() const { return poller_->ready_fd(); }

void SlurmJobLauncher::CollectExits(std::vector<ProcessExit>* exits) {
  const size_t before = exits->size();
  poller_->Take(exits);
  const size_t taken = exits->size() - before;
  running_ = taken > running_ ? 0 : running_ - taken;
}

}  // namespace allot
