#include "server/pending_connections.h"

#include <sys/socket.h>

#include <algorithm>
#include <cassert>

namespace allot {

PendingConnections::PendingConnections(size_t max_total, size_t max_per_address)
    : max_total_(max_total), max_per_address_(max_per_address) {
  assert(max_total >= 1 && max_per_address >= 1);
}

PendingConnections::Id PendingConnections::Admit(int fd, const std::string& address) {
  std::lock_guard lock(mu_);
  auto same = per_address_.find(address);
  if (same != per_address_.end() && same->second >= max_per_address_) {
    auto oldest = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& e) { return e.address == address; });
    EvictLocked(oldest);
  }
  if (entries_.size() >= max_total_) EvictLocked(entries_.begin());
  const Id id = next_id_++;
  entries_.push_back(Entry{id, fd, address});
  ++per_address_[address];
  return id;
}

void PendingConnections::Remove(Id id) {
  std::lock_guard lock(mu_);
  // Linear: there are at most max_total entries.
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.id == id; });
  if (it != entries_.end()) EraseLocked(it);
}

size_t PendingConnections::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void PendingConnections::EvictLocked(Entries::iterator it) {
  shutdown(it->fd, SHUT_RDWR);
  EraseLocked(it);
}

void PendingConnections::EraseLocked(Entries::iterator it) {
  auto count = per_address_.find(it->address);
  if (--count->second == 0) per_address_.erase(count);
  entries_.erase(it);
}

}  // namespace allot
