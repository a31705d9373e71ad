// The text of `allot workers`: GET /api/v1/workers (docs/CLUSTER.md) as a table. Pure
// formatting; unknown or missing fields print as "-".
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace allot {

// A header and one line per worker of `workers` (an array): ID, NAME, HOST, STATE, CORES
// ("used/total", used = cores - free_cores), MEMORY, GPUS, RUNNING, LAST SEEN (how long
// before `now_us`, e.g. "3.0s ago"). "no workers" when there are none.
std::string FormatWorkerTable(const nlohmann::json& workers, int64_t now_us);

}  // namespace allot
