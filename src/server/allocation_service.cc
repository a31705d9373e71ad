#include "server/allocation_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace allot {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxEvents = 10000;
// New work is planned for at most this often; otherwise every `interval`.
constexpr Duration kQuickTick = std::chrono::seconds(1);

int64_t Secs(Duration d) { return d.count() / 1000000; }

Json QueueJson(const AllocationManager::QueueView& v) {
  const AllocQueueConfig& c = v.config;
  Json jobs = Json::array();
  for (const AllocationManager::JobView& j : v.jobs) {
    Json job = {{"id", j.job_id}, {"state", j.state}};
    if (j.end_epoch) job["end_epoch"] = *j.end_epoch;
    jobs.push_back(std::move(job));
  }
  return {{"name", c.name},
          {"kind", "slurm"},
          {"partition", v.slurm.partition},
          {"nodes", v.slurm.nodes},
          {"time_limit_s", Secs(c.time_limit)},
          {"workers_per_alloc", c.workers_per_alloc},
          {"cores_per_worker", c.cores_per_worker},
          {"memory_per_worker", c.memory_per_worker},
          {"gpus_per_worker", c.gpus_per_worker},
          {"min_workers", c.min_workers},
          {"max_workers", c.max_workers},
          {"max_pending", c.max_pending},
          {"idle_timeout_s", Secs(c.idle_timeout)},
          {"min_utilization", c.min_utilization},
          {"end_margin_s", Secs(c.end_margin)},
          {"sbatch_args", v.slurm.extra},
          {"state", v.paused ? "paused" : "active"},
          {"failures", v.failures},
          {"last_error", v.last_error},
          {"reason", v.last_reason},
          {"allocations", std::move(jobs)}};
}

}  // namespace

AllocationService::AllocationService(const Clock* clock, CommandRunner run, Persist persist,
                                     AllocLoopSource source, AllocServiceOptions options)
    : clock_(clock),
      persist_(std::move(persist)),
      source_(std::move(source)),
      options_(std::move(options)),
      events_path_(options_.server_dir + "/alloc-events.jsonl"),
      manager_(clock, std::move(run), options_.allot_binary, options_.server_dir) {}

AllocationService::~AllocationService() { Stop(); }

Status AllocationService::Restore(const std::string& state) {
  LoadEvents();
  std::lock_guard<std::mutex> l(manager_mu_);
  if (!state.empty()) {
    ALLOT_RETURN_IF_ERROR(manager_.Restore(state));
    persisted_ = state;
  }
  has_queues_ = !manager_.List().empty();
  return Status::Ok();
}

void AllocationService::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { ThreadMain(); });
}

void AllocationService::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AllocationService::ThreadMain() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait(l, [this] { return stop_ || pending_.has_value(); });
    if (stop_) return;
    Snapshot snap = std::move(*pending_);
    pending_.reset();
    l.unlock();
    {
      std::lock_guard<std::mutex> m(manager_mu_);
      manager_.Tick(snap.waiting, snap.by_job);
      Status s = Publish();
      if (!s.ok()) {
        fmt::print(stderr, "allot: cannot journal the allocations: {}\n", s.ToString());
      }
    }
    l.lock();
  }
}

std::map<std::string, JobWorkers> AllocationService::ByJob(TimePoint now) {
  std::map<std::string, JobWorkers> by_job;
  std::set<std::string> busy;
  std::set<uint64_t> seen;
  for (const AllocWorkerView& w : source_.workers()) {
    seen.insert(w.id);
    TimePoint idle = now;
    if (w.running > 0) {
      idle_since_.erase(w.id);
    } else {
      idle = idle_since_.emplace(w.id, now).first->second;
    }
    if (w.slurm_job.empty()) continue;
    JobWorkers& j = by_job[w.slurm_job];
    ++j.connected;
    if (w.running > 0) {
      busy.insert(w.slurm_job);
    } else if (!j.idle_since || *j.idle_since < idle) {
      j.idle_since = idle;  // all idle since the last of them became idle
    }
  }
  for (auto it = idle_since_.begin(); it != idle_since_.end();) {
    it = seen.count(it->first) > 0 ? std::next(it) : idle_since_.erase(it);
  }
  for (const std::string& job : busy) by_job[job].idle_since.reset();
  return by_job;
}

Status AllocationService::Publish() {
  std::vector<AllocEvent> events = manager_.TakeEvents();
  if (!events.empty()) AppendEvents(events);
  std::string state = manager_.State();
  has_queues_ = !manager_.List().empty();
  if (state == persisted_) return Status::Ok();
  ALLOT_RETURN_IF_ERROR(persist_(state));
  persisted_ = std::move(state);
  return Status::Ok();
}

void AllocationService::LoadEvents() {
  std::ifstream in(events_path_);
  std::string line;
  std::lock_guard<std::mutex> l(events_mu_);
  while (std::getline(in, line)) {
    Json e = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (e.is_discarded() || !e.contains("seq")) continue;  // a line cut short by a crash
    last_seq_ = std::max(last_seq_, e["seq"].get<int64_t>());
    events_.push_back(std::move(e));
    if (events_.size() > kMaxEvents) events_.pop_front();
  }
}

void AllocationService::AppendEvents(const std::vector<AllocEvent>& events) {
  std::string text;
  std::lock_guard<std::mutex> l(events_mu_);
  for (const AllocEvent& e : events) {
    Json j = {{"seq", ++last_seq_},     {"time_us", e.time_us}, {"queue", e.queue},
              {"kind", e.kind},         {"job", e.job_id},      {"reason", e.reason}};
    text += j.dump() + "\n";
    events_.push_back(std::move(j));
    if (events_.size() > kMaxEvents) events_.pop_front();
  }
  const int fd = open(events_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  close(fd);
}

Result<Json> AllocationService::Add(const AllocAddRequest& request) {
  std::lock_guard<std::mutex> m(manager_mu_);
  if (request.dry_run) {
    ALLOT_ASSIGN_OR_RETURN(std::string said, manager_.DryRun(request.config, request.slurm));
    return Json{{"dry_run", true}, {"queue", request.config.name}, {"slurm", said}};
  }
  ALLOT_RETURN_IF_ERROR(manager_.AddQueue(request.config, request.slurm));
  ALLOT_RETURN_IF_ERROR(Publish());
  tick_now_ = true;
  for (const AllocationManager::QueueView& v : manager_.List()) {
    if (v.config.name == request.config.name) return Json{{"queue", QueueJson(v)}};
  }
  return Status::Internal("queue '" + request.config.name + "' vanished");
}

Result<Json> AllocationService::List() {
  std::lock_guard<std::mutex> m(manager_mu_);
  Json queues = Json::array();
  for (const AllocationManager::QueueView& v : manager_.List()) queues.push_back(QueueJson(v));
  return Json{{"queues", std::move(queues)}};
}

Result<Json> AllocationService::Control(const std::string& queue, const std::string& action,
                                        bool force) {
  std::lock_guard<std::mutex> m(manager_mu_);
  if (action == "pause") {
    ALLOT_RETURN_IF_ERROR(manager_.Pause(queue));
  } else if (action == "resume") {
    ALLOT_RETURN_IF_ERROR(manager_.Resume(queue));
  } else if (action == "remove") {
    ALLOT_RETURN_IF_ERROR(manager_.Remove(queue, force));
  } else {
    return Status::InvalidArgument(
        fmt::format("unknown action '{}' (accepted: pause, resume, remove)", action));
  }
  ALLOT_RETURN_IF_ERROR(Publish());
  tick_now_ = true;
  return Json{{"queue", queue}, {"action", action}};
}

Result<Json> AllocationService::Events(const std::string& queue, int64_t since, size_t limit) {
  std::lock_guard<std::mutex> l(events_mu_);
  Json out = Json::array();
  for (const Json& e : events_) {
    if (e["seq"].get<int64_t>() <= since) continue;
    if (!queue.empty() && e["queue"] != queue) continue;
    if (out.size() >= limit) break;
    out.push_back(e);
  }
  return Json{{"events", std::move(out)}, {"last", last_seq_}};
}

void AllocationService::OnTurn() {
  if (!has_queues_) return;
  const TimePoint now = clock_->Now();
  std::map<std::string, JobWorkers> by_job = ByJob(now);  // every turn: idle times stay exact
  bool due = now >= next_tick_ || tick_now_.exchange(false);
  if (!due && now >= last_quick_ + kQuickTick) {
    // Work that starts waiting is planned for within a second, not an interval.
    last_quick_ = now;
    const size_t ready = source_.ready_count();
    due = ready > last_ready_;
    last_ready_ = ready;
  }
  if (!due) return;
  next_tick_ = now + options_.interval;
  Snapshot snap{source_.waiting(), std::move(by_job)};
  last_ready_ = snap.waiting.size();
  {
    std::lock_guard<std::mutex> l(mu_);
    pending_ = std::move(snap);  // a snapshot not planned yet is replaced by the newer one
  }
  cv_.notify_one();
}

std::optional<TimePoint> AllocationService::NextDue() const {
  if (!has_queues_) return std::nullopt;
  // Idle times need turns to be exact only to the interval's precision.
  return next_tick_;
}

}  // namespace allot
