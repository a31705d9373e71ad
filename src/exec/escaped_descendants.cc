#include "exec/escaped_descendants.h"

#include <functional>

#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace allot {
namespace {

// Bounds one subtree walk (a fork bomb must not stall the loop); what it misses comes here
// once its parent is killed.
constexpr size_t kMaxSubtree = 10'000;

// The raw system calls (Linux 5.3): glibc 2.36's <sys/pidfd.h> does not declare them for C++.
int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }
void PidfdSignal(int pidfd, int signal) {
  syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
}

// waitid's P_PIDFD (Linux 5.4), which glibc 2.36 does not name.
constexpr idtype_t kByPidfd = static_cast<idtype_t>(3);

int64_t MonotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool Contains(const std::vector<RunId>& runs, RunId run) {
  return std::find(runs.begin(), runs.end(), run) != runs.end();
}

}  // namespace

EscapedDescendants::EscapedDescendants(ProcSource* proc, GroupUsageSampler* sampler,
                                       int epoll_fd)
    : proc_(proc), sampler_(sampler), epoll_fd_(epoll_fd), self_(getpid()) {}

EscapedDescendants::~EscapedDescendants() {
  for (auto& [pid, p] : procs_) close(p.pidfd);
}

void EscapedDescendants::Started(RunId run, pid_t pgid, std::string_view tag) {
  Attempt& attempt = attempts_[run];
  attempt = Attempt{};
  attempt.pgid = pgid;
  by_pgid_[pgid] = run;  // a reused group id: the group of the ended attempt is empty
  if (tag.empty()) return;
  attempt.tag.assign(tag);
  tags_[attempt.tag].push_back(run);
  std::string_view key = tag.substr(0, tag.find('=') + 1);
  if (std::find(tag_keys_.begin(), tag_keys_.end(), key) == tag_keys_.end()) {
    tag_keys_.emplace_back(key);
  }
}

void EscapedDescendants::Ended(RunId run, const std::vector<ProcessRef>& outside,
                               int64_t now_ns) {
  auto it = attempts_.find(run);
  if (it == attempts_.end()) return;
  it->second.ended = true;
  it->second.hold_until_ns = now_ns + kHoldLimitNs;
  std::vector<ProcessRef> victims = outside;
  for (auto& [pid, p] : procs_) {
    if (p.killed) continue;
    if (p.owner == run) {
      victims.push_back({pid, p.starttime});
    } else if (!p.owner && Contains(p.candidates, run)) {
      std::erase(p.candidates, run);
      if (p.candidates.empty()) victims.push_back({pid, p.starttime});
    }
  }
  if (victims.empty()) return;
  const std::vector<RunId> holds = {run};
  for (const ProcessRef& victim : victims) Kill(victim.pid, victim.starttime, holds);
}

void EscapedDescendants::Sweep() {
  ForgetExited();
  ReadOwnChildren(&children_);
  for (pid_t pid : children_) {
    if (auto leader = by_pgid_.find(pid); leader != by_pgid_.end()) {
      if (!attempts_.at(leader->second).ended) continue;  // a running attempt's leader
    }
    auto known = procs_.find(pid);
    if (known != procs_.end() && known->second.child) continue;
    ProcStat stat;
    if (!proc_->ReadStat(pid, &text_) || !ParseProcStat(text_, &stat) || stat.state == 'Z') {
      continue;  // gone, or a zombie for CollectExits to reap
    }
    if (known != procs_.end()) {
      if (known->second.starttime == stat.starttime) {
        known->second.child = true;  // killed in a subtree, re-parented here since
        continue;
      }
      Forget(known);  // the pid was reused
    }
    Attribute(pid, stat);
  }
}

void EscapedDescendants::Signal(RunId run, int signal) {
  auto attempt = attempts_.find(run);
  if (attempt == attempts_.end() || attempt->second.ended) return;
  const pid_t pgid = attempt->second.pgid;
  Sweep();  // orphans of the attempt not attributed yet
  walk_.assign(1, pgid);
  for (const auto& [pid, proc] : procs_) {
    if (proc.owner != run) continue;
    walk_.push_back(pid);
    if (getpgid(pid) != pgid) PidfdSignal(proc.pidfd, signal);  // our child: a stable pid
  }
  Walk([&](pid_t parent, pid_t kid) {
    if (procs_.count(kid) != 0) return false;  // watched: signaled above if it is this run's
    ProcStat stat;
    int pidfd = OpenChecked(kid, 0, parent, &stat);
    if (pidfd < 0) return false;
    if (stat.pgrp != pgid) PidfdSignal(pidfd, signal);
    close(pidfd);
    return true;
  });
}

void EscapedDescendants::Walk(const std::function<bool(pid_t parent, pid_t kid)>& visit) {
  for (size_t i = 0; i < walk_.size() && walk_.size() < kMaxSubtree; ++i) {
    const pid_t parent = walk_[i];
    proc_->ListThreads(parent, &tids_);
    for (pid_t tid : tids_) {
      kids_.clear();
      if (!proc_->ReadChildren(parent, tid, &text_)) continue;
      ParseChildren(text_, &kids_);
      for (pid_t kid : kids_) {
        if (visit(parent, kid)) walk_.push_back(kid);
      }
    }
  }
}

void EscapedDescendants::Attribute(pid_t pid, const ProcStat& stat) {
  // A child of ours: its pid cannot be reused before we reap it, so no start-time check.
  int pidfd = PidfdOpen(pid);
  if (pidfd < 0) return;
  Proc& proc = Watch(pid, pidfd, stat.starttime, /*child=*/true);
  std::optional<RunId> owner;
  bool adopt = false;
  if (auto group = by_pgid_.find(stat.pgrp); group != by_pgid_.end()) {
    owner = group->second;  // rule 1
  } else if (sampler_ != nullptr) {
    if (auto seen = sampler_->GroupOf(pid, stat.starttime)) {  // rule 2
      if (auto group = by_pgid_.find(*seen); group != by_pgid_.end()) owner = group->second;
    }
  }
  if (!owner) {
    owner = AttemptOfEnvironment(pid);  // rule 3
    adopt = owner.has_value();
  }
  if (owner) {
    const Attempt& attempt = attempts_.at(*owner);
    if (attempt.ended) return Kill(pid, stat.starttime, {*owner});
    proc.owner = owner;
    if (adopt && sampler_ != nullptr) sampler_->Adopt(pid, stat.starttime, attempt.pgid);
    return;
  }
  proc.candidates = RunningAttempts();  // rule 4
  if (proc.candidates.empty()) Kill(pid, stat.starttime, HeldAttempts());
}

std::optional<RunId> EscapedDescendants::AttemptOfEnvironment(pid_t pid) {
  if (tag_keys_.empty() || !proc_->ReadEnviron(pid, &text_)) return std::nullopt;
  std::string_view environment = text_;
  while (!environment.empty()) {
    size_t end = environment.find('\0');
    std::string_view entry = environment.substr(0, end);
    environment.remove_prefix(end == std::string_view::npos ? environment.size() : end + 1);
    for (const std::string& key : tag_keys_) {
      if (entry.substr(0, key.size()) != key) continue;
      // The first entry with the key is the one getenv gives the process. An unknown value
      // (an attempt already reported, or rewritten by the task) or a shared one names nobody.
      auto use = tags_.find(std::string(entry));
      if (use == tags_.end() || use->second.size() != 1) return std::nullopt;
      return use->second.front();
    }
  }
  return std::nullopt;
}

void EscapedDescendants::Kill(pid_t root, uint64_t starttime, const std::vector<RunId>& holds) {
  auto known = procs_.find(root);
  if (known != procs_.end() && known->second.starttime != starttime) return;  // a stale ref
  if (known == procs_.end()) {
    ProcStat stat;
    int pidfd = OpenChecked(root, starttime, 0, &stat);
    if (pidfd < 0) return;
    Watch(root, pidfd, stat.starttime, stat.ppid == self_);
  }
  // The whole subtree first: killing a process moves its children here at once.
  walk_.assign(1, root);
  Walk([&](pid_t parent, pid_t kid) {
    if (procs_.count(kid) != 0) return true;
    ProcStat stat;
    int pidfd = OpenChecked(kid, 0, parent, &stat);
    if (pidfd < 0) return false;
    Watch(kid, pidfd, stat.starttime, stat.ppid == self_);
    return true;
  });
  for (pid_t pid : walk_) {
    if (auto it = procs_.find(pid); it != procs_.end()) MarkKilled(it->second, holds);
  }
}

int EscapedDescendants::OpenChecked(pid_t pid, uint64_t starttime, pid_t parent,
                                    ProcStat* stat) {
  int pidfd = PidfdOpen(pid);
  if (pidfd < 0) return -1;
  // Read after the open: if this is the process we meant, the pidfd names it for good.
  if (!proc_->ReadStat(pid, &text_) || !ParseProcStat(text_, stat) || stat->state == 'Z' ||
      (starttime != 0 && stat->starttime != starttime) ||
      (parent != 0 && stat->ppid != parent && stat->ppid != self_)) {
    close(pidfd);
    return -1;
  }
  return pidfd;
}

EscapedDescendants::Proc& EscapedDescendants::Watch(pid_t pid, int pidfd, uint64_t starttime,
                                                    bool child) {
  // In the launcher's set: its exit wakes the owner, whose CollectExits then forgets it.
  epoll_event event = {};
  event.events = EPOLLIN;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, pidfd, &event);
  Proc& proc = procs_[pid];
  proc = Proc{};
  proc.starttime = starttime;
  proc.pidfd = pidfd;
  proc.child = child;
  return proc;
}

void EscapedDescendants::MarkKilled(Proc& proc, const std::vector<RunId>& holds) {
  if (!proc.killed) {
    PidfdSignal(proc.pidfd, SIGKILL);
    proc.killed = true;
    proc.owner.reset();
    proc.candidates.clear();
  }
  for (RunId run : holds) {
    if (Contains(proc.holds, run)) continue;
    auto attempt = attempts_.find(run);
    if (attempt == attempts_.end()) continue;
    proc.holds.push_back(run);
    ++attempt->second.dying;
  }
}

void EscapedDescendants::Forget(std::unordered_map<pid_t, Proc>::iterator it) {
  // One that is our child is reaped now, rather than at the next leader's exit (through the
  // pidfd: a process that is no child of ours gives ECHILD).
  siginfo_t info = {};
  waitid(kByPidfd, static_cast<id_t>(it->second.pidfd), &info, WEXITED | WNOHANG);
  close(it->second.pidfd);  // also leaves the epoll set
  for (RunId run : it->second.holds) {
    if (auto attempt = attempts_.find(run); attempt != attempts_.end()) --attempt->second.dying;
  }
  procs_.erase(it);
}

void EscapedDescendants::ForgetExited() {
  if (procs_.empty()) return;
  polls_.clear();
  polled_.clear();
  for (const auto& [pid, proc] : procs_) {
    polls_.push_back({proc.pidfd, POLLIN, 0});
    polled_.push_back(pid);
  }
  if (poll(polls_.data(), polls_.size(), 0) <= 0) return;
  for (size_t i = 0; i < polls_.size(); ++i) {
    if (polls_[i].revents != 0) Forget(procs_.find(polled_[i]));
  }
}

std::vector<RunId> EscapedDescendants::RunningAttempts() const {
  std::vector<RunId> runs;
  for (const auto& [run, attempt] : attempts_) {
    if (!attempt.ended) runs.push_back(run);
  }
  return runs;
}

std::vector<RunId> EscapedDescendants::HeldAttempts() const {
  std::vector<RunId> runs;
  for (const auto& [run, attempt] : attempts_) {
    if (attempt.ended) runs.push_back(run);
  }
  return runs;
}

bool EscapedDescendants::Settled(RunId run, int64_t now_ns) const {
  auto it = attempts_.find(run);
  return it == attempts_.end() || it->second.dying <= 0 || now_ns >= it->second.hold_until_ns;
}

std::optional<int64_t> EscapedDescendants::NextHoldExpiry() const {
  std::optional<int64_t> next;
  for (const auto& [run, attempt] : attempts_) {
    if (!attempt.ended || attempt.dying <= 0) continue;
    if (!next || attempt.hold_until_ns < *next) next = attempt.hold_until_ns;
  }
  return next;
}

void EscapedDescendants::Release(RunId run) {
  auto it = attempts_.find(run);
  if (it == attempts_.end()) return;
  if (auto group = by_pgid_.find(it->second.pgid);
      group != by_pgid_.end() && group->second == run) {
    by_pgid_.erase(group);
  }
  if (!it->second.tag.empty()) {
    if (auto use = tags_.find(it->second.tag); use != tags_.end()) {
      std::erase(use->second, run);
      if (use->second.empty()) tags_.erase(use);
    }
  }
  attempts_.erase(it);
}

void EscapedDescendants::KillAll(int64_t patience_ns) {
  const int64_t deadline = MonotonicNanos() + patience_ns;
  while (true) {
    while (waitpid(-1, nullptr, WNOHANG | __WNOTHREAD) > 0) {
    }
    ForgetExited();
    ReadOwnChildren(&children_);
    for (pid_t pid : children_) {
      if (procs_.count(pid) != 0) continue;
      ProcStat stat;
      if (!proc_->ReadStat(pid, &text_) || !ParseProcStat(text_, &stat) || stat.state == 'Z') {
        continue;
      }
      Kill(pid, stat.starttime, {});
    }
    for (auto& [pid, proc] : procs_) MarkKilled(proc, {});
    if (procs_.empty() || MonotonicNanos() >= deadline) return;
    // Wait for one of them to exit (or a little while): its children may come here.
    polls_.clear();
    for (const auto& [pid, proc] : procs_) polls_.push_back({proc.pidfd, POLLIN, 0});
    poll(polls_.data(), polls_.size(), 10);
  }
}

void EscapedDescendants::ReadOwnChildren(std::vector<pid_t>* pids) {
  pids->clear();
  if (proc_->ReadChildren(self_, self_, &text_)) ParseChildren(text_, pids);
}

}  // namespace allot
