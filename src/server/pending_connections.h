// PendingConnections: the HTTP connections that have not shown the token yet, capped overall
// and per client address (HttpLimits::max_pending, max_pending_per_address).
//
// Admitting a connection over a cap closes the oldest pending one: of the same address when
// its per-address cap is reached, else the oldest overall. A client that sends its request
// at once is therefore always admitted and served, whoever holds connections open; a client
// holding many only pushes out its own oldest ones.
//
// "Closes" is shutdown(SHUT_RDWR) of the socket: its owner's poll and recv wake up and see the
// end of the stream. The owner still closes the descriptor, after Remove: a socket is only
// ever shut down while it is registered, so never after its descriptor number was reused.
//
// Thread-safe: Admit and Remove are called from the connection threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <string>

namespace allot {

class PendingConnections {
 public:
  using Id = uint64_t;

  // REQUIRES: max_total >= 1, max_per_address >= 1.
  PendingConnections(size_t max_total, size_t max_per_address);
  PendingConnections(const PendingConnections&) = delete;
  PendingConnections& operator=(const PendingConnections&) = delete;

  // Registers the connected socket `fd` from `address` (any string that tells client
  // addresses apart), shutting down older pending connections as the caps require.
  Id Admit(int fd, const std::string& address);

  // The connection has authenticated or is about to be closed: it no longer counts and is
  // never shut down from here. Idempotent (a connection pushed out is already removed).
  // REQUIRES: called before the owner closes the descriptor.
  void Remove(Id id);

  size_t size() const;

 private:
  struct Entry {
    Id id;
    int fd;
    std::string address;
  };
  using Entries = std::list<Entry>;  // oldest first

  // REQUIRES: mu_ held.
  void EvictLocked(Entries::iterator it);  // shuts the socket down, then EraseLocked
  void EraseLocked(Entries::iterator it);

  const size_t max_total_;
  const size_t max_per_address_;
  mutable std::mutex mu_;
  Entries entries_;                          // guarded by mu_
  std::map<std::string, size_t> per_address_;  // guarded by mu_; entries per address, > 0
  Id next_id_ = 1;                           // guarded by mu_
};

}  // namespace allot
