// HeldTaskIds: the ids of tasks that exist beside a file being loaded — a server's earlier
// submissions. The file's depends_on may name them, its patterns match them as they match the
// file's own ids, and its ids must not repeat them (LoadOptions::held, dependency_resolver.h).
//
// The resolver asks once per file, every question in one HeldQuery, so that an implementation
// whose ids belong to another thread (the server's loop) answers in one round trip: it
// overrides Lookup to run the default one there. The default answers from Contains and
// ForEachWithPrefix on the calling thread.
//
// Thread-safety: as the implementation says; the resolver calls Lookup once, from the thread
// that loads the file.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace allot {

struct HeldQuery {
  std::vector<std::string_view> ids;       // is each of these held?
  std::vector<std::string_view> patterns;  // glob patterns (model/glob.h): which held ids match?
};

struct HeldAnswer {
  std::vector<bool> held;                         // by position in HeldQuery::ids
  std::vector<std::vector<std::string>> matches;  // by position in HeldQuery::patterns; sorted
};

class HeldTaskIds {
 public:
  virtual ~HeldTaskIds() = default;

  virtual bool Contains(std::string_view id) const = 0;
  // Calls `visit` once for every held id that starts with `prefix` (every id for ""), in any
  // order. A pattern is matched against the ids sharing its literal prefix only, so a sorted
  // index (SortedTaskIds) makes "sim-*" over a million ids cost the ids starting with "sim-".
  virtual void ForEachWithPrefix(std::string_view prefix,
                                 const std::function<void(std::string_view)>& visit) const = 0;

  // Answers all of `query`; an error (the holder is gone: a server stopping) is not a problem
  // of the file and is returned as it is.
  virtual Result<HeldAnswer> Lookup(const HeldQuery& query) const;
};

}  // namespace allot
