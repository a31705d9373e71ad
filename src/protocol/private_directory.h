// Directories that hold secrets (a server's journal and access file, task output: a task's
// command, env and whatever it prints) are their owner's alone: mode 0700, whatever the umask
// and whatever mode the directory had when it was already there.
#pragma once

#include <string>

#include "common/status.h"

namespace allot {

// Creates `path` (one level) with mode 0700, or makes an existing directory 0700 when it has
// bits for group or others. FailedPrecondition, changing nothing, when `path` exists and is
// not a directory, or is owned by another user (whose directory this process cannot make
// private); the ErrnoStatus naming `path` when it cannot be created or changed.
Status MakePrivateDirectory(const std::string& path);

}  // namespace allot
