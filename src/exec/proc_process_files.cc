#include "exec/proc_process_files.h"

#include <charconv>

namespace allot {
namespace {

// Reads the next space-separated integer from `*p`; false at the end or on a non-number.
template <class T>
bool NextNumber(const char** p, const char* end, T* out) {
  while (*p < end && **p == ' ') ++*p;
  auto [next, ec] = std::from_chars(*p, end, *out);
  if (ec != std::errc()) return false;
  *p = next;
  return true;
}

bool SkipFields(const char** p, const char* end, int n) {
  for (int i = 0; i < n; ++i) {
    while (*p < end && **p == ' ') ++*p;
    if (*p == end) return false;
    while (*p < end && **p != ' ') ++*p;
  }
  return true;
}

bool FindValue(std::string_view text, std::string_view key, int64_t* out) {
  size_t at = 0;
  while (true) {
    at = text.find(key, at);
    if (at == std::string_view::npos) return false;
    if (at == 0 || text[at - 1] == '\n') break;
    at += key.size();
  }
  const char* p = text.data() + at + key.size();
  const char* end = text.data() + text.size();
  return NextNumber(&p, end, out);
}

}  // namespace

bool ParseProcStat(std::string_view text, ProcStat* out) {
  const char* p = text.data();
  const char* end = p + text.size();
  if (!NextNumber(&p, end, &out->pid)) return false;
  size_t close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size()) return false;
  p = text.data() + close + 2;
  out->state = *p++;
  if (!NextNumber(&p, end, &out->ppid) || !NextNumber(&p, end, &out->pgrp)) return false;
  if (!SkipFields(&p, end, 8)) return false;  // session .. cmajflt
  if (!NextNumber(&p, end, &out->utime) || !NextNumber(&p, end, &out->stime) ||
      !NextNumber(&p, end, &out->cutime) || !NextNumber(&p, end, &out->cstime)) {
    return false;
  }
  if (!SkipFields(&p, end, 4)) return false;  // priority, nice, num_threads, itrealvalue
  if (!NextNumber(&p, end, &out->starttime)) return false;
  if (!SkipFields(&p, end, 1)) return false;  // vsize
  return NextNumber(&p, end, &out->rss_pages);
}

void ParseChildren(std::string_view text, std::vector<pid_t>* pids) {
  const char* p = text.data();
  const char* end = p + text.size();
  pid_t pid = 0;
  while (NextNumber(&p, end, &pid)) pids->push_back(pid);
}

bool ParseProcIo(std::string_view text, ProcIo* out) {
  return FindValue(text, "rchar:", &out->read_bytes) &&
         FindValue(text, "wchar:", &out->write_bytes);
}

}  // namespace allot
