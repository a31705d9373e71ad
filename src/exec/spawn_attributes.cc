#include "exec/spawn_attributes.h"

#include <signal.h>

namespace allot {

SpawnAttributes::SpawnAttributes() {
  posix_spawnattr_init(&attr_);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr_, &empty);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigdefault(&attr_, &all);
  posix_spawnattr_setpgroup(&attr_, 0);
  posix_spawnattr_setflags(&attr_,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

SpawnAttributes::~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }

}  // namespace allot
