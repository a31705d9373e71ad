// GroupUsageSampler: what each attempt's process tree uses, measured by sampling /proc. Every
// attempt is its own process group (task_spawn.h), so one scan of /proc/<pid>/stat per tick
// sorts every live process into its attempt by process group, whatever forked it. A process
// outside every tracked group still belongs to an attempt when (in this order) it was seen in
// the attempt's tree before (same pid and start time: it left the group by setsid or setpgid),
// it was adopted into it (Adopt: the launcher found it among its orphans by its environment),
// or its parent belongs to the attempt in this scan (a child started in another group or
// session). So an attempt's tree is followed through setsid, setpgid and double forks as long as
// a scan sees each process while its parent is known; the launcher finds the rest
// (escaped_descendants.h) and asks GroupOf which attempt a process was seen in.
//
// Per group and scan: RSS is summed over its live processes (stat rss x page size); the peak
// of that sum is kept. CPU time and I/O are followed per process (utime/stime plus the
// cutime/cstime of children it waited for; /proc/<pid>/io rchar/wchar, skipped when
// unreadable) and the group gains each process's increase since the previous scan. When a
// process disappears while its parent in the same group lives, its last values are taken
// back out: the parent's counters now hold its whole total (cutime, and the kernel adds a
// reaped child's I/O to its parent's), which the parent's next increase brings in. So a tree
// whose processes wait for their children is counted once, as wait4's rusage would; what a
// process did between the last scan and its exit is seen only through a waiting parent.
//
// Peak cores: CPU time gained over wall time, over windows of at least min(0.5 s, interval)
// (the clock tick is 10 ms: shorter windows would be mostly rounding).
//
// Schedule: a group is due 50, 100, 250, 500 ms and 1 s after its start (those below the
// interval), then every interval. One scan serves every group, due or not, and scans are at
// least 50 ms apart. Memory limits: a scan reports each group whose RSS sum is above its limit,
// once.
//
// Costs per scan: a listing of /proc and one read of stat per process on the machine, plus one
// read of io per process of a tracked group (docs/PERFORMANCE.md, "Monitoring overhead").
// Not thread-safe: one owner.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "exec/proc_process_files.h"
#include "exec/proc_source.h"

namespace allot {

// What sampling saw of one group.
struct GroupUsage {
  int64_t peak_rss_bytes = 0;
  double peak_cores = 0;
  Duration user_cpu{0};
  Duration sys_cpu{0};
  int64_t read_bytes = 0;
  int64_t write_bytes = 0;
  uint32_t samples = 0;  // scans that found a process of the group
};

struct GroupUsageSamplerOptions {
  Duration interval = std::chrono::seconds(1);  // > 0
  int64_t page_bytes = 4096;
  int64_t ticks_per_second = 100;
};

class GroupUsageSampler {
 public:
  // `source` must outlive the sampler.
  GroupUsageSampler(ProcSource* source, GroupUsageSamplerOptions options);

  // Starts following the process group `pgid`, whose attempt started at `start`.
  // memory_limit_bytes 0: none. REQUIRES: pgid is not tracked.
  void Track(pid_t pgid, TimePoint start, int64_t memory_limit_bytes);
  // Stops following it and returns what was seen. `leader_io`, when given, is the leader's
  // final I/O (read from its zombie, which includes the children it waited for) and replaces
  // the leader's last sampled values and those of its children that are gone. Untracked
  // groups: all zero. `outside`, when given, gets the processes of the attempt last seen
  // outside its group (appended).
  GroupUsage Untrack(pid_t pgid, const ProcIo* leader_io,
                     std::vector<ProcessRef>* outside = nullptr);
  // Counts process `pid` (started at `starttime`) in tracked group `pgid` from the next scan
  // on, wherever it is; its whole CPU time and I/O so far count at that scan. No effect when
  // pgid is not tracked or the process is already followed.
  void Adopt(pid_t pid, uint64_t starttime, pid_t pgid);
  // The tracked group in which the last scans saw the process, if any.
  std::optional<pid_t> GroupOf(pid_t pid, uint64_t starttime) const;

  // When the next scan is due; none while no group is tracked.
  std::optional<TimePoint> NextDue() const;
  // One scan at `now` (monotonic). Appends to *over_limit each group whose RSS sum is above its
  // memory limit for the first time.
  void Sample(TimePoint now, std::vector<pid_t>* over_limit);

  size_t tracked() const { return groups_.size(); }

 private:
  struct Group {
    TimePoint start;
    uint32_t step = 0;  // scheduled samples passed
    TimePoint next_due;
    int64_t memory_limit_bytes = 0;
    bool reported_over_limit = false;
    int64_t user_ticks = 0;
    int64_t sys_ticks = 0;
    int64_t read_bytes = 0;
    int64_t write_bytes = 0;
    int64_t rss_pages = 0;  // this scan's sum
    bool found = false;     // in this scan
    TimePoint anchor_time;  // start of the current peak-cores window
    int64_t anchor_ticks = 0;
    GroupUsage usage;
  };
  // The last values seen of one process of a tracked group.
  struct Proc {
    pid_t group = 0;  // the tracked group it belongs to (not always its process group)
    pid_t ppid = 0;
    uint64_t starttime = 0;
    int64_t user_ticks = 0;
    int64_t sys_ticks = 0;
    int64_t read_bytes = 0;
    int64_t write_bytes = 0;
    uint64_t scan = 0;     // the last scan that saw it
    bool outside = false;  // last seen outside its group
  };

  TimePoint DueAt(const Group& g, uint32_t step) const;
  void Observe(pid_t pid, const ProcStat& stat, pid_t group_id, Group& group);
  // `p` is gone: its totals move to its parent when the parent lives in the same group.
  void Depart(const Proc& p);
  void Finish(Group& group, TimePoint now, std::vector<pid_t>* over_limit, pid_t pgid);

  ProcSource* source_;
  GroupUsageSamplerOptions options_;
  std::vector<Duration> early_;  // the early offsets below the interval
  std::unordered_map<pid_t, Group> groups_;
  std::unordered_map<pid_t, Proc> procs_;
  uint64_t scan_ = 0;
  std::optional<TimePoint> last_scan_;
  // Scratch, reused by every scan.
  std::vector<pid_t> pids_;
  std::vector<ProcStat> others_;  // outside every tracked group, this scan
  std::string text_;
};

}  // namespace allot
