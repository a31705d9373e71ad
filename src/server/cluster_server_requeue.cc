// ClusterServer: POST /api/v1/requeue (`allot requeue`), a person's requeue of failed and
// canceled tasks with their specs read from the journal (server/requeue_tasks.h).
#include <memory>

#include "journal/journal_reader.h"
#include "server/cluster_server.h"
#include "server/requeue_tasks.h"

namespace allot {

using Json = nlohmann::json;

Result<Json> ClusterServer::Requeue(const RequeueRequest& request) {
  // Finished tasks' specs are the journal's, read on the loop thread while the call runs (the
  // call owns the reader with this function: the loop may run it after a timed-out wait).
  ALLOT_ASSIGN_OR_RETURN(std::unique_ptr<JournalReader> opened, JournalReader::Open(journal_path_));
  std::shared_ptr<JournalReader> reader = std::move(opened);
  return Call([this, request, reader]() -> Result<Json> {
    std::vector<TaskIndex> roots;
    if (request.failed) {
      const TaskState failed[] = {TaskState::kFailed};
      roots = TasksIn(*scheduler_, failed);
    } else {
      ALLOT_ASSIGN_OR_RETURN(roots, ResolveRequeueRefs(*scheduler_, request.refs));
    }
    std::vector<TaskIndex> requeued;
    Status s = RequeueTasks(
        scheduler_.get(), roots, [reader](TaskIndex t) { return reader->SpecOf(t); }, &requeued);
    if (!s.ok()) return Status(s.code(), "cannot requeue: " + s.message());
    Json tasks = Json::array();
    for (TaskIndex t : requeued) tasks.push_back(TaskJson(t));
    return Json{{"tasks", std::move(tasks)}};
  });
}

}  // namespace allot
