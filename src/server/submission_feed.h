// SubmissionFeed: `allot run --feed IN,OUT`. The process that started an embedded campaign
// (allot.pilot, a script) adds tasks while it runs and hears about each task's end, over two
// pipes of JSON lines, without a server or a port.
//
// IN (read here), one object per line:
//   {"submit": {"name": "gen-3.json", "text": "<a task file>", "base_dir": "/abs",
//               "file_dir": "/abs"}}     the body of POST /api/v1/submit (docs/CLUSTER.md)
//   {"end": true}                        no more submissions: the run ends once all is done
// OUT (written here), one object per line:
//   {"open": 3, "tasks": 5}              first: the tasks not yet terminal, of all; each of
//                                        them and of the tasks submitted later has exactly one
//                                        "ended" line to come (a submitter counts them down)
//   {"started": "a", "attempt": 1, "cores": [0, 1]}   an attempt started, durably
//   {"ack": N, "ids": ["a", "b"]}        the Nth submission (from 1) is durable
//   {"ack": N, "error": "...", "problems": [...], "diagnostics": [...]}  refused, nothing
//                                        changed (the body of an HTTP error: http_error.h)
//   {"ended": "a", "state": "succeeded", "attempt": 1, "exit_code": 0, "signal": null,
//    "timed_out": false, "wall_s": 1.25, "cpu_s": 1.2, "reason": "",
//    "stdout": "/w/a/stdout", "stderr": "/w/a/stderr"}
//                                        a task reached a terminal state, durably
// Order: a submission's ack comes before any line about the tasks it added (lines committed
// while a submission is on its way wait for its ack), so a submitter never hears of a task
// it has not been told was accepted.
// Submissions take the server's one path (loop_submission.h): parsed and validated on the
// feed's thread, submitted on the loop thread, acknowledged only once journaled.
//
// While IN is open and "end" has not come, the loop does not end when its tasks are done:
// more may arrive. End of file on IN without "end" (the submitter died), or OUT no longer
// writable, stops the run as SIGTERM does; what was acknowledged is in the journal and
// `allot run --resume` continues.
//
// Thread-safety: Start, the LoopObserver calls and the destructor on the loop thread; the
// reader runs on its own thread and reaches the loop only through ServerLoop::Call.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/thread_annotations.h"
#include "core/scheduler.h"
#include "model/task_file.h"
#include "server/server_loop.h"

namespace allot {

struct FeedOptions {
  int in_fd = -1;   // read; owned (closed) by the feed
  int out_fd = -1;  // written; owned (closed) by the feed
  // The base_dir of a submission that names none (where allot was started).
  std::string base_dir;
  // When set, a task that can never fit it is refused as bad input.
  std::optional<MachineCapacity> capacity;
  // The directory of a task's output files (stdout, stderr).
  std::function<std::string(const std::string& task_id)> task_dir;
  // Lines for people (the submitter went away). Loop thread.
  std::function<void(const std::string&)> log;
};

class SubmissionFeed final : public LoopObserver {
 public:
  // `loop` and `scheduler` must outlive the feed.
  SubmissionFeed(ServerLoop* loop, Scheduler* scheduler, FeedOptions options);
  // Stops the reader (it is not waited for beyond its current submission) and closes the fds.
  ~SubmissionFeed() override;
  SubmissionFeed(const SubmissionFeed&) = delete;
  SubmissionFeed& operator=(const SubmissionFeed&) = delete;

  // Holds the loop open and starts the reader. REQUIRES: loop thread, before ServerLoop::Run
  // (and after ServerLoop::Create, which blocks the stop signals in every later thread).
  Status Start();

  void OnEvents(std::span<const Submission> submissions, std::span<const TaskEvent> events,
                bool durable) override;

 private:
  void Read();
  void Handle(const std::string& line, int64_t* submitted);
  // Writes one line to OUT; false when it cannot (the submitter is gone).
  bool WriteLine(const std::string& line);
  // Writes one line to OUT, REQUIRES out_mu_ held.
  bool WriteLocked(const std::string& line) REQUIRES(out_mu_);
  // From the loop thread: writes `line` (or queues it behind an ack on its way), or stops the
  // run when the submitter is gone.
  void Report(const nlohmann::json& line);
  // From the reader: runs `fn` on the loop thread.
  void OnLoop(std::function<void()> fn);

  ServerLoop* loop_;
  Scheduler* scheduler_;
  FeedOptions options_;
  int stop_fd_ = -1;
  std::thread reader_;
  std::mutex out_mu_;
  bool out_broken_ GUARDED_BY(out_mu_) = false;
  // Submissions handed to the loop and not yet acknowledged on OUT, and the lines the loop
  // reported meanwhile (written right after the ack).
  int acks_on_their_way_ GUARDED_BY(out_mu_) = 0;
  std::vector<std::string> held_lines_ GUARDED_BY(out_mu_);
  bool stop_requested_ = false;  // loop thread
};

}  // namespace allot
