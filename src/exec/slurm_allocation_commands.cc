#include "exec/slurm_allocation_commands.h"

#include <algorithm>
#include <ctime>
#include <exception>

#include "model/queue_resource.h"
#include "exec/slurm_text.h"
#include "model/shell_quote.h"

namespace allot {
namespace {

std::string Minutes(int64_t seconds) {
  // sbatch --time in minutes, rounded up: never shorter than asked.
  return std::to_string((seconds + 59) / 60);
}


// "2026-12-03T14:00:00" in local time; nullopt for N/A, Unknown, None, "".
std::optional<int64_t> LocalTime(std::string_view text, bool* bad) {
  if (text.empty() || text == "N/A" || text == "Unknown" || text == "None") return std::nullopt;
  std::tm tm{};
  const std::string s(text);
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || *end != '\0') {
    *bad = true;
    return std::nullopt;
  }
  tm.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm));
}

}  // namespace

std::vector<std::string> SbatchArgv(const SbatchRequest& r) {
  std::vector<std::string> argv = {"sbatch", "--parsable", "--job-name", "allot-" + r.queue};
  if (r.test_only) argv.push_back("--test-only");
  if (!r.partition.empty()) argv.insert(argv.end(), {"--partition", r.partition});
  argv.insert(argv.end(), {"--time", Minutes(r.time_limit_s), "--nodes",
                           std::to_string(r.nodes), "--ntasks-per-node",
                           std::to_string(r.workers_per_node)});
  if (r.cpus_per_worker > 0) {
    argv.insert(argv.end(), {"--cpus-per-task", std::to_string(r.cpus_per_worker)});
  }
  // USR1 to the batch shell (B:) end_margin before the end: the workers also know the end
  // (SLURM_JOB_END_TIME / squeue) and leave end_margin before it.
  argv.insert(argv.end(), {"--signal", "B:USR1@" + std::to_string(r.end_margin_s)});
  // Its output beside the server's files, not in whatever directory the server runs in.
  argv.insert(argv.end(), {"--output", r.server_dir + "/allocation-%j.out"});
  argv.insert(argv.end(), r.extra.begin(), r.extra.end());
  return argv;
}

std::string SbatchScript(const SbatchRequest& r) {
  // A step does not inherit the job's --cpus-per-task (Slurm 22.05 on): say it again.
  const std::string cpus =
      r.cpus_per_worker > 0 ? "--cpus-per-task " + std::to_string(r.cpus_per_worker) + " " : "";
  // Not `exec srun`: srun passes signals on to every process of its step, and the tasks the
  // workers run are such processes. Slurm's end warning (USR1, `--signal B:`) stays with this
  // shell; the workers know the end themselves (SLURM_JOB_END_TIME) and leave --end-margin
  // before it, their tasks running again elsewhere.
  return "#!/bin/sh\n"
         "# An allot allocation of queue " + r.queue + ": one worker per task of the job step.\n"
         "trap 'echo \"allot allocation: the end is near (SIGUSR1); the workers leave at their "
         "end margin\"' USR1\n"
         "srun --kill-on-bad-exit=0 " + cpus + QuoteShellWord(r.allot_binary) +
         " worker start --server-dir " + QuoteShellWord(r.server_dir) + " --end-margin " +
         std::to_string(r.end_margin_s) + "s --resource " +
         QuoteShellWord(QueueResourceName(r.queue) + "=" + std::to_string(kQueueResourceUnits)) +
         " &\n"
         "step=$!\n"
         "# A trapped signal ends `wait` early: wait until the step itself has ended.\n"
         "while kill -0 \"$step\" 2>/dev/null; do wait \"$step\"; done\n"
         "wait \"$step\"\n";
}

Result<std::string> ParseSbatchParsable(std::string_view output) {
  std::string_view line = TrimSlurmText(output.substr(0, output.find('\n')));
  std::string_view id = line.substr(0, line.find(';'));
  bool digits = !id.empty();
  for (char c : id) digits = digits && c >= '0' && c <= '9';
  if (!digits) {
    return Status::InvalidArgument("sbatch --parsable printed no job id: '" +
                                   std::string(TrimSlurmText(output)) + "'");
  }
  return std::string(id);
}

std::vector<std::string> SqueueArgv(const std::vector<std::string>& job_ids) {
  std::string list;
  for (const std::string& id : job_ids) list += (list.empty() ? "" : ",") + id;
  return {"squeue", "-h", "-j", list, "-o", "%i|%T|%S|%e|%R"};
}

Result<std::vector<SqueueRow>> ParseSqueue(std::string_view output) {
  std::vector<SqueueRow> rows;
  int line_no = 0;
  for (std::string_view line : SplitSlurmFields(output, '\n')) {
    ++line_no;
    line = TrimSlurmText(line);
    if (line.empty()) continue;
    std::vector<std::string_view> f = SplitSlurmFields(line, '|');
    bool bad = f.size() < 5;
    SqueueRow r;
    if (!bad) {
      r.job_id = std::string(TrimSlurmText(f[0]));
      r.state = std::string(TrimSlurmText(f[1]));
      r.start_epoch = LocalTime(TrimSlurmText(f[2]), &bad);
      r.end_epoch = LocalTime(TrimSlurmText(f[3]), &bad);
      // The reason may itself hold '|' only in odd node lists: keep the rest whole.
      r.reason = std::string(TrimSlurmText(line.substr(f[0].size() + f[1].size() + f[2].size() +
                                              f[3].size() + 4)));
    }
    if (bad || r.job_id.empty() || r.state.empty()) {
      return Status::InvalidArgument("squeue line " + std::to_string(line_no) +
                                     ": expected ID|STATE|START|END|REASON, got '" +
                                     std::string(line) + "'");
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<std::string> SinfoArgv(const std::string& partition) {
  std::vector<std::string> argv = {"sinfo", "-h", "-o", "%c|%m|%G"};
  if (!partition.empty()) argv.insert(argv.begin() + 2, {"-p", partition});
  return argv;
}

Result<SinfoNode> ParseSinfo(std::string_view output) {
  std::optional<SinfoNode> smallest;
  for (std::string_view line : SplitSlurmFields(output, '\n')) {
    line = TrimSlurmText(line);
    if (line.empty()) continue;
    std::vector<std::string_view> f = SplitSlurmFields(line, '|');
    if (f.size() < 3) continue;
    SinfoNode n;
    try {
      n.cpus = std::stoi(std::string(TrimSlurmText(f[0])));
      // "%m" may end in '+' when nodes differ: the smallest comes first.
      n.memory_bytes = std::stoll(std::string(TrimSlurmText(f[1]))) * 1024 * 1024;
    } catch (const std::exception&) {
      continue;
    }
    // gres: "gpu:2", "gpu:a100:4(S:0-1)", "(null)", several comma-separated.
    for (std::string_view g : SplitSlurmFields(TrimSlurmText(f[2]), ',')) {
      g = g.substr(0, g.find('('));
      if (g.substr(0, 4) != "gpu:") continue;
      std::string_view count = g.substr(g.rfind(':') + 1);
      try {
        n.gpus += std::stoi(std::string(count));
      } catch (const std::exception&) {
      }
    }
    if (n.cpus <= 0) continue;
    if (!smallest) {
      smallest = n;
    } else {
      smallest->cpus = std::min(smallest->cpus, n.cpus);
      smallest->memory_bytes = std::min(smallest->memory_bytes, n.memory_bytes);
      smallest->gpus = std::min(smallest->gpus, n.gpus);
    }
  }
  if (!smallest) {
    return Status::InvalidArgument("sinfo printed no node ('CPUS|MEMORY|GRES'): '" +
                                   std::string(TrimSlurmText(output)) + "'");
  }
  return *smallest;
}

std::string SbatchError(std::string_view stderr_text, int exit_code) {
  for (std::string_view line : SplitSlurmFields(stderr_text, '\n')) {
    line = TrimSlurmText(line);
    if (line.empty()) continue;
    constexpr std::string_view kPrefix = "sbatch: error: ";
    if (line.substr(0, kPrefix.size()) == kPrefix) line.remove_prefix(kPrefix.size());
    return std::string(line);
  }
  return "sbatch exited with " + std::to_string(exit_code) + " and said nothing";
}

}  // namespace allot
