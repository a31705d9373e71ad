#include "exec/group_usage_sampler.h"

#include <algorithm>
#include <array>

namespace allot {
namespace {

using std::chrono::milliseconds;

constexpr std::array<Duration, 5> kEarly = {milliseconds(50), milliseconds(100), milliseconds(250),
                                            milliseconds(500), milliseconds(1000)};
constexpr Duration kMinGap = milliseconds(50);
constexpr Duration kRateWindow = milliseconds(500);

// Counters only grow; a smaller value (a reused pid slipping through) adds nothing.
int64_t Gain(int64_t now, int64_t before) { return now > before ? now - before : 0; }

}  // namespace

GroupUsageSampler::GroupUsageSampler(ProcSource* source, GroupUsageSamplerOptions options)
    : source_(source), options_(options) {
  for (Duration d : kEarly) {
    if (d < options_.interval) early_.push_back(d);
  }
}

TimePoint GroupUsageSampler::DueAt(const Group& g, uint32_t step) const {
  if (step < early_.size()) return g.start + early_[step];
  return g.start + options_.interval * static_cast<int64_t>(step - early_.size() + 1);
}

void GroupUsageSampler::Track(pid_t pgid, TimePoint start, int64_t memory_limit_bytes) {
  Group& g = groups_[pgid];
  g = Group{};
  g.start = start;
  g.next_due = DueAt(g, 0);
  g.memory_limit_bytes = memory_limit_bytes;
  g.anchor_time = start;
}

GroupUsage GroupUsageSampler::Untrack(pid_t pgid, const ProcIo* leader_io,
                                      std::vector<ProcessRef>* outside) {
  auto it = groups_.find(pgid);
  if (it == groups_.end()) return {};
  Group& g = it->second;
  if (leader_io != nullptr) {
    // Children the leader reaped since the last scan are in its final I/O: their last sampled
    // values come out. Those still there (reparented to us) are not.
    for (const auto& [pid, p] : procs_) {
      if (p.group != pgid || p.ppid != pgid || pid == pgid) continue;
      ProcStat st;
      if (source_->ReadStat(pid, &text_) && ParseProcStat(text_, &st) &&
          st.starttime == p.starttime) {
        continue;
      }
      g.read_bytes -= p.read_bytes;
      g.write_bytes -= p.write_bytes;
    }
    auto leader = procs_.find(pgid);
    int64_t read_before = 0, write_before = 0;
    if (leader != procs_.end() && leader->second.group == pgid) {
      read_before = leader->second.read_bytes;
      write_before = leader->second.write_bytes;
    }
    g.read_bytes += Gain(leader_io->read_bytes, read_before);
    g.write_bytes += Gain(leader_io->write_bytes, write_before);
  }
  GroupUsage usage = g.usage;
  usage.user_cpu = Duration(g.user_ticks * 1'000'000 / options_.ticks_per_second);
  usage.sys_cpu = Duration(g.sys_ticks * 1'000'000 / options_.ticks_per_second);
  usage.read_bytes = g.read_bytes;
  usage.write_bytes = g.write_bytes;
  groups_.erase(it);
  std::erase_if(procs_, [pgid, outside](const auto& entry) {
    if (entry.second.group != pgid) return false;
    if (outside != nullptr && entry.second.outside) {
      outside->push_back({entry.first, entry.second.starttime});
    }
    return true;
  });
  return usage;
}

void GroupUsageSampler::Adopt(pid_t pid, uint64_t starttime, pid_t pgid) {
  if (groups_.count(pgid) == 0) return;
  auto [it, fresh] = procs_.try_emplace(pid);
  if (!fresh && it->second.starttime == starttime) return;
  // A stale entry of a reused pid keeps what it added: nobody is known to have reaped it.
  it->second = Proc{pgid, 0, starttime};
  it->second.outside = true;
}

std::optional<pid_t> GroupUsageSampler::GroupOf(pid_t pid, uint64_t starttime) const {
  auto it = procs_.find(pid);
  if (it == procs_.end() || it->second.starttime != starttime) return std::nullopt;
  return it->second.group;
}

std::optional<TimePoint> GroupUsageSampler::NextDue() const {
  if (groups_.empty()) return std::nullopt;
  TimePoint due = TimePoint::max();
  for (const auto& [pgid, g] : groups_) due = std::min(due, g.next_due);
  if (last_scan_) due = std::max(due, *last_scan_ + kMinGap);
  return due;
}

void GroupUsageSampler::Observe(pid_t pid, const ProcStat& st, pid_t group_id, Group& g) {
  g.found = true;
  g.rss_pages += st.rss_pages;
  ProcIo io;
  bool has_io = source_->ReadIo(pid, &text_) && ParseProcIo(text_, &io);
  auto [it, fresh] = procs_.try_emplace(pid);
  Proc& p = it->second;
  if (!fresh && (p.starttime != st.starttime || p.group != group_id)) {
    Depart(p);  // the pid was reused since the last scan (or moved to another attempt's group)
    fresh = true;
  }
  if (fresh) p = Proc{group_id, st.ppid, st.starttime};
  p.outside = st.pgrp != group_id;
  const int64_t user = st.utime + st.cutime;
  const int64_t sys = st.stime + st.cstime;
  g.user_ticks += Gain(user, p.user_ticks);
  g.sys_ticks += Gain(sys, p.sys_ticks);
  p.user_ticks = std::max(p.user_ticks, user);
  p.sys_ticks = std::max(p.sys_ticks, sys);
  if (has_io) {
    g.read_bytes += Gain(io.read_bytes, p.read_bytes);
    g.write_bytes += Gain(io.write_bytes, p.write_bytes);
    p.read_bytes = std::max(p.read_bytes, io.read_bytes);
    p.write_bytes = std::max(p.write_bytes, io.write_bytes);
  }
  p.ppid = st.ppid;
  p.scan = scan_;
}

void GroupUsageSampler::Depart(const Proc& p) {
  auto parent = procs_.find(p.ppid);
  if (parent == procs_.end() || parent->second.group != p.group || parent->second.scan != scan_) {
    return;  // reaped by someone outside the attempt (or not yet seen): its totals stay
  }
  auto g = groups_.find(p.group);
  if (g == groups_.end()) return;
  g->second.user_ticks -= p.user_ticks;
  g->second.sys_ticks -= p.sys_ticks;
  g->second.read_bytes -= p.read_bytes;
  g->second.write_bytes -= p.write_bytes;
}

void GroupUsageSampler::Finish(Group& g, TimePoint now, std::vector<pid_t>* over_limit,
                               pid_t pgid) {
  while (g.next_due <= now) g.next_due = DueAt(g, ++g.step);
  if (!g.found) return;
  GroupUsage& u = g.usage;
  ++u.samples;
  u.peak_rss_bytes = std::max(u.peak_rss_bytes, g.rss_pages * options_.page_bytes);
  const Duration window = now - g.anchor_time;
  if (window >= std::min(kRateWindow, options_.interval)) {
    const int64_t ticks = g.user_ticks + g.sys_ticks;
    const double cpu_seconds = static_cast<double>(ticks - g.anchor_ticks) /
                               static_cast<double>(options_.ticks_per_second);
    u.peak_cores = std::max(u.peak_cores, cpu_seconds / ToSeconds(window));
    g.anchor_time = now;
    g.anchor_ticks = ticks;
  }
  if (g.memory_limit_bytes > 0 && !g.reported_over_limit &&
      g.rss_pages * options_.page_bytes > g.memory_limit_bytes) {
    g.reported_over_limit = true;
    over_limit->push_back(pgid);
  }
}

void GroupUsageSampler::Sample(TimePoint now, std::vector<pid_t>* over_limit) {
  if (groups_.empty()) return;
  ++scan_;
  last_scan_ = now;
  for (auto& [pgid, g] : groups_) {
    g.rss_pages = 0;
    g.found = false;
  }
  source_->ListPids(&pids_);
  others_.clear();
  ProcStat st;
  for (pid_t pid : pids_) {
    if (!source_->ReadStat(pid, &text_) || !ParseProcStat(text_, &st)) continue;
    if (auto g = groups_.find(st.pgrp); g != groups_.end()) {
      Observe(pid, st, g->first, g->second);
    } else if (auto p = procs_.find(pid);
               p != procs_.end() && p->second.starttime == st.starttime) {
      const pid_t group = p->second.group;  // left its group, or adopted
      Observe(pid, st, group, groups_.at(group));
    } else {
      others_.push_back(st);
    }
  }
  // Children of the attempts' processes in other groups: parents first, whatever the order of
  // their pids, so a pass that finds some is followed by another.
  for (bool found = true; found && !others_.empty();) {
    found = false;
    std::erase_if(others_, [this, &found](const ProcStat& other) {
      auto parent = procs_.find(other.ppid);
      if (parent == procs_.end() || parent->second.scan != scan_) return false;
      const pid_t group = parent->second.group;
      Observe(other.pid, other, group, groups_.at(group));
      found = true;
      return true;
    });
  }
  // Processes of tracked groups that this scan did not see are gone.
  for (auto it = procs_.begin(); it != procs_.end();) {
    if (it->second.scan == scan_) {
      ++it;
      continue;
    }
    Depart(it->second);
    it = procs_.erase(it);
  }
  for (auto& [pgid, g] : groups_) Finish(g, now, over_limit, pgid);
}

}  // namespace allot
