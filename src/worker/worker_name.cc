#include "worker/worker_name.h"

#include <fmt/format.h>
#include <unistd.h>

#include "protocol/access_file.h"

namespace allot {

std::string DefaultWorkerName(const std::string& host,
                              const std::optional<SlurmAllocation>& slurm) {
  return fmt::format("{}:{}:{}", slurm ? slurm->node : host, getpid(), RandomHex(4));
}

}  // namespace allot
