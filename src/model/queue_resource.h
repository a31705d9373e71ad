// The queue a task names (`tags: {queue: NAME}`, automatic allocations: `allot alloc`) as a
// custom resource: in cluster mode a task naming a queue needs one unit of `queue:NAME`, which
// only the workers of that queue's allocations offer (as many as any worker could run), so it
// runs in the queue it needs and nowhere else. Tasks naming no queue run on any worker.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace allot {

inline constexpr int64_t kQueueResourceUnits = int64_t{1} << 30;

inline std::string QueueResourceName(std::string_view queue) {
  return "queue:" + std::string(queue);
}

}  // namespace allot
