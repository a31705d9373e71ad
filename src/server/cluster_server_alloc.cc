// ClusterServer: automatic allocations (allocation_service.h), `allot alloc`.
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "exec/captured_command.h"
#include "server/cluster_server.h"

namespace allot {
namespace {

constexpr const char* kAllocMetaKey = "alloc_queues";
constexpr size_t kWaitingLimit = 100000;

std::string SelfExe() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("allot");
}

CommandOutput RunSlurmCommand(const std::vector<std::string>& argv, const std::string& in) {
  CapturedOutput r = RunCaptured(argv, in, std::chrono::seconds(60));
  return {r.exit_code, std::move(r.out), std::move(r.err)};
}

}  // namespace

Status ClusterServer::OpenAllocations() {
  AllocLoopSource source;
  source.workers = [this] {
    std::vector<AllocWorkerView> out;
    for (const auto& [name, p] : channel_->registry().peers()) {
      auto w = scheduler_->workers().find(p.id);
      if (w == scheduler_->workers().end()) continue;
      out.push_back({p.id, p.slurm_job, w->second.running});
    }
    return out;
  };
  source.ready_count = [this] { return scheduler_->ReadyCount(); };
  source.waiting = [this] { return scheduler_->WaitingWork(kWaitingLimit); };
  auto persist = [this](const std::string& state) -> Status {
    Result<nlohmann::json> done = loop_->Call([this, state]() -> Result<nlohmann::json> {
      scheduler_->outbox()->meta.emplace_back(kAllocMetaKey, state);
      return nlohmann::json::object();
    });
    return done.status();
  };
  AllocServiceOptions o;
  char real[PATH_MAX];
  o.server_dir = realpath(options_.dir.c_str(), real) != nullptr ? real : options_.dir;
  o.allot_binary = SelfExe();
  o.interval = options_.alloc_interval;
  alloc_ = std::make_unique<AllocationService>(clock_, RunSlurmCommand, std::move(persist),
                                               std::move(source), std::move(o));
  // An idle allocation is drained before it is cancelled, so that nothing placed on its
  // workers in the meantime is lost with them; one that got work is kept.
  alloc_->set_release_guard([this](const std::string& job) {
    Result<nlohmann::json> may = loop_->Call([this, job]() -> Result<nlohmann::json> {
      std::vector<WorkerId> ids;
      for (const auto& [name, p] : channel_->registry().peers()) {
        if (p.slurm_job != job) continue;
        auto w = scheduler_->workers().find(p.id);
        if (w != scheduler_->workers().end() && w->second.running > 0) return nlohmann::json(false);
        ids.push_back(p.id);
      }
      for (WorkerId id : ids) scheduler_->DrainWorker(id);
      return nlohmann::json(true);
    });
    return may.ok() && may->is_boolean() && may->get<bool>();
  });
  ALLOT_ASSIGN_OR_RETURN(std::optional<std::string> state, journal_->GetMeta(kAllocMetaKey));
  Status restored = alloc_->Restore(state.value_or(""));
  if (!restored.ok()) return restored.WithPrefix("the journal's allocation queues");
  loop_->AddObserver(alloc_.get());
  return Status::Ok();
}

Result<nlohmann::json> ClusterServer::AllocAdd(const AllocAddRequest& request) {
  return alloc_->Add(request);
}

Result<nlohmann::json> ClusterServer::AllocList() { return alloc_->List(); }

Result<nlohmann::json> ClusterServer::AllocControl(const AllocControlRequest& request) {
  return alloc_->Control(request.queue, request.action, request.force);
}

Result<nlohmann::json> ClusterServer::AllocEvents(const AllocEventsRequest& request) {
  return alloc_->Events(request.queue, request.since, request.limit);
}

}  // namespace allot
