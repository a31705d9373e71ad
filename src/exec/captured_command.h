// RunCaptured: runs a short command (sbatch, squeue, scancel) to its end with text on its
// standard input, and returns its exit code and what it printed, killing it (SIGKILL to its
// process group) after `timeout`. For the server's Slurm commands, not for tasks.
#pragma once

#include <string>
#include <vector>

#include "common/time.h"

namespace allot {

struct CapturedOutput {
  int exit_code = 0;  // 128 + signal when killed by one; 124 after the timeout; 127 when it
                      // could not be started (err says why)
  std::string out;
  std::string err;
};

// argv[0] is looked up on PATH. Output beyond 16 MiB per stream is dropped.
CapturedOutput RunCaptured(const std::vector<std::string>& argv, const std::string& stdin_text,
                           Duration timeout);

}  // namespace allot
