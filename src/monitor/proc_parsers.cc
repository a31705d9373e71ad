#include "monitor/proc_parsers.h"

#include <charconv>
#include <string>
#include <system_error>

namespace allot {
namespace {

constexpr std::string_view kProcStat = "/proc/stat";
constexpr std::string_view kMeminfo = "/proc/meminfo";
constexpr std::string_view kLoadavg = "/proc/loadavg";

Status Corrupt(std::string_view file, int line_no, std::string_view what, std::string_view line) {
  std::string msg(file);
  if (line_no > 0) msg += ": line " + std::to_string(line_no);
  msg += ": ";
  msg += what;
  if (!line.empty()) {
    constexpr size_t kMaxQuoted = 80;
    msg += ": \"";
    msg += line.substr(0, kMaxQuoted);
    if (line.size() > kMaxQuoted) msg += "...";
    msg += "\"";
  }
  return Status::Corruption(std::move(msg));
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Splits off the next whitespace-separated token of `rest`; empty at the end.
std::string_view NextToken(std::string_view& rest) {
  size_t b = 0;
  while (b < rest.size() && IsSpace(rest[b])) ++b;
  size_t e = b;
  while (e < rest.size() && !IsSpace(rest[e])) ++e;
  std::string_view tok = rest.substr(b, e - b);
  rest.remove_prefix(e);
  return tok;
}

// Splits off the next line of `text` (without '\n').
std::string_view NextLine(std::string_view& text) {
  const size_t nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  return line;
}

template <typename T>
bool ParseNumber(std::string_view tok, T& out) {
  if (tok.empty()) return false;
  const char* end = tok.data() + tok.size();
  auto [ptr, ec] = std::from_chars(tok.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

Result<NodeCpuStat> ParseProcStat(std::string_view text) {
  NodeCpuStat stat;
  bool saw_all = false;
  int line_no = 0;
  while (!text.empty()) {
    const std::string_view line = NextLine(text);
    ++line_no;
    if (line.size() < 3 || line.substr(0, 3) != "cpu") continue;
    std::string_view rest = line;
    const std::string_view label = NextToken(rest);
    CpuTimes t;
    if (label == "cpu") {
      if (saw_all) return Corrupt(kProcStat, line_no, "second aggregate cpu line", line);
      saw_all = true;
    } else if (!ParseNumber(label.substr(3), t.cpu) || t.cpu < 0) {
      return Corrupt(kProcStat, line_no, "bad cpu label", line);
    }
    uint64_t* fields[] = {&t.user,   &t.nice, &t.system,  &t.idle,
                          &t.iowait, &t.irq,  &t.softirq, &t.steal};
    int parsed = 0;
    for (uint64_t* field : fields) {
      const std::string_view tok = NextToken(rest);
      if (tok.empty()) break;
      if (!ParseNumber(tok, *field)) return Corrupt(kProcStat, line_no, "bad counter", line);
      ++parsed;
    }
    if (parsed < 4) return Corrupt(kProcStat, line_no, "fewer than 4 counters", line);
    // guest and guest_nice may follow; they are already inside user and nice, but must be
    // numbers all the same.
    for (std::string_view tok = NextToken(rest); !tok.empty(); tok = NextToken(rest)) {
      uint64_t ignored;
      if (!ParseNumber(tok, ignored)) return Corrupt(kProcStat, line_no, "bad counter", line);
    }
    if (t.cpu < 0) {
      stat.all = t;
    } else {
      if (!stat.cpus.empty() && stat.cpus.back().cpu >= t.cpu) {
        return Corrupt(kProcStat, line_no, "cpu lines out of order", line);
      }
      stat.cpus.push_back(t);
    }
  }
  if (!saw_all) return Corrupt(kProcStat, 0, "no aggregate cpu line", "");
  return stat;
}

Result<MemoryInfo> ParseMeminfo(std::string_view text) {
  MemoryInfo info;
  bool saw_total = false;
  bool saw_available = false;
  int line_no = 0;
  while (!text.empty() && !(saw_total && saw_available)) {
    const std::string_view line = NextLine(text);
    ++line_no;
    int64_t* target = nullptr;
    bool* seen = nullptr;
    std::string_view rest = line;
    const std::string_view key = NextToken(rest);
    if (key == "MemTotal:") {
      target = &info.total_bytes;
      seen = &saw_total;
    } else if (key == "MemAvailable:") {
      target = &info.available_bytes;
      seen = &saw_available;
    } else {
      continue;
    }
    int64_t kib = 0;
    if (!ParseNumber(NextToken(rest), kib) || kib < 0) {
      return Corrupt(kMeminfo, line_no, "bad value", line);
    }
    const std::string_view unit = NextToken(rest);
    if (unit != "kB" || !NextToken(rest).empty()) {
      return Corrupt(kMeminfo, line_no, "expected a value in kB", line);
    }
    *target = kib * 1024;
    *seen = true;
  }
  if (!saw_total) return Corrupt(kMeminfo, 0, "no MemTotal line", "");
  if (!saw_available) return Corrupt(kMeminfo, 0, "no MemAvailable line", "");
  return info;
}

Result<LoadAverage> ParseLoadavg(std::string_view text) {
  LoadAverage load;
  std::string_view line = NextLine(text);
  std::string_view rest = line;
  if (!ParseNumber(NextToken(rest), load.one_minute) ||
      !ParseNumber(NextToken(rest), load.five_minutes) ||
      !ParseNumber(NextToken(rest), load.fifteen_minutes) || load.one_minute < 0 ||
      load.five_minutes < 0 || load.fifteen_minutes < 0) {
    return Corrupt(kLoadavg, 0, "bad load averages", line);
  }
  const std::string_view tasks = NextToken(rest);
  const size_t slash = tasks.find('/');
  if (slash == std::string_view::npos || !ParseNumber(tasks.substr(0, slash), load.runnable) ||
      !ParseNumber(tasks.substr(slash + 1), load.threads)) {
    return Corrupt(kLoadavg, 0, "bad runnable/threads field", line);
  }
  return load;
}

}  // namespace allot
