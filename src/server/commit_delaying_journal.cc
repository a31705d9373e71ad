#include "server/commit_delaying_journal.h"

#include <thread>

namespace allot {

Status CommitDelayingJournal::Commit() {
  if (std::uniform_real_distribution<double>(0, 1)(rng_) < probability_) {
    ++delayed_;
    std::this_thread::sleep_for(delay_);
  }
  return inner_->Commit();
}

}  // namespace allot
