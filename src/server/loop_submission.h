// SubmitThroughLoop: the one way a task file joins a running server loop, whoever brings it:
// POST /api/v1/submit (cluster_server_api.cc) and the submission feed of `allot run`
// (submission_feed.h). One validation path, one set of structured diagnostics.
//
//  1. parse and validate the file on the calling thread (the expensive part), resolving
//     depends_on and checking ids against the tasks the loop holds (asked on the loop thread,
//     all questions in one call);
//  2. on the loop thread: check that the ids are still new (others may have submitted
//     meanwhile), then Scheduler::Submit;
//  3. answer {ids: [...]} once the turn that submitted them committed (durable).
// Errors change nothing: InvalidArgument with the file's Diagnostics (file, line, task, field),
// Unavailable while the loop stops or after it ended.
//
// Thread-safety: any thread but the loop's. `loop` and `scheduler` must outlive the call.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "core/scheduler.h"
#include "model/task_file.h"
#include "server/api_requests.h"
#include "server/server_loop.h"

namespace allot {

// `capacity`, when set: a task that can never fit it is one more problem of the file (the
// embedded form, whose one worker is known; a cluster's workers come and go). `queues`: a
// task that names a queue (tags.queue) needs that queue's resource (model/queue_resource.h),
// so it runs only in the queue's allocations (cluster mode).
Result<nlohmann::json> SubmitThroughLoop(ServerLoop* loop, Scheduler* scheduler,
                                         const SubmitRequest& request,
                                         std::optional<MachineCapacity> capacity = std::nullopt,
                                         bool queues = false);

}  // namespace allot
