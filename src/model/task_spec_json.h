// Lossless TaskSpec <-> JSON, for the journal and for machine-readable output. The JSON shape
// is the task-file shape (durations in seconds as numbers, memory in bytes), with:
//   - "id", "command", "cores" (N or {min, max}), "workdir" and "origin" ({file, line})
//     always present; every other field left out when it equals TaskSpec's default;
//   - "env" as a list of [name, value] pairs, because its order matters (the task-file
//     parser accepts that form too);
//   - "retry_backoff" as {initial, factor, max}.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/result.h"
#include "model/task_spec.h"

namespace allot {

nlohmann::json TaskSpecToJson(const TaskSpec& spec);
// Inverse of TaskSpecToJson; Corruption when `j` is not such a document.
Result<TaskSpec> TaskSpecFromJson(const nlohmann::json& j);
// The `checkpoint` member of those documents (also what a worker's launch carries).
nlohmann::json CheckpointSpecToJson(const CheckpointSpec& c);
Result<CheckpointSpec> CheckpointSpecFromJson(const nlohmann::json& j);
// The job members of those documents ("python", "script", "container", "params", in the
// task-file shape; none for a command without params), merged into `*j`; and back from such a
// document (none of them: a command without params). Also what a worker's launch carries.
void JobSpecToJson(const JobSpec& job, nlohmann::json* j);
Result<Boxed<JobSpec>> JobSpecFromJson(const nlohmann::json& j);

// For people: "command: ./sim 3", "python: sim.run", "script: /abs/step.sh",
// "container: localhost/sim (podman) ./sim"; then " params: {...}" when it has some.
std::string DescribeWhatRuns(const TaskSpec& spec);
// What `allot status --json ID` and the API add to a task: "type" (command, python, script,
// container), "job" (DescribeJob, for the others) and "params" (the object, when set).
void AddJobFields(const TaskSpec& spec, nlohmann::json* task);

// TaskSpecFromJson of the document in JSON `text`, read by simdjson without building a
// document when it is one TaskSpecToJson writes (what loading a journal uses; several times
// faster), else by TaskSpecFromJson. The same result for every input; Corruption
// "task spec: not JSON" when `text` does not parse. Thread-safe.
Result<TaskSpec> TaskSpecFromJsonText(std::string_view text);

}  // namespace allot
