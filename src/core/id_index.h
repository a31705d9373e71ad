// IdIndex: task id -> TaskIndex, without a second copy of the ids. An open-addressing table
// (linear probing, at most half full) of (index, 32-bit hash tag) pairs whose keys are read
// from the caller's id list only when the tags match, so an entry costs 16-32 bytes instead of
// a hash node holding a std::string (~72 bytes), and a miss rarely touches the ids: at a
// million tasks, the difference between meeting the memory budget of DESIGN.md and not.
//
// Entries are only added, except that the newest ones can be taken back (a refused batch).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/task_event.h"

namespace allot {

class IdIndex {
 public:
  // `ids` is where the indices point: ids[t] is the id of task t. It must outlive the index
  // and only grow; existing ids must not change.
  explicit IdIndex(const std::vector<std::string>* ids) : ids_(ids) {}

  std::optional<TaskIndex> Find(std::string_view id) const;
  // Enters task `t` under ids[t] and returns true; returns false, entering nothing, when
  // another task already has that id. REQUIRES: t < ids.size().
  bool Add(TaskIndex t);
  // Removes the entry of task `t`. REQUIRES: it is the most recently added entry still there
  // (removing newest-first keeps every probe sequence intact).
  void RemoveNewest(TaskIndex t);
  // Makes room for `n` entries in all without rehashing on the way.
  void Reserve(size_t n);
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint32_t task;  // kEmpty when free
    uint32_t tag;   // the high bits of the id's hash
  };
  static constexpr uint32_t kEmpty = ~uint32_t{0};
  static uint64_t Hash(std::string_view id);
  void Rehash(size_t slots);

  const std::vector<std::string>* ids_;
  std::vector<Slot> slots_;  // a power of two in size
  size_t size_ = 0;
};

}  // namespace allot
