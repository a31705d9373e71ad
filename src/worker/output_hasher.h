// OutputHasher: computes the manifest of an attempt's declared outputs (worker/output_check.h)
// on a thread of its own, so that the event loop that owns it goes on (a product of many GiB
// takes seconds to read: a worker that stopped answering meanwhile would be declared lost).
// The owner polls ReadyFd() and calls Collect() when it is readable.
// Submit, Collect and ReadyFd are called by the owning thread only.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exec/process_launcher.h"

namespace allot {

class OutputHasher {
 public:
  OutputHasher();
  ~OutputHasher();  // waits for the file being read, drops what was not started
  OutputHasher(const OutputHasher&) = delete;
  OutputHasher& operator=(const OutputHasher&) = delete;

  // An eventfd that is readable while Collect has exits to give.
  int ReadyFd() const { return ready_fd_; }
  // Reads `files`; `exit` comes back from Collect with usage.outputs set, or usage.output_error
  // when one cannot be read.
  void Submit(ProcessExit exit, std::vector<std::string> files);
  // Appends the exits whose outputs are described.
  void Collect(std::vector<ProcessExit>* out);

 private:
  struct Job {
    ProcessExit exit;
    std::vector<std::string> files;
  };
  void Run();

  int ready_fd_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> todo_;             // guarded by mu_
  std::vector<ProcessExit> done_;    // guarded by mu_
  bool stop_ = false;                // guarded by mu_
  std::thread thread_;               // started by the first Submit
};

}  // namespace allot
