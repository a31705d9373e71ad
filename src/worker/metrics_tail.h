// MetricsTail: reads the intermediate metrics that running attempts append to their
// $ALLOT_METRICS_FILE (<task dir>/metrics.jsonl, one JSON line each: model/metric_line.h) as
// they write them. An inotify watch per file makes a write wake the owner's event loop
// (ReadyFd), so a metric reaches the scheduler within milliseconds, at no cost while nothing is
// written. Where inotify cannot watch a file (no inotify, the watch limit reached), the file
// is read on every Read() instead (the loop turns at least at each usage sample, ~1 s).
//
// Only complete lines count: a line still being written is read when its newline comes. A line
// that is not a metric is skipped and logged (the first 5 of each file; each names the file,
// the line number and what is wrong). At most kMaxPointsPerAttempt points are taken from one
// attempt; the rest are dropped, with one line in the log.
//
// Not thread-safe: one owner (the event loop thread).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "exec/process_launcher.h"
#include "model/metric_point.h"

namespace allot {

// A point read for one attempt (its task and attempt are the owner's to fill in).
struct RunMetric {
  RunId run = 0;
  MetricPoint point;
};

class MetricsTail {
 public:
  static constexpr int64_t kMaxPointsPerAttempt = 1'000'000;
  static constexpr size_t kMaxLineBytes = 64 * 1024;

  MetricsTail();
  ~MetricsTail();
  MetricsTail(const MetricsTail&) = delete;
  MetricsTail& operator=(const MetricsTail&) = delete;

  // Creates `path` empty (replacing an earlier attempt's) and watches it for `run`.
  Status Watch(RunId run, const std::string& path);
  // Readable when a watched file was written; -1 without inotify.
  int ReadyFd() const { return inotify_fd_; }
  // Appends what was written to the watched files since the last read. `now_us`: the points'
  // time (Unix microseconds).
  void Read(int64_t now_us, std::vector<RunMetric>* out);
  // Reads `run`'s file a last time (its attempt exited: everything is written), then forgets
  // it. Nothing for a run not watched.
  void Unwatch(RunId run, int64_t now_us, std::vector<RunMetric>* out);
  bool watching(RunId run) const { return files_.count(run) != 0; }

  void set_log(std::function<void(const std::string&)> log) { log_ = std::move(log); }

 private:
  struct File {
    std::string path;
    int watch = -1;      // inotify watch descriptor; -1: read on every Read
    int64_t offset = 0;  // bytes consumed
    std::string partial; // the start of a line without its newline yet
    int64_t line = 0;    // lines read so far
    int64_t points = 0;
    int complaints = 0;
    bool dirty = false;
    bool skipping = false;  // inside a line over kMaxLineBytes, dropped up to its newline
  };
  void ReadFile(RunId run, File& f, int64_t now_us, std::vector<RunMetric>* out);
  void TakeLine(RunId run, File& f, std::string_view line, int64_t now_us,
                std::vector<RunMetric>* out);
  void Complain(File& f, const std::string& what);

  int inotify_fd_ = -1;
  std::unordered_map<RunId, File> files_;
  std::unordered_map<int, RunId> by_watch_;
  std::function<void(const std::string&)> log_;
};

}  // namespace allot
