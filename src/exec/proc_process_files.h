// Parsing the per-process files of /proc that usage sampling and the launcher read:
// /proc/<pid>/stat, /proc/<pid>/io and /proc/<pid>/task/<tid>/children. Pure functions of the
// files' text, so tests feed them fixtures. Thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace allot {

// The fields of /proc/<pid>/stat that sampling uses (proc(5) numbers them 1-based).
struct ProcStat {
  pid_t pid = 0;           // (1)
  char state = '?';        // (3) R, S, D, Z, T, ...
  pid_t ppid = 0;          // (4)
  pid_t pgrp = 0;          // (5) the process group: one per attempt
  int64_t utime = 0;       // (14) clock ticks, all threads
  int64_t stime = 0;       // (15)
  int64_t cutime = 0;      // (16) of the children this process waited for, recursively
  int64_t cstime = 0;      // (17)
  uint64_t starttime = 0;  // (22) clock ticks after boot: tells a reused pid apart
  int64_t rss_pages = 0;   // (24)
};

// False when the text is not a stat line (a process that vanished mid-read gives "").
// The command name, in parentheses, may hold spaces and parentheses: the fields after it are
// found from its last ')'.
bool ParseProcStat(std::string_view text, ProcStat* out);

// rchar and wchar of /proc/<pid>/io: bytes read and written through system calls.
struct ProcIo {
  int64_t read_bytes = 0;
  int64_t write_bytes = 0;
};

// False when either line is missing.
bool ParseProcIo(std::string_view text, ProcIo* out);

// One process, told apart from a later one with the same pid by its start time.
struct ProcessRef {
  pid_t pid = 0;
  uint64_t starttime = 0;  // ProcStat::starttime
};

// Appends the pids listed in /proc/<pid>/task/<tid>/children ("12 345 ") to *pids.
void ParseChildren(std::string_view text, std::vector<pid_t>* pids);

}  // namespace allot
