// ClusterServer's ApiBackend: what each HTTP endpoint asks of the loop (docs/CLUSTER.md).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "journal/journal_event_json.h"
#include "journal/journal_reader.h"
#include "model/task_spec_json.h"
#include "model/dependency_resolver.h"
#include "model/diagnostic_json.h"
#include "model/glob.h"
#include "model/held_task_ids.h"
#include "model/task_attempt.h"
#include "model/task_attempt_json.h"
#include "model/task_file.h"
#include "server/cluster_server.h"
#include "server/loop_submission.h"
#include "server/scheduler_task_ids.h"
#include "server/task_refs.h"

#include "model/task_id.h"

namespace allot {
namespace {

using Json = nlohmann::json;

Json StateCountsJson(const std::array<int64_t, kTaskStateCount>& counts) {
  Json out = Json::object();
  for (int i = 0; i < kTaskStateCount; ++i) {
    out[std::string(TaskStateName(static_cast<TaskState>(i)))] = counts[i];
  }
  return out;
}

}  // namespace

Result<ClusterServer::Ref> ClusterServer::Resolve(const std::string& ref) const {
  ALLOT_ASSIGN_OR_RETURN(std::vector<TaskRef> refs, ResolveTaskRefs(*scheduler_, {ref}));
  if (refs.size() > 1) {
    return Status::InvalidArgument(fmt::format("pattern '{}' matches {} tasks; name one", ref,
                                               refs.size()));
  }
  return Ref{refs.front().task, refs.front().attempt};
}

std::string ClusterServer::WorkerName(TaskIndex t) const {
  std::optional<WorkerId> w = scheduler_->WorkerOf(t);
  if (!w) return "";
  if (*w == kNoWorker) return "(awaiting its worker)";
  return channel_->NameOf(*w);
}

Json ClusterServer::TaskJson(TaskIndex t) const {
  const std::string& id = scheduler_->id(t);
  const TaskBrief brief = scheduler_->brief(t);
  const TaskState state = scheduler_->state(t);
  const uint32_t attempt = scheduler_->attempts(t);
  const bool running = IsActive(state);
  // How its last ended attempt ended, as `allot status` shows it from a journal: no exit code
  // when a signal ended it, "timeout" when its time limit did.
  const bool ended = attempt > 0 && !running;
  const int last_exit = scheduler_->last_exit(t);
  Json j = {{"id", id},
            {"state", std::string(TaskStateName(state))},
            {"attempt", attempt},
            {"execution", attempt > 0 ? Json(ExecutionRef(id, attempt)) : Json()},
            {"worker", running ? Json(WorkerName(t)) : Json()},
            {"exit_code", ended && last_exit >= 0 ? Json(last_exit) : Json()},
            {"signal", ended && last_exit < 0 ? Json(-last_exit) : Json()},
            {"timed_out", ended && scheduler_->last_timed_out(t)},
            // Why it waits; why a task that did not succeed ended ("exit code 1 (after 3
            // attempts)"); nothing for a task that succeeded or runs.
            {"why", IsUnsuccessful(state) ? EndReason(t) : scheduler_->WhyWaiting(t)},
            {"priority", brief.priority},
            {"cores", brief.cores},
            // The memory it asks for now: grown after attempts killed at their memory limit.
            {"memory", brief.memory_bytes}};
  if (running && scheduler_->CancelPending(t)) j["why"] = "being canceled";
  if (const int nodes = scheduler_->has_spec(t) ? scheduler_->spec(t).resources.nodes : 1;
      nodes > 1) {
    j["nodes"] = nodes;
    // The running attempt's workers, its leader (`worker`) first.
    if (running) {
      Json names = Json::array();
      for (const NodeShare& n : scheduler_->NodesOf(MakeExecutionId(t, attempt))) {
        names.push_back(n.name);
      }
      j["node_workers"] = std::move(names);
    }
  }
  // A task that ended badly: how (as `allot status --workdir` says it from the journal).
  if (IsUnsuccessful(state) && j["why"].get_ref<const std::string&>().empty()) {
    j["why"] = EndReason(t);
  }
  return j;
}

Json ClusterServer::CountsJson() const { return StateCountsJson(scheduler_->counts()); }

Result<Json> ClusterServer::ServerInfo() {
  return Call([this]() -> Result<Json> {
    return Json{{"version", "0.1.0"},
                {"instance", access_.instance},
                {"started_us", started_us_},
                {"tasks", scheduler_->task_count()},
                {"counts", CountsJson()},
                {"workers", channel_->registry().peers().size()},
                // The newest durable event's seq: where a client starts following
                // /api/v1/events without paging through the history.
                {"last_event", loop_->committed_events()}};
  });
}

Result<Json> ClusterServer::StopServer(const StopServerRequest& request) {
  return Call([this, kill = request.kill]() -> Result<Json> {
    loop_->BeginStop(kill);
    return Json::object();
  });
}

Result<Json> ClusterServer::Submit(const SubmitRequest& request) {
  return SubmitThroughLoop(loop_.get(), scheduler_.get(), request, std::nullopt, /*queues=*/true);
}

Result<Json> ClusterServer::ListTasks(const TaskQuery& query) {
  return Call([this, query]() -> Result<Json> {
    std::vector<TaskIndex> tasks;
    if (query.refs.empty()) {
      tasks.reserve(scheduler_->task_count());
      for (TaskIndex t = 0; t < scheduler_->task_count(); ++t) tasks.push_back(t);
    } else {
      ALLOT_ASSIGN_OR_RETURN(std::vector<TaskRef> refs, ResolveTaskRefs(*scheduler_, query.refs));
      for (const TaskRef& r : refs) tasks.push_back(r.task);
    }
    Json out = Json::array();
    for (TaskIndex t : tasks) {
      if (!query.states.empty() &&
          std::find(query.states.begin(), query.states.end(), scheduler_->state(t)) ==
              query.states.end()) {
        continue;
      }
      if (query.limit > 0 && static_cast<int64_t>(out.size()) >= query.limit) break;
      out.push_back(TaskJson(t));
    }
    return Json{{"tasks", std::move(out)}, {"counts", CountsJson()}};
  });
}

Result<Json> ClusterServer::GetTask(const std::string& ref) {
  TaskIndex index = 0;
  ALLOT_ASSIGN_OR_RETURN(Json task, Call([this, ref, &index]() -> Result<Json> {
                           ALLOT_ASSIGN_OR_RETURN(Ref r, Resolve(ref));
                           index = r.task;
                           return TaskJson(r.task);
                         }));
  ALLOT_ASSIGN_OR_RETURN(std::unique_ptr<JournalReader> reader, JournalReader::Open(journal_path_));
  ALLOT_ASSIGN_OR_RETURN(TaskSpec spec, reader->SpecOf(index));
  ALLOT_ASSIGN_OR_RETURN(std::vector<JournalEventRow> rows, reader->EventsOf(index));
  task["command"] = spec.command;
  AddJobFields(spec, &task);
  task["tags"] = spec.tags;
  task["depends_on"] = spec.depends_on;
  Json events = Json::array();
  std::vector<TaskEvent> task_events;
  task_events.reserve(rows.size());
  for (const JournalEventRow& row : rows) {
    events.push_back(JournalEventRowToJson(row));
    task_events.push_back(row.event);
  }
  Json attempts = Json::array();
  for (const TaskAttempt& a : TaskAttemptsOf(task_events)) {
    attempts.push_back(TaskAttemptToJson(a, spec.id));
    // The task's result: what its attempt that succeeded returned (model/task_result.h).
    if (attempts.back().contains("result") &&
        attempts.back().value("outcome", "") == "succeeded") {
      task["result"] = attempts.back()["result"];
    }
  }
  task["attempts"] = std::move(attempts);
  task["events"] = std::move(events);
  ALLOT_ASSIGN_OR_RETURN(auto metric_rows, reader->MetricsAfter(0, INT64_MAX, index));
  std::vector<const MetricPoint*> points;
  points.reserve(metric_rows.size());
  for (const auto& [row, id] : metric_rows) points.push_back(&row.point);
  task["metrics"] = LatestMetricsJson(points);
  return task;
}

Result<Json> ClusterServer::Control(const ControlRequest& request) {
  return Call([this, request]() -> Result<Json> {
    const std::string action(ControlActionName(request.action));
    ALLOT_ASSIGN_OR_RETURN(std::vector<TaskRef> refs, ResolveTaskRefs(*scheduler_, request.refs));
    // A task or execution id must take the action, or nothing changes. A pattern acts on its
    // matches that can take it and leaves the others as they are; when none can, nothing
    // changes either.
    std::vector<TaskIndex> act;
    for (size_t i = 0; i < refs.size();) {
      const size_t ref_index = refs[i].ref_index;
      const std::string& ref = request.refs[ref_index];
      Status first_refusal;
      size_t matched = 0;
      const size_t acting = act.size();
      for (; i < refs.size() && refs[i].ref_index == ref_index; ++i, ++matched) {
        Status ok = scheduler_->CheckControl(refs[i].task, request.action, refs[i].attempt);
        if (ok.ok()) {
          act.push_back(refs[i].task);
        } else if (first_refusal.ok()) {
          first_refusal = std::move(ok);
        }
      }
      if (act.size() > acting) continue;
      std::string why = first_refusal.message();
      if (IsGlobPattern(ref)) {
        why = fmt::format("none of the {} task{} it matches can take it ({})", matched,
                          matched == 1 ? "" : "s", why);
      }
      return Status(first_refusal.code(), "cannot " + action + " '" + ref + "': " + why);
    }
    // All checked: apply all. A task named twice is acted on once.
    std::set<TaskIndex> done;
    Json tasks = Json::array();
    for (TaskIndex t : act) {
      if (!done.insert(t).second) continue;
      if (scheduler_->CheckControl(t, request.action).ok()) scheduler_->Control(t, request.action);
      tasks.push_back(TaskJson(t));
    }
    return Json{{"tasks", std::move(tasks)}};
  });
}

Json ClusterServer::UnsuccessfulJson(TaskIndex t) const {
  return {{"id", scheduler_->id(t)},
          {"state", std::string(TaskStateName(scheduler_->state(t)))},
          {"exit_code", scheduler_->attempts(t) > 0 ? Json(scheduler_->last_exit(t)) : Json()},
          {"reason", EndReason(t)}};
}

Json ClusterServer::WaitForJson(const std::vector<TaskIndex>& named) const {
  std::set<TaskIndex> tasks(named.begin(), named.end());
  std::array<int64_t, kTaskStateCount> counts{};
  bool done = true;
  for (TaskIndex t : tasks) {
    ++counts[static_cast<size_t>(scheduler_->state(t))];
    done = done && IsTerminal(scheduler_->state(t));
  }
  Json unsuccessful = Json::array();
  if (done) {
    for (TaskIndex t : tasks) {
      if (scheduler_->state(t) != TaskState::kSucceeded && unsuccessful.size() < 1000) {
        unsuccessful.push_back(UnsuccessfulJson(t));
      }
    }
  }
  return Json{{"done", done}, {"counts", StateCountsJson(counts)}, {"unsuccessful", unsuccessful}};
}

Json ClusterServer::WaitSinceJson(const WaitMark& mark) const {
  // The tasks waited for: index < mark.tasks, not finished at the mark. Finished is final, so
  // those still open are the open ones of the server minus those submitted since; those that
  // failed, were canceled or skipped are the unsuccessful ends since the mark; those that
  // succeeded, the successes since the mark. Costs the tasks submitted and the unsuccessful
  // ends since the wait began, not the campaign's size.
  const auto& all = scheduler_->counts();
  std::array<int64_t, kTaskStateCount> counts{};
  for (int i = 0; i < kTaskStateCount; ++i) {
    if (!IsTerminal(static_cast<TaskState>(i))) counts[i] = all[i];
  }
  const size_t first_new = std::min<size_t>(mark.tasks, scheduler_->task_count());
  int64_t new_succeeded = 0;
  for (TaskIndex t = static_cast<TaskIndex>(first_new); t < scheduler_->task_count(); ++t) {
    const TaskState s = scheduler_->state(t);
    if (!IsTerminal(s)) --counts[static_cast<size_t>(s)];
    if (s == TaskState::kSucceeded) ++new_succeeded;
  }
  const size_t succeeded = static_cast<size_t>(TaskState::kSucceeded);
  counts[succeeded] = std::max<int64_t>(
      0, all[succeeded] - new_succeeded - static_cast<int64_t>(mark.succeeded));
  std::vector<TaskIndex> ended;
  for (size_t i = std::min<size_t>(mark.ends, unsuccessful_order_.size());
       i < unsuccessful_order_.size(); ++i) {
    const TaskIndex t = unsuccessful_order_[i];
    if (t >= mark.tasks) continue;
    ++counts[static_cast<size_t>(scheduler_->state(t))];
    ended.push_back(t);
  }
  bool done = true;
  for (int i = 0; i < kTaskStateCount; ++i) {
    if (!IsTerminal(static_cast<TaskState>(i)) && counts[i] > 0) done = false;
  }
  Json unsuccessful = Json::array();
  if (done) {
    for (TaskIndex t : ended) {
      if (unsuccessful.size() >= 1000) break;
      unsuccessful.push_back(UnsuccessfulJson(t));
    }
  }
  return Json{{"done", done},
              {"counts", StateCountsJson(counts)},
              {"unsuccessful", std::move(unsuccessful)},
              {"since", FormatWaitMark(mark)}};
}

Result<Json> ClusterServer::Wait(const WaitRequest& request) {
  const TimePoint deadline =
      clock_->Now() + std::chrono::microseconds(static_cast<int64_t>(request.timeout_s * 1e6));
  auto since = std::make_shared<std::optional<WaitMark>>(request.since);
  auto check = [this, refs = request.refs, since]() -> Result<Json> {
    if (refs.empty()) {
      if (!*since) {
        *since = WaitMark{scheduler_->task_count(), unsuccessful_order_.size(),
                          static_cast<uint64_t>(scheduler_->counts()[static_cast<size_t>(
                              TaskState::kSucceeded)])};
      }
      return WaitSinceJson(**since);
    }
    ALLOT_ASSIGN_OR_RETURN(std::vector<TaskRef> resolved, ResolveTaskRefs(*scheduler_, refs));
    std::vector<TaskIndex> tasks;
    for (const TaskRef& r : resolved) tasks.push_back(r.task);
    return WaitForJson(tasks);
  };
  while (true) {
    // Whether the tasks are done changes only with a commit: check, then sleep until the next
    // commit after the one the check saw (or the deadline).
    const int64_t seen = loop_->committed_events();
    ALLOT_ASSIGN_OR_RETURN(Json answer, Call(check));
    const TimePoint now = clock_->Now();
    if (answer["done"].get<bool>() || now >= deadline || loop_->closing()) return answer;
    loop_->WaitForCommit(seen, deadline - now);
  }
}

Result<Json> ClusterServer::Events(const EventsRequest& request) {
  const Duration timeout =
      std::chrono::microseconds(static_cast<int64_t>(request.timeout_s * 1e6));
  std::vector<std::pair<MetricRow, std::string>> metrics;
  ALLOT_ASSIGN_OR_RETURN(std::unique_ptr<JournalReader> reader, JournalReader::Open(journal_path_));
  if (!request.after_metric) {
    loop_->WaitForCommit(request.after, timeout);
  } else {
    // Metrics are counted by the loop since it started, not by their journal seq: look first,
    // and wait for the next commit of either only when there is nothing to give yet (each read
    // of the reader sees what is committed by then).
    const int64_t seen_metrics = loop_->committed_metrics();
    ALLOT_ASSIGN_OR_RETURN(metrics, reader->MetricsAfter(*request.after_metric, request.limit));
    if (metrics.empty()) {
      loop_->WaitForCommit(request.after, seen_metrics, timeout);
      ALLOT_ASSIGN_OR_RETURN(metrics, reader->MetricsAfter(*request.after_metric, request.limit));
    }
  }
  ALLOT_ASSIGN_OR_RETURN(std::vector<JournalEventRow> rows,
                         reader->EventsAfter(request.after, request.limit));
  Json events = Json::array();
  int64_t last = request.after;
  for (const JournalEventRow& row : rows) {
    events.push_back(JournalEventRowToJson(row));
    last = row.seq;
  }
  Json answer{{"events", std::move(events)}, {"last", last}};
  if (request.after_metric) {
    Json points = Json::array();
    int64_t last_metric = *request.after_metric;
    for (const auto& [row, id] : metrics) {
      points.push_back(MetricRowToJson(row, id));
      last_metric = row.seq;
    }
    answer["metrics"] = std::move(points);
    answer["last_metric"] = last_metric;
    if (request.after_decision) {
      ALLOT_ASSIGN_OR_RETURN(auto decisions,
                             reader->DecisionsAfter(*request.after_decision, request.limit));
      Json list = Json::array();
      int64_t last_decision = *request.after_decision;
      for (const auto& [row, id] : decisions) {
        list.push_back(DecisionRowToJson(row, id));
        last_decision = row.seq;
      }
      answer["decisions"] = std::move(list);
      answer["last_decision"] = last_decision;
    }
  }
  return answer;
}

Result<LogChunk> ClusterServer::ReadLog(const LogRequest& request) {
  std::string path;
  TaskState state = TaskState::kWaiting;
  ALLOT_RETURN_IF_ERROR(Call([&]() -> Result<Json> {
                          ALLOT_ASSIGN_OR_RETURN(Ref r, Resolve(request.ref));
                          const uint32_t current = scheduler_->attempts(r.task);
                          state = scheduler_->state(r.task);
                          path = output_dir_ + "/" + scheduler_->id(r.task) + "/" +
                                 std::string(LogStreamName(request.stream));
                          if (r.attempt && *r.attempt != current) {
                            if (*r.attempt == 0 || *r.attempt > current) {
                              return Status::NotFound("no execution '" + request.ref + "'");
                            }
                            path += "." + std::to_string(*r.attempt);
                            state = TaskState::kFailed;  // an earlier attempt: it has ended
                          }
                          return Json();
                        }).status());
  LogChunk chunk;
  chunk.state = state;
  chunk.next_offset = request.offset;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return chunk;  // not started yet
    return ErrnoStatus("cannot read " + path, errno);
  }
  constexpr size_t kMaxChunk = 4 << 20;
  chunk.bytes.resize(kMaxChunk);
  ssize_t n = pread(fd, chunk.bytes.data(), kMaxChunk, request.offset);
  int err = errno;
  close(fd);
  if (n < 0) return ErrnoStatus("cannot read " + path, err);
  chunk.bytes.resize(static_cast<size_t>(n));
  chunk.next_offset = request.offset + n;
  return chunk;
}

Result<Json> ClusterServer::ListWorkers() {
  return Call([this]() -> Result<Json> {
    Json out = Json::array();
    for (const auto& [name, p] : channel_->registry().peers()) {
      auto w = scheduler_->workers().find(p.id);
      if (w == scheduler_->workers().end()) continue;
      const ResourceAmounts cap = w->second.pool.Capacity();
      const ResourceAmounts& free = w->second.pool.free();
      out.push_back({{"id", p.id},
                     {"name", p.name},
                     {"host", p.host},
                     {"pid", p.pid},
                     {"state", p.draining ? "draining" : "active"},
                     {"cores", cap.cores},
                     {"free_cores", free.cores},
                     {"memory", cap.memory_bytes},
                     {"gpus", cap.gpus},
                     {"running", w->second.running},
                     {"joined_us", p.joined_us},
                     {"last_seen_us", p.last_seen_us}});
      Json core_busy = Json::array();
      for (int64_t permille : p.node.core_busy_permille) core_busy.push_back(permille / 1000.0);
      out.back()["node"] = {{"cores_busy", p.node.cores_busy_milli / 1000.0},
                            {"core_busy", std::move(core_busy)},
                            {"memory_total", p.node.memory_total},
                            {"memory_available", p.node.memory_available},
                            {"load1", p.node.load1_centi / 100.0}};
      if (!p.slurm_job.empty()) out.back()["slurm_job"] = p.slurm_job;
      // `--executor slurm`: its tasks run as Slurm jobs of their own; its cores are slots.
      const std::string& executor = w->second.pool.machine().executor;
      if (!executor.empty()) out.back()["executor"] = executor;
    }
    for (const PastWorker& p : channel_->registry().past()) {
      out.push_back({{"id", p.id},
                     {"name", p.name},
                     {"host", p.host},
                     {"state", p.state},
                     {"reason", p.reason},
                     {"cores", p.cores},
                     {"free_cores", 0},
                     {"memory", p.memory},
                     {"gpus", p.gpus},
                     {"running", 0},
                     {"joined_us", p.joined_us},
                     {"last_seen_us", p.last_seen_us}});
      if (!p.slurm_job.empty()) out.back()["slurm_job"] = p.slurm_job;
    }
    return Json{{"workers", std::move(out)}};
  });
}

Result<Json> ClusterServer::ControlWorker(const WorkerControlRequest& request) {
  return Call([this, request]() -> Result<Json> {
    const WorkerPeer* p = channel_->registry().FindByRef(request.worker);
    if (p == nullptr) return Status::NotFound("no connected worker '" + request.worker + "'");
    const std::string name = p->name;
    Json info = {{"id", p->id}, {"name", p->name}, {"host", p->host}};
    if (request.action == WorkerAction::kDrain) {
      channel_->Drain(name);
      info["state"] = "draining";
    } else {
      channel_->Stop(name, "worker " + name + " stopped by request; its tasks run again");
      info["state"] = "gone";
    }
    return Json{{"worker", info}};
  });
}

}  // namespace allot

namespace allot {

Result<std::string> ClusterServer::Metrics() {
  std::string text;
  ALLOT_RETURN_IF_ERROR(Call([this, &text]() -> Result<nlohmann::json> {
                          PrometheusText m;
                          m.Header("allot_tasks", "gauge", "Tasks by state.");
                          const auto& c = scheduler_->counts();
                          for (int i = 0; i < kTaskStateCount; ++i) {
                            m.Sample("allot_tasks",
                                     {{"state", std::string(TaskStateName(static_cast<TaskState>(i)))}},
                                     static_cast<double>(c[i]));
                          }
                          m.Header("allot_attempts_total", "counter",
                                   "Attempts that ended since the server started, by how they "
                                   "ended (succeeded, failed, timeout, memory-killed, canceled, "
                                   "preempted, lost).");
                          for (const auto& [state, n] : attempts_ended_) {
                            m.Sample("allot_attempts_total", {{"outcome", state}},
                                     static_cast<double>(n));
                          }
                          m.Header("allot_task_duration_seconds", "histogram",
                                   "Wall time of attempts that ended since the server started.");
                          m.HistogramSamples("allot_task_duration_seconds", {}, task_duration_);
                          m.Header("allot_journal_commit_duration_seconds", "histogram",
                                   "Time to append and commit one loop turn's transitions.");
                          m.HistogramSamples("allot_journal_commit_duration_seconds", {},
                                             loop_->stats().commit_seconds);
                          m.Header("allot_schedule_duration_seconds", "histogram",
                                   "Time of one scheduling pass (timers and placement).");
                          m.HistogramSamples("allot_schedule_duration_seconds", {},
                                             loop_->stats().schedule_seconds);
                          m.Header("allot_journal_events_total", "counter",
                                   "Transitions committed to the journal.");
                          m.Sample("allot_journal_events_total", {},
                                   static_cast<double>(loop_->committed_events()));
                          m.Header("allot_workers", "gauge", "Connected workers.");
                          m.Sample("allot_workers", {},
                                   static_cast<double>(channel_->registry().peers().size()));
                          m.Header("allot_worker_cores", "gauge",
                                   "Cores of each worker: total, allocated to tasks, busy "
                                   "(measured on the node).");
                          PrometheusText mem, gpu;
                          mem.Header("allot_worker_memory_bytes", "gauge",
                                     "Memory of each worker: total, allocated to tasks, used "
                                     "(measured on the node).");
                          gpu.Header("allot_worker_gpus", "gauge",
                                     "GPUs of each worker: total and allocated.");
                          for (const auto& [name, p] : channel_->registry().peers()) {
                            auto w = scheduler_->workers().find(p.id);
                            if (w == scheduler_->workers().end()) continue;
                            const ResourceAmounts cap = w->second.pool.Capacity();
                            const ResourceAmounts& free = w->second.pool.free();
                            m.Sample("allot_worker_cores", {{"worker", name}, {"kind", "total"}},
                                     cap.cores);
                            m.Sample("allot_worker_cores",
                                     {{"worker", name}, {"kind", "allocated"}},
                                     cap.cores - free.cores);
                            m.Sample("allot_worker_cores", {{"worker", name}, {"kind", "busy"}},
                                     p.node.cores_busy_milli / 1000.0);
                            mem.Sample("allot_worker_memory_bytes",
                                       {{"worker", name}, {"kind", "total"}},
                                       static_cast<double>(cap.memory_bytes));
                            mem.Sample("allot_worker_memory_bytes",
                                       {{"worker", name}, {"kind", "allocated"}},
                                       static_cast<double>(cap.memory_bytes - free.memory_bytes));
                            mem.Sample("allot_worker_memory_bytes",
                                       {{"worker", name}, {"kind", "used"}},
                                       static_cast<double>(p.node.memory_total -
                                                           p.node.memory_available));
                            gpu.Sample("allot_worker_gpus", {{"worker", name}, {"kind", "total"}},
                                       cap.gpus);
                            gpu.Sample("allot_worker_gpus",
                                       {{"worker", name}, {"kind", "allocated"}},
                                       cap.gpus - free.gpus);
                          }
                          text = m.text() + mem.text() + gpu.text();
                          return nlohmann::json();
                        }).status());
  return text;
}

}  // namespace allot
