// The posix_spawn attributes every task gets, built once and reused by each spawn: a new
// process group (pgid = pid), an empty signal mask (the parent may block signals for its event
// loop) and default dispositions for every signal (an ignored SIGPIPE or SIGTERM in the parent
// must not be inherited by tasks).
#pragma once

#include <spawn.h>

namespace allot {

class SpawnAttributes {
 public:
  SpawnAttributes();
  ~SpawnAttributes();
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;

  const posix_spawnattr_t* get() const { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

}  // namespace allot
