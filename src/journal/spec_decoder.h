// SpecDecoder: turns the spec JSON of many journal rows into TaskSpecs on several threads, as
// parsing JSON is most of the cost of loading a large journal. Used by LoadJournal only.
// Threads live only inside Decode, which returns after they have all finished. An object is
// used by one thread at a time.
#pragma once

#include <span>
#include <string>

#include "common/status.h"
#include "journal/journal_store.h"

namespace allot {

class SpecDecoder {
 public:
  // `threads` 0: one per hardware thread, at most kMaxThreads.
  explicit SpecDecoder(unsigned threads = 0);

  // Sets out[i].spec from json[i], for every i. On failure, the Status of the lowest i that
  // failed (Corruption naming its task); the other specs are unspecified.
  // REQUIRES: json.size() == out.size(); out[i].index is set.
  Status Decode(std::span<const std::string> json, std::span<Submission> out) const;

  static constexpr unsigned kMaxThreads = 8;
  // Fewer rows than this per thread are not worth a thread.
  static constexpr size_t kMinRowsPerThread = 2048;

 private:
  unsigned threads_;
};

}  // namespace allot
