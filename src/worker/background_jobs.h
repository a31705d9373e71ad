// BackgroundJobs: the slow part of ending an attempt, on a thread of its own, so that the event
// loop that owns it goes on: sealing a checkpoint set (SHA-256 and fsync of every file,
// worker/checkpoint_store.h) and hashing declared outputs (worker/output_check.h). A product
// or a checkpoint of many GiB takes seconds to read; a worker that stopped answering meanwhile
// would be declared lost, and `allot run` would start nothing.
// The owner polls ReadyFd() and calls Collect() when it is readable. One job at a time, in
// submission order. Submit, Collect and ReadyFd are called by the owning thread only; a job's
// work must touch nothing the owner uses meanwhile.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "exec/process_launcher.h"

namespace allot {

class BackgroundJobs {
 public:
  // What a job was for, so that the owner knows what comes next for its exit.
  enum class Kind { kSealCheckpoint, kHashOutputs };
  struct Done {
    ProcessExit exit;
    Kind kind;
  };

  BackgroundJobs();
  ~BackgroundJobs();  // waits for the job under way, drops those not started
  BackgroundJobs(const BackgroundJobs&) = delete;
  BackgroundJobs& operator=(const BackgroundJobs&) = delete;

  // An eventfd that is readable while Collect has exits to give.
  int ReadyFd() const { return ready_fd_; }
  // Runs `work` on `exit` on the thread; the exit then comes back from Collect.
  void Submit(ProcessExit exit, Kind kind, std::function<void(ProcessExit*)> work);
  // Appends the exits whose jobs are done, in the order they were done.
  void Collect(std::vector<Done>* out);

 private:
  struct Job {
    Done done;
    std::function<void(ProcessExit*)> work;
  };
  void Run();

  int ready_fd_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> todo_;      // guarded by mu_
  std::vector<Done> done_;    // guarded by mu_
  bool stop_ = false;         // guarded by mu_
  std::thread thread_;        // started by the first Submit
};

}  // namespace allot
