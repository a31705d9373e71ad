#include "exec/slurm_job_commands.h"

#include <charconv>
#include <cmath>
#include <csignal>

#include "exec/slurm_text.h"
#include "model/shell_quote.h"

namespace allot {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;


std::optional<int64_t> Integer(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "3:0" -> exit 3, signal 0.
bool ParseExitCode(std::string_view text, int* exit_code, int* signal) {
  std::vector<std::string_view> parts = SplitSlurmFields(TrimSlurmText(text), ':');
  if (parts.size() != 2) return false;
  std::optional<int64_t> code = Integer(parts[0]), sig = Integer(parts[1]);
  if (!code || !sig || *code < 0 || *code > 255 || *sig < 0 || *sig > 255) return false;
  *exit_code = static_cast<int>(*code);
  *signal = static_cast<int>(*sig);
  return true;
}

// The job's environment entries worth exporting: NAME must be a shell identifier, and the
// variables Slurm sets for the job itself (or that name this host's devices) stay Slurm's.
bool Exported(std::string_view entry, std::string_view* name, std::string_view* value) {
  size_t eq = entry.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  *name = entry.substr(0, eq);
  *value = entry.substr(eq + 1);
  for (size_t i = 0; i < name->size(); ++i) {
    char c = (*name)[i];
    bool ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  for (std::string_view prefix : {"SLURM_", "SBATCH_", "SRUN_", "SALLOC_"}) {
    if (name->substr(0, prefix.size()) == prefix) return false;
  }
  return *name != "CUDA_VISIBLE_DEVICES" && *name != "ALLOT_CORES";
}

}  // namespace

std::vector<std::string> SlurmJobSbatchArgv(const LaunchRequest& r,
                                             const SlurmJobDefaults& defaults) {
  const BatchJobRequest& b = r.batch;
  std::vector<std::string> argv = {"sbatch",     "--parsable",      "--export=NONE",
                                   "--job-name", "allot-" + b.task_id, "--chdir",
                                   r.cwd,        "--output",        r.stdout_path,
                                   "--error",    r.stderr_path,     "--cpus-per-task",
                                   std::to_string(std::max(1, b.cores))};
  if (b.memory_bytes > 0) {
    argv.insert(argv.end(), {"--mem", std::to_string((b.memory_bytes + kMiB - 1) / kMiB)});
  }
  if (b.gpus > 0) argv.insert(argv.end(), {"--gpus", std::to_string(b.gpus)});
  if (b.time_limit && b.time_limit->count() > 0) {
    // Minutes, rounded up: never shorter than asked (Allot's own limit comes first).
    const int64_t us = b.time_limit->count();
    argv.insert(argv.end(), {"--time", std::to_string((us + 60'000'000 - 1) / 60'000'000)});
  }
  auto option = [&](const char* flag, const char* tag, const std::string& fallback) {
    auto it = b.tags.find(tag);
    const std::string& value = it != b.tags.end() ? it->second : fallback;
    if (!value.empty()) argv.insert(argv.end(), {flag, value});
  };
  option("--partition", "partition", defaults.partition);
  option("--account", "account", defaults.account);
  option("--qos", "qos", defaults.qos);
  argv.insert(argv.end(), defaults.extra.begin(), defaults.extra.end());
  return argv;
}

std::string SlurmJobScript(const LaunchRequest& r) {
  std::string s = "#!/bin/sh\n# allot task " + r.batch.task_id + ", attempt " +
                  std::to_string(r.batch.attempt) + " (executor: slurm)\n";
  // sbatch --export=NONE left SLURM_EXPORT_ENV=NONE here, which srun in the task would take
  // as its own --export: the task's steps get the environment set below.
  s += "unset SLURM_EXPORT_ENV\n";
  std::string_view name, value;
  for (const std::string& entry : r.env) {
    if (!Exported(entry, &name, &value)) continue;
    s += "export " + std::string(name) + "=" + QuoteShellWord(value) + "\n";
  }
  s += "cd " + QuoteShellWord(r.cwd) + " || exit 126\n";
  s += "exec /bin/sh -c " + QuoteShellWord(r.command) + "\n";
  return s;
}

std::vector<std::string> SlurmJobSqueueArgv(const std::vector<std::string>& job_ids) {
  std::string list;
  for (const std::string& id : job_ids) list += (list.empty() ? "" : ",") + id;
  return {"squeue", "-h", "-j", list, "-o", "%i|%T"};
}

std::vector<std::pair<std::string, std::string>> ParseSlurmJobSqueue(std::string_view output) {
  std::vector<std::pair<std::string, std::string>> jobs;
  for (std::string_view line : SplitSlurmFields(output, '\n')) {
    std::vector<std::string_view> f = SplitSlurmFields(TrimSlurmText(line), '|');
    if (f.size() != 2 || TrimSlurmText(f[0]).empty()) continue;
    jobs.emplace_back(std::string(TrimSlurmText(f[0])), std::string(TrimSlurmText(f[1])));
  }
  return jobs;
}

bool IsFinalSlurmJobState(std::string_view state) {
  // "CANCELLED by 0": the first word.
  state = state.substr(0, state.find(' '));
  for (std::string_view s : {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY",
                             "NODE_FAIL", "BOOT_FAIL", "DEADLINE", "PREEMPTED", "REVOKED"}) {
    if (state == s) return true;
  }
  return false;
}

std::vector<std::string> SlurmJobSacctArgv(const std::string& job_id) {
  return {"sacct", "-j", job_id, "--parsable2", "--noheader",
          "-o",    "JobID,JobName,State,ExitCode,ElapsedRaw,UserCPU,SystemCPU,MaxRSS"};
}

Result<std::optional<SlurmJobRecord>> ParseSacct(std::string_view output,
                                                 std::string_view job_id) {
  std::optional<SlurmJobRecord> job;
  int64_t max_rss = 0;
  int line_no = 0;
  for (std::string_view line : SplitSlurmFields(output, '\n')) {
    ++line_no;
    line = TrimSlurmText(line);
    if (line.empty()) continue;
    std::vector<std::string_view> f = SplitSlurmFields(line, '|');
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument("sacct line " + std::to_string(line_no) + ": " + why +
                                     ": '" + std::string(line) + "'");
    };
    if (f.size() != 8) return bad("expected 8 fields");
    const std::string_view name = TrimSlurmText(f[1]);  // (a view into `line`)
    f.erase(f.begin() + 1);
    const std::string_view id = f[0];
    // The job's own line, or one of its steps (ID.batch, ID.0, ID.extern).
    const bool own = id == job_id;
    if (!own && !(id.size() > job_id.size() && id.substr(0, job_id.size()) == job_id &&
                  id[job_id.size()] == '.')) {
      continue;
    }
    std::optional<int64_t> rss = ParseSlurmSize(f[6]);
    if (!rss) return bad("MaxRSS '" + std::string(f[6]) + "'");
    max_rss = std::max(max_rss, *rss);
    if (!own) continue;
    SlurmJobRecord r;
    r.name = std::string(name);
    r.state = std::string(TrimSlurmText(f[1]));
    if (!ParseExitCode(f[2], &r.exit_code, &r.signal)) {
      return bad("ExitCode '" + std::string(f[2]) + "'");
    }
    std::optional<int64_t> elapsed = Integer(TrimSlurmText(f[3]));
    std::optional<Duration> user = ParseSlurmDuration(f[4]), sys = ParseSlurmDuration(f[5]);
    if (!elapsed || !user || !sys) return bad("ElapsedRaw, UserCPU or SystemCPU");
    r.elapsed = std::chrono::seconds(*elapsed);
    r.user_cpu = *user;
    r.sys_cpu = *sys;
    r.has_usage = true;
    job = std::move(r);
  }
  if (!job || !IsFinalSlurmJobState(job->state)) return std::optional<SlurmJobRecord>();
  job->max_rss_bytes = max_rss;
  return job;
}

std::vector<std::string> SlurmJobSstatArgv(const std::string& job_id) {
  return {"sstat", "-a", "-j", job_id, "--parsable2", "--noheader",
          "-o", "JobID,MaxRSS,AveCPU,NTasks"};
}

std::optional<SlurmJobSample> ParseSstat(std::string_view output, std::string_view job_id) {
  SlurmJobSample sample;
  bool any = false;
  for (std::string_view line : SplitSlurmFields(output, '\n')) {
    line = TrimSlurmText(line);
    if (line.empty()) continue;
    std::vector<std::string_view> f = SplitSlurmFields(line, '|');
    if (f.size() != 4) return std::nullopt;
    const std::string_view id = f[0];
    if (!(id.size() > job_id.size() && id.substr(0, job_id.size()) == job_id &&
          id[job_id.size()] == '.')) {
      continue;
    }
    std::optional<int64_t> rss = ParseSlurmSize(f[1]);
    std::optional<Duration> cpu = ParseSlurmDuration(f[2]);
    std::optional<int64_t> tasks = Integer(TrimSlurmText(f[3]));
    if (!rss || !cpu || !tasks || *tasks < 0) return std::nullopt;
    sample.max_rss_bytes = std::max(sample.max_rss_bytes, *rss);
    sample.cpu += *cpu * *tasks;
    any = true;
  }
  if (!any) return std::nullopt;
  return sample;
}

bool SaysNoAccounting(std::string_view stderr_text) {
  return stderr_text.find("accounting storage is disabled") != std::string_view::npos;
}

std::vector<std::string> SlurmJobScontrolArgv(const std::string& job_id) {
  return {"scontrol", "show", "job", "-o", job_id};
}

Result<SlurmJobRecord> ParseScontrolJob(std::string_view output) {
  SlurmJobRecord r;
  bool state = false, exit = false;
  for (std::string_view word : SplitSlurmFields(TrimSlurmText(output), ' ')) {
    word = TrimSlurmText(word);
    size_t eq = word.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
    if (key == "JobState") {
      r.state = std::string(value);
      state = true;
    } else if (key == "ExitCode") {
      exit = ParseExitCode(value, &r.exit_code, &r.signal);
    } else if (key == "RunTime") {
      if (std::optional<Duration> d = ParseSlurmDuration(value)) r.elapsed = *d;
    }
  }
  if (!state || !exit) {
    return Status::InvalidArgument("scontrol show job: no JobState or ExitCode in '" +
                                   std::string(TrimSlurmText(output).substr(0, 200)) + "'");
  }
  return r;
}

std::vector<std::string> SlurmJobScancelArgv(const std::string& job_id, int signal) {
  if (signal == SIGKILL) return {"scancel", job_id};
  return {"scancel", "--signal=" + std::to_string(signal), "--full", job_id};
}

std::optional<Duration> ParseSlurmDuration(std::string_view text) {
  text = TrimSlurmText(text);
  if (text.empty()) return std::nullopt;
  int64_t days = 0;
  bool with_days = false;
  if (size_t dash = text.find('-'); dash != std::string_view::npos) {
    std::optional<int64_t> d = Integer(text.substr(0, dash));
    if (!d || *d < 0) return std::nullopt;
    days = *d;
    with_days = true;
    text.remove_prefix(dash + 1);
  }
  double frac = 0;
  if (size_t dot = text.find('.'); dot != std::string_view::npos) {
    std::string_view digits = text.substr(dot + 1);
    std::optional<int64_t> f = Integer(digits);
    if (!f || *f < 0 || digits.size() > 9) return std::nullopt;
    frac = static_cast<double>(*f) / std::pow(10.0, static_cast<double>(digits.size()));
    text = text.substr(0, dot);
  }
  std::vector<std::string_view> parts = SplitSlurmFields(text, ':');
  if (parts.size() > 3) return std::nullopt;
  int64_t seconds = 0;
  for (std::string_view p : parts) {
    std::optional<int64_t> v = Integer(p);
    if (!v || *v < 0) return std::nullopt;
    seconds = seconds * 60 + *v;
  }
  // With a day, the time is HH[:MM[:SS]]: "1-02" is a day and two hours.
  if (with_days) {
    for (size_t i = parts.size(); i < 3; ++i) seconds *= 60;
  }
  seconds += days * 86400;
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(static_cast<double>(seconds) + frac));
}

std::optional<int64_t> ParseSlurmSize(std::string_view text) {
  text = TrimSlurmText(text);
  if (text.empty()) return 0;
  int64_t unit = 1;
  switch (text.back()) {
    case 'K': unit = int64_t{1} << 10; break;
    case 'M': unit = int64_t{1} << 20; break;
    case 'G': unit = int64_t{1} << 30; break;
    case 'T': unit = int64_t{1} << 40; break;
    default: break;
  }
  if (unit != 1) text.remove_suffix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return static_cast<int64_t>(v * static_cast<double>(unit));
}

}  // namespace allot
