// EscapedDescendants: the processes of an attempt that left its process group -- setsid,
// setpgid, a daemon's double fork -- found, attributed to their attempt while it runs (so that
// sampling counts their usage) and killed when it ends, before the attempt's end is reported.
// Owned by PosixProcessLauncher, which drives it; one per process.
//
// Where they are found. The launcher's process is a child subreaper, so a descendant of any
// attempt whose parent dies is re-parented to it; an escaped process that outlives the
// attempt's leader always ends up here. Every child of this process that is not the leader of a
// running attempt is therefore an attempt's process. Sweep() reads this process's children
// (/proc/<pid>/task/<pid>/children: the kernel gives orphans to the subreaper's first live
// thread, its main thread) -- one small read; the launcher sweeps once per CollectExits that
// reaped a leader or has escaped processes to watch, and before each usage sample -- and
// attributes each new one, first rule that applies:
//   1. its process group is an attempt's (a group member whose parent died);
//   2. the usage sampler saw it, by pid and start time, in an attempt's tree: in the attempt's
//      group, or a child of a process of the tree (GroupUsageSampler::GroupOf);
//   3. its environment (/proc/<pid>/environ, as exec'd) holds the tag of one known attempt
//      (LaunchRequest::env_tag), running or ended and not yet reported;
//   4. otherwise it belongs to one of the attempts running when it was first seen, and counts
//      as theirs until the last of them ends (it is killed at once when none runs).
// One of a running attempt found by rule 3 is handed to the sampler (Adopt), which counts its
// CPU and memory in the attempt's usage from then on (rules 1 and 2: it already does).
//
// Killing. When an attempt ends (Ended: its leader is reaped and its group SIGKILLed), each
// process attributed to it -- the children above, those the sampler saw of its tree outside the
// group, and whatever the sweep attributes to it later -- is killed with its whole subtree:
// the subtree is walked (/proc/<pid>/task/*/children) before any kill, every process is opened
// as a pidfd and checked against its start time (and parent), so that a reused pid is never
// hit, and SIGKILL goes through the pidfd. Killing a process re-parents its children here,
// where the next sweep finds them. The pidfds of killed processes stay in the launcher's epoll
// set until they have exited, so each death wakes the owner, and the attempt's exit is held
// (Settled false) while processes killed for it have not exited, at most kHoldLimitNs (a
// process in uninterruptible sleep may take longer to die; its pidfd is watched until it does).
//
// What it does not catch (residual limits):
//  - A process that leaves the group, loses the tag (exec with an empty or rewritten
//    environment) and whose parent dies, all between two usage samples, while other attempts
//    run: it falls under rule 4 and lives until those attempts have ended too. Its usage is not
//    counted. (Without sampling, rule 2 never applies: the same holds for any untagged one.)
//  - Usage of an escaped process between the last sample and its kill is not counted, as for
//    processes of the group; one found by rule 3 counts from the first sample after it is found.
//  - Signals (pause, the SIGTERM of a time limit or cancel) reach the escaped processes still
//    connected to the leader or to a process attributed to the attempt; rule 4's are left out
//    (they may be another attempt's).
//  - A process that makes itself a child subreaper keeps its orphans until it is killed, then
//    they come here.
//
// Costs: per launch and per end a few hash-map operations (run, group, tag); per sweep one read
// of this process's children file, plus, for each new child that is no leader, reads of its stat
// and environ. Not thread-safe: the launcher's owner thread.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "exec/group_usage_sampler.h"
#include "exec/proc_process_files.h"
#include "exec/proc_source.h"
#include "exec/process_launcher.h"

namespace allot {

class EscapedDescendants {
 public:
  // How long an attempt's exit waits for the processes killed for it.
  static constexpr int64_t kHoldLimitNs = 5'000'000'000;

  // `proc` and `sampler` (null when sampling is off) must outlive this; `epoll_fd` is the
  // launcher's set, which gets the pidfd of every process watched here.
  EscapedDescendants(ProcSource* proc, GroupUsageSampler* sampler, int epoll_fd);
  // Closes the pidfds; kills nothing (KillAll does).
  ~EscapedDescendants();

  EscapedDescendants(const EscapedDescendants&) = delete;
  EscapedDescendants& operator=(const EscapedDescendants&) = delete;

  // An attempt started: `pgid` is its group (the leader's pid), `tag` an entry of its
  // environment ("KEY=VALUE") or empty. REQUIRES: run is not known here.
  void Started(RunId run, pid_t pgid, std::string_view tag);
  // Its leader has been reaped (and the group SIGKILLed) at `now_ns` (CLOCK_MONOTONIC).
  // `outside`: the processes the sampler saw of its tree outside the group. Kills whatever is
  // attributed to it.
  void Ended(RunId run, const std::vector<ProcessRef>& outside, int64_t now_ns);
  // Forgets the processes that have exited, attributes new children of this process, and kills
  // those of ended attempts.
  void Sweep();
  // Sends `signal` to the processes of running `run` outside its group (the group gets it from
  // the launcher): those attributed to it here, and every descendant of its leader or of them,
  // found by walking their subtrees now.
  void Signal(RunId run, int signal);
  // False while processes killed for ended `run` have not all exited, until kHoldLimitNs after
  // its end. True for a run not known here.
  bool Settled(RunId run, int64_t now_ns) const;
  // When the hold of an unsettled ended attempt runs out, if any does.
  std::optional<int64_t> NextHoldExpiry() const;
  // Forgets ended `run` (its exit has been reported).
  void Release(RunId run);
  // SIGKILLs every process watched here and every child of this process (and their subtrees),
  // and waits up to `patience_ns` for them to exit, reaping those that are children. For the
  // launcher's destruction, when no attempt runs any more.
  void KillAll(int64_t patience_ns);

  // Processes watched: attributed to running attempts, or killed and not yet exited.
  size_t watched() const { return procs_.size(); }

 private:
  struct Attempt {
    pid_t pgid = 0;
    std::string tag;
    bool ended = false;
    int64_t hold_until_ns = 0;  // once ended
    int dying = 0;              // processes killed for it that have not exited
  };
  struct Proc {
    uint64_t starttime = 0;
    int pidfd = -1;
    bool child = false;   // of this process: its pid cannot be reused before we reap it
    bool killed = false;  // SIGKILL sent
    std::optional<RunId> owner;
    std::vector<RunId> candidates;  // rule 4: one of these owns it
    std::vector<RunId> holds;       // killed: ended attempts whose exits wait for it
  };

  // Breadth first from the pids in walk_ (up to kMaxSubtree): each child `kid` of a process
  // in walk_ is appended to it when visit(parent, kid) says so.
  void Walk(const std::function<bool(pid_t parent, pid_t kid)>& visit);

  // Rules 1-4 for a new child `pid`; kills it when its owner has ended.
  void Attribute(pid_t pid, const ProcStat& stat);
  // The known attempt (running, or ended and not released) whose tag the environment of `pid`
  // holds, if exactly one has it.
  std::optional<RunId> AttemptOfEnvironment(pid_t pid);
  // Kills `root` (watched already, or opened here if its start time is `starttime`) and its
  // subtree, for the ended attempts in `holds`.
  void Kill(pid_t root, uint64_t starttime, const std::vector<RunId>& holds);
  // A pidfd for `pid` if it is no zombie, its start time is `starttime` (any when 0) and, when
  // `parent` is not 0, its parent is `parent` or this process; -1 otherwise. Fills *stat.
  int OpenChecked(pid_t pid, uint64_t starttime, pid_t parent, ProcStat* stat);
  // Starts watching `pid` through `pidfd` (which it then owns).
  Proc& Watch(pid_t pid, int pidfd, uint64_t starttime, bool child);
  void MarkKilled(Proc& proc, const std::vector<RunId>& holds);
  void Forget(std::unordered_map<pid_t, Proc>::iterator it);
  // Forgets every watched process that has exited.
  void ForgetExited();
  std::vector<RunId> RunningAttempts() const;
  std::vector<RunId> HeldAttempts() const;
  // Replaces *pids with the children of this process.
  void ReadOwnChildren(std::vector<pid_t>* pids);

  ProcSource* proc_;
  GroupUsageSampler* sampler_;
  const int epoll_fd_;
  const pid_t self_;
  std::unordered_map<RunId, Attempt> attempts_;  // running, or ended and not released
  std::unordered_map<pid_t, RunId> by_pgid_;
  // Tag -> the known attempts that have it (one, unless a task's env overrode it).
  std::unordered_map<std::string, std::vector<RunId>> tags_;
  std::vector<std::string> tag_keys_;  // "KEY=" of every tag seen
  std::unordered_map<pid_t, Proc> procs_;
  // Scratch.
  std::vector<pid_t> children_;
  std::vector<pid_t> walk_;
  std::vector<pid_t> kids_;
  std::vector<pid_t> tids_;
  std::vector<pollfd> polls_;
  std::vector<pid_t> polled_;
  std::string text_;
};

}  // namespace allot
