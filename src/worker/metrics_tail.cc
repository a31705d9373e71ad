#include "worker/metrics_tail.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "model/metric_line.h"

namespace allot {

MetricsTail::MetricsTail() { inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC); }

MetricsTail::~MetricsTail() {
  if (inotify_fd_ >= 0) close(inotify_fd_);
}

Status MetricsTail::Watch(RunId run, const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    return Status::IoError(path + ": cannot create the metrics file: " + std::strerror(errno));
  }
  close(fd);
  File f;
  f.path = path;
  if (inotify_fd_ >= 0) {
    f.watch = inotify_add_watch(inotify_fd_, path.c_str(), IN_MODIFY | IN_CLOSE_WRITE);
    // The same file watched again (a stale run of the same task dir): one descriptor.
    if (f.watch >= 0) {
      if (auto old = by_watch_.find(f.watch); old != by_watch_.end()) files_.erase(old->second);
      by_watch_[f.watch] = run;
    }
  }
  files_[run] = std::move(f);
  return Status::Ok();
}

void MetricsTail::Read(int64_t now_us, std::vector<RunMetric>* out) {
  if (inotify_fd_ >= 0) {
    alignas(inotify_event) char buffer[16 * 1024];
    while (true) {
      ssize_t n = read(inotify_fd_, buffer, sizeof buffer);
      if (n <= 0) break;
      for (char* p = buffer; p < buffer + n;) {
        auto* e = reinterpret_cast<inotify_event*>(p);
        if (auto w = by_watch_.find(e->wd); w != by_watch_.end()) {
          if (auto f = files_.find(w->second); f != files_.end()) f->second.dirty = true;
        }
        p += sizeof(inotify_event) + e->len;
      }
    }
  }
  for (auto& [run, f] : files_) {
    if (f.dirty || f.watch < 0) {
      f.dirty = false;
      ReadFile(run, f, now_us, out);
    }
  }
}

void MetricsTail::Unwatch(RunId run, int64_t now_us, std::vector<RunMetric>* out) {
  auto it = files_.find(run);
  if (it == files_.end()) return;
  File& f = it->second;
  ReadFile(run, f, now_us, out);
  if (!f.partial.empty()) {  // the last line without its newline: the attempt is done with it
    std::string last = std::move(f.partial);
    f.partial.clear();
    TakeLine(run, f, last, now_us, out);
  }
  if (f.watch >= 0) {
    inotify_rm_watch(inotify_fd_, f.watch);
    by_watch_.erase(f.watch);
  }
  files_.erase(it);
}

void MetricsTail::ReadFile(RunId run, File& f, int64_t now_us, std::vector<RunMetric>* out) {
  int fd = open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // removed by the task: nothing more to read
  off_t size = lseek(fd, 0, SEEK_END);
  if (size < f.offset) {  // truncated and rewritten: read it again from the start
    f.offset = 0;
    f.partial.clear();
  }
  char chunk[65536];
  while (true) {
    ssize_t n = pread(fd, chunk, sizeof chunk, f.offset);
    if (n <= 0) break;
    f.offset += n;
    size_t start = 0;
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      if (chunk[i] != '\n') continue;
      std::string_view piece(chunk + start, i - start);
      if (f.skipping) {  // the end of an over-long line
        f.skipping = false;
      } else if (!f.partial.empty()) {
        f.partial.append(piece);
        std::string line = std::move(f.partial);
        f.partial.clear();
        TakeLine(run, f, line, now_us, out);
      } else {
        TakeLine(run, f, piece, now_us, out);
      }
      start = i + 1;
    }
    if (start < static_cast<size_t>(n) && !f.skipping) {
      f.partial.append(chunk + start, static_cast<size_t>(n) - start);
      if (f.partial.size() > kMaxLineBytes) {
        ++f.line;
        Complain(f, "line " + std::to_string(f.line) + " is over " +
                        std::to_string(kMaxLineBytes / 1024) + " KiB: skipped");
        f.partial.clear();
        f.skipping = true;  // up to its newline
      }
    }
  }
  close(fd);
}

void MetricsTail::TakeLine(RunId run, File& f, std::string_view line, int64_t now_us,
                           std::vector<RunMetric>* out) {
  ++f.line;
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
  Result<MetricPoint> point = ParseMetricLine(line);
  if (!point.ok()) {
    Complain(f, "line " + std::to_string(f.line) + ": " + point.status().message());
    return;
  }
  if (++f.points > kMaxPointsPerAttempt) {
    if (f.points == kMaxPointsPerAttempt + 1) {
      Complain(f, "more than " + std::to_string(kMaxPointsPerAttempt) +
                      " metrics from one attempt: the rest are dropped");
    }
    return;
  }
  point->time_us = now_us;
  out->push_back(RunMetric{run, std::move(*point)});
}

void MetricsTail::Complain(File& f, const std::string& what) {
  if (!log_ || f.complaints >= 5) return;
  ++f.complaints;
  log_(f.path + ": " + what + (f.complaints == 5 ? " (further problems not shown)" : ""));
}

}  // namespace allot
