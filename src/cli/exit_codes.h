// The exit codes of every allot command, in one place.
#pragma once

#include "common/status.h"

namespace allot {

inline constexpr int kExitOk = 0;            // every task succeeded / the command did its job
inline constexpr int kExitTasksFailed = 1;   // some task failed, was skipped or canceled
inline constexpr int kExitBadInput = 2;      // bad flags, file, id: nothing was changed
inline constexpr int kExitInternal = 3;      // the system failed (journal, event loop)
// `allot wait --timeout`: the time ran out before the tasks finished (as timeout(1) exits).
inline constexpr int kExitTimedOut = 124;
// The client commands (submit, status, wait, cancel, log, workers, ...) against a server:
//   kExitBadInput  no server in the directory (no access.json), bad flags or task file,
//                  unknown task or worker, an action the task cannot take now;
//   kExitInternal  the server cannot be reached, did not answer, or failed.
// A failed operation: kExitBadInput when what the user gave is at fault (a bad file, flag or
// id, a file that is not a journal, a campaign another allot is running), kExitInternal when
// the system is (the journal damaged, missing commits or locked past the wait, a full disk, an
// I/O error).
inline int ExitForStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return kExitBadInput;
    default:
      return kExitInternal;
  }
}
// `allot run` stopped because its allocation ends (--end-time, SLURM_JOB_END_TIME) with tasks
// left: EX_TEMPFAIL, "try again later" — in the next allocation, with --resume.
inline constexpr int kExitAllocationEnded = 75;
// Stopped by a signal: 128 + its number, as shells report it.
inline int ExitForSignal(int signal) { return 128 + signal; }

}  // namespace allot
