#include "core/id_index.h"

#include <bit>
#include <cassert>

namespace allot {

uint64_t IdIndex::Hash(std::string_view id) {
  // FNV-1a, then a final mix so that the low bits (the slot) and the high bits (the tag) depend
  // on every byte.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : id) h = (h ^ c) * 0x100000001b3ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

std::optional<TaskIndex> IdIndex::Find(std::string_view id) const {
  if (slots_.empty()) return std::nullopt;
  const uint64_t h = Hash(id);
  const uint32_t tag = static_cast<uint32_t>(h >> 32);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.task == kEmpty) return std::nullopt;
    if (s.tag == tag && (*ids_)[s.task] == id) return s.task;
  }
}

void IdIndex::Reserve(size_t n) {
  const size_t want = std::bit_ceil(std::max<size_t>(16, n * 2));
  if (want > slots_.size()) Rehash(want);
}

bool IdIndex::Add(TaskIndex t) {
  assert(t < ids_->size());
  if ((size_ + 1) * 2 > slots_.size()) Rehash(std::max<size_t>(16, slots_.size() * 2));
  const std::string& id = (*ids_)[t];
  const uint64_t h = Hash(id);
  const uint32_t tag = static_cast<uint32_t>(h >> 32);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (; slots_[i].task != kEmpty; i = (i + 1) & mask) {
    if (slots_[i].tag == tag && (*ids_)[slots_[i].task] == id) return false;
  }
  slots_[i] = Slot{t, tag};
  ++size_;
  return true;
}

void IdIndex::RemoveNewest(TaskIndex t) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = Hash((*ids_)[t]) & mask;; i = (i + 1) & mask) {
    assert(slots_[i].task != kEmpty);
    if (slots_[i].task == t) {
      slots_[i].task = kEmpty;
      --size_;
      return;
    }
  }
}

void IdIndex::Rehash(size_t slots) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(slots, Slot{kEmpty, 0});
  const size_t mask = slots - 1;
  for (const Slot& s : old) {
    if (s.task == kEmpty) continue;
    size_t i = Hash((*ids_)[s.task]) & mask;
    while (slots_[i].task != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace allot
