#include "server/loop_submission.h"

#include "model/queue_resource.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "model/dependency_resolver.h"
#include "model/diagnostic_json.h"
#include "model/held_task_ids.h"
#include "model/scenario_policy_json.h"
#include "server/scheduler_task_ids.h"

namespace allot {
namespace {

using Json = nlohmann::json;

// The tasks the loop holds, for the model's resolver (model/held_task_ids.h). Contains and
// ForEachWithPrefix (SchedulerTaskIds) read the scheduler, so they run on the loop thread only;
// Lookup, called from the submitter's thread, runs them there, all questions in one call.
class LoopTasks : public SchedulerTaskIds {
 public:
  LoopTasks(ServerLoop* loop, Scheduler* scheduler)
      : SchedulerTaskIds(scheduler), loop_(loop), scheduler_(scheduler) {}
  Result<HeldAnswer> Lookup(const HeldQuery& query) const override {
    std::optional<HeldAnswer> answer;
    Status asked = loop_->Call([&]() -> Result<Json> {
      Result<HeldAnswer> r = HeldTaskIds::Lookup(query);
      if (!r.ok()) return r.status();
      answer = std::move(r).value();
      tasks_when_asked_ = scheduler_->task_count();
      return Json();
    }).status();
    if (!asked.ok()) return asked;
    return std::move(*answer);
  }
  // How many tasks the loop had when Lookup answered (loop thread; none: SIZE_MAX).
  size_t tasks_when_asked() const { return tasks_when_asked_; }

 private:
  ServerLoop* loop_;
  Scheduler* scheduler_;
  mutable size_t tasks_when_asked_ = SIZE_MAX;
};

}  // namespace

Result<Json> SubmitThroughLoop(ServerLoop* loop, Scheduler* scheduler,
                               const SubmitRequest& request,
                               std::optional<MachineCapacity> capacity, bool queues) {
  const LoopTasks held(loop, scheduler);
  LoadOptions options;
  options.base_dir = request.base_dir;
  options.file_dir = request.file_dir;
  options.capacity = std::move(capacity);
  options.held = &held;
  Result<LoadedTasks> loaded = ParseTaskFile(request.name, request.text, options, nullptr);
  if (!loaded.ok()) return loaded.status();  // with its diagnostics
  auto specs = std::make_shared<std::vector<TaskSpec>>(std::move(loaded.value().tasks));
  if (queues) {
    for (TaskSpec& s : *specs) {
      auto q = s.tags.find("queue");
      if (q != s.tags.end() && !q->second.empty()) {
        s.resources.custom[QueueResourceName(q->second)] = 1;
      }
    }
  }
  std::optional<ScenarioPolicySpec> scenarios = loaded.value().scenarios;
  if (specs->empty()) return Status::InvalidArgument(request.name + ": no tasks");
  // What the file ignores (model/task_file.h), for the submitter to print.
  Json warnings = Json::array();
  for (const Diagnostic& w : loaded.value().warnings) warnings.push_back(DiagnosticToJson(w));
  return loop->Call([loop, scheduler, specs, &held, file = request.name, scenarios,
                     warnings = std::move(warnings)]() mutable -> Result<Json> {
    if (loop->stopping()) return Status::Unavailable("the server is stopping");
    auto refused = [&file](StatusCode code, std::vector<Diagnostic> problems) {
      return Status(code, fmt::format("{}: {} problem{}", file, problems.size(),
                                      problems.size() == 1 ? "" : "s"))
          .WithDiagnostics(std::move(problems));
    };
    // Other submissions may have landed since the file was resolved: held ids only grow, so
    // its dependencies are still there, but its ids may have been taken meanwhile.
    std::vector<Diagnostic> taken;
    if (scheduler->task_count() != held.tasks_when_asked() &&
        !CheckIdsStillNew(*specs, held, &taken)) {
      return refused(StatusCode::kInvalidArgument, std::move(taken));
    }
    // A scenarios block sets the campaign's policy; a later one may repeat it, not change it.
    if (scenarios && scheduler->scenario_board() != nullptr &&
        ScenarioPolicyToJson(scheduler->scenario_board()->spec()) !=
            ScenarioPolicyToJson(*scenarios)) {
      Diagnostic d;
      d.file = file;
      d.field = "scenarios";
      d.message = "the campaign runs the scenario policy " +
                  ScenarioPolicyToJson(scheduler->scenario_board()->spec()) +
                  "; a submission may repeat it, not change it";
      return refused(StatusCode::kInvalidArgument, {std::move(d)});
    }
    Json ids = Json::array();
    for (const TaskSpec& s : *specs) ids.push_back(s.id);
    Status submitted = scheduler->Submit(std::move(*specs));
    if (!submitted.ok()) {
      // The backstop, for what the checks above did not foresee: the scheduler's refusal (it
      // names the task) as a problem of the file.
      Diagnostic d;
      d.file = file;
      d.message = submitted.message();
      return refused(submitted.code(), {std::move(d)});
    }
    if (scenarios && scheduler->scenario_board() == nullptr) {
      scheduler->SetScenarioPolicy(*scenarios);
    }
    Json answer{{"ids", std::move(ids)}};
    if (!warnings.empty()) answer["warnings"] = std::move(warnings);
    return answer;
  });
}

}  // namespace allot
