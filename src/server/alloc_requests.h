// The requests of the automatic-allocation endpoints (docs/CLUSTER.md, `allot alloc`), parsed
// and checked field by field: an error names the field and says what it accepts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/allocation_manager.h"

namespace allot {

// POST /api/v1/alloc/queues: a queue as `allot alloc add slurm` asks for it.
struct AllocAddRequest {
  AllocQueueConfig config;
  SlurmQueueOptions slurm;
  bool dry_run = false;
};

// POST /api/v1/alloc/queues/{name}/{action}
struct AllocControlRequest {
  std::string queue;
  std::string action;  // pause, resume, remove
  bool force = false;  // remove: cancel its allocations
};

// GET /api/v1/alloc/events
struct AllocEventsRequest {
  std::string queue;  // "": every queue
  int64_t since = 0;  // the events after this sequence number
  size_t limit = 1000;
};

// Body fields: kind ("slurm"), name (default: the partition, else "slurm"), partition,
// time_limit_s (required), nodes (1), workers_per_alloc (nodes), cores_per_worker (0: from
// sinfo), min_workers (0), max_workers (4 allocations' workers), max_pending (1),
// idle_timeout_s (300), min_utilization (0), end_margin_s (60), replace_before_s (0: the
// default), backoff_s (30), pause_after_failures (5), sbatch_args ([]), dry_run (false).
Result<AllocAddRequest> ParseAllocAddBody(std::string_view body);
// The body may be empty or {"force": true}.
Result<AllocControlRequest> ParseAllocControl(std::string queue, std::string action,
                                              std::string_view body);
Result<AllocEventsRequest> ParseAllocEventsQuery(
    const std::multimap<std::string, std::string>& params);

}  // namespace allot
