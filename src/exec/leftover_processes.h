// Finding and killing processes left behind by attempts of an earlier allot that died (kill -9,
// node crash of the allot process alone): every task process carries ALLOT_WORKDIR=<campaign
// workdir>/<task id> in its environment, inherited by everything it starts, including
// processes that left its process group. On --resume those attempts are rerun, so what is
// left of them must go first, or they would run twice and oversubscribe the cores.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace allot {

// Pids of processes (readable by this user) whose environment has ALLOT_WORKDIR under
// `campaign_workdir` (absolute). Never includes the calling process.
std::vector<int> FindLeftoverProcesses(const std::string& campaign_workdir);

// SIGKILLs them and waits (up to `timeout_ms`) until they are gone. Returns how many were
// killed; IoError if some survive the wait.
Result<int> KillLeftoverProcesses(const std::string& campaign_workdir, int timeout_ms = 5000);

}  // namespace allot
