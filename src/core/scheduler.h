// Scheduler: the deterministic state machine at the heart of Allot. Events go in (tasks
// submitted, workers joined or lost, attempt exited, launch failed, timers due, a person's
// cancel/pause/resume/skip, stop requested); commands come out through the Outbox (persist,
// launch on a worker, signal). It reads time only from the injected Clock, and does no I/O:
// tests drive it with a FakeClock and play the workers themselves.
//
// Workers: each has its own ResourcePool; a placement never spans workers. The embedded form
// (`allot run`) is one fixed worker, 0, and refuses tasks that can never fit it. In cluster
// mode workers come and go: a task no current worker can fit waits ("no worker has ...").
//
// Every state change goes through Transition(), which checks the one transition table of
// model/task_state.h and emits exactly one TaskEvent. Replaying those events (Recover)
// rebuilds the same states.
//
// Thread-compatible: one owner (the server's event loop thread) calls everything.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "core/control_action.h"
#include "core/outbox.h"
#include "core/policy/scheduling_policy.h"
#include "core/profile/profile_learner.h"
#include "core/ready_queue.h"
#include "core/resource_pool.h"
#include "core/timer_queue.h"
#include "model/machine.h"
#include "model/submission.h"

namespace allot {

// An attempt a (re-)registering worker says it is running.
struct ReportedAttempt {
  ExecutionId execution = 0;
  std::vector<int> cpus;
  std::vector<int> gpus;
  int64_t memory_bytes = 0;
};

// How Recover settles the attempts the journal says were running.
enum class RecoverMode {
  kEndInterrupted,  // embedded: nothing survived, they are lost and run again
  kAwaitWorkers,    // cluster: they stay running, unattached, until a worker reports them
                    // (AddWorker) or ExpireUnattached() gives up on them
};

struct SchedulerOptions {
  int max_running = 0;     // most attempts running at once; 0: no limit (--max-workers)
  int backfill_depth = 256;
  int crash_limit = 5;     // times an attempt may be lost/preempted before the task fails
};

// Totals over every attempt that ended, for summaries.
struct CampaignTotals {
  Duration cpu{0};         // user + sys of all attempts
  Duration task_wall{0};   // sum of attempt wall times
  uint64_t attempts_ended = 0;
};

class Scheduler {
 public:
  // The embedded form: one fixed worker (id 0, no name) with `machine`. `clock` must outlive
  // the scheduler. `policy` defaults to PriorityBackfillPolicy.
  Scheduler(const Clock* clock, Machine machine, SchedulerOptions options,
            std::unique_ptr<SchedulingPolicy> policy = nullptr);
  // Cluster mode: no workers until AddWorker.
  Scheduler(const Clock* clock, SchedulerOptions options,
            std::unique_ptr<SchedulingPolicy> policy = nullptr);
  ~Scheduler();

  // Accepts tasks: assigns the next dense indices, links dependencies (on earlier and on new
  // tasks), sets initial states (waiting, ready, or skipped when a dependency already failed)
  // and emits their Submissions. InvalidArgument, changing nothing, for a duplicate id, an
  // unknown dependency, a cycle, or (embedded form only) a request that can never fit the
  // machine. A dependency on a task a person skipped counts as met.
  Status Submit(std::vector<TaskSpec> specs);

  // Rebuilds state from a journal's contents. REQUIRES: nothing submitted yet. Attempts that
  // were running (or paused) when the journal ended are ended as lost and go back to ready
  // (failed past the crash limit); preempted ones go back to ready; retries waiting on a
  // backoff become ready. Emits the events for those changes. Corruption on an impossible
  // transition or an unknown task.
  Status Recover(std::span<const Submission> submissions, std::span<const TaskEvent> events,
                 RecoverMode mode = RecoverMode::kEndInterrupted);

  // A worker joined (or re-joined after a server restart or a partition) with `machine`.
  // Each attempt it reports running that the scheduler holds unattached (after
  // Recover(kAwaitWorkers)) is attached to it and its resources claimed; any other reported
  // attempt is killed (a SIGKILL order to this worker). AlreadyExists for a known id.
  Status AddWorker(WorkerId id, std::string name, Machine machine,
                   std::span<const ReportedAttempt> running = {});
  // The worker is gone: its attempts become lost and go back to ready with attempt + 1
  // (failed past the crash limit; canceled when a cancel was pending). Unknown ids: no-op.
  void RemoveWorker(WorkerId id, const std::string& reason);
  // No new attempts go to the worker; the running ones finish. Unknown ids: no-op.
  void DrainWorker(WorkerId id);
  // Attempts recovered as running that no worker has reported: lost, and run again.
  void ExpireUnattached(const std::string& reason);
  bool HasUnattached() const;

  // OK when `action` applies to the task now, else FailedPrecondition saying why (e.g.
  // "task 'a' is succeeded; only a waiting or ready task can be skipped"). `attempt`, when
  // set (the ref was an execution id), must be the current attempt of a running or paused
  // task.
  Status CheckControl(TaskIndex t, ControlAction action,
                      std::optional<uint32_t> attempt = std::nullopt) const;
  // Applies it. REQUIRES: CheckControl(t, action) is OK. cancel: waiting/ready -> canceled
  // at once (dependents skipped); running/paused -> SIGTERM (SIGCONT first when paused),
  // SIGKILL after the grace period, canceled when it exits. pause: running -> paused, SIGSTOP.
  // resume: paused -> running, SIGCONT. skip: waiting/ready -> skipped, dependents proceed as
  // if it had succeeded. Cancel of a task already being canceled changes nothing.
  void Control(TaskIndex t, ControlAction action);

  // An attempt's process group leader exited. Unknown executions are ignored.
  void OnAttemptExited(ExecutionId execution, const AttemptUsage& usage);
  // The same, with the reason the worker could not start it (a failed attempt).
  void OnAttemptExited(ExecutionId execution, const AttemptUsage& usage,
                       const std::string& launch_error);
  // The attempt's worker does not have it (its launch never arrived): lost, and it runs again
  // with attempt + 1 (failed past the crash limit). Unknown executions are ignored.
  void OnAttemptLost(ExecutionId execution, const std::string& reason);
  // The launcher could not start an attempt; it counts as a failed attempt.
  void OnLaunchFailed(ExecutionId execution, const Status& why);
  // Fires every timer due at Clock::Now().
  void OnTimersDue();
  // Stops dispatching. First call: SIGTERM to every running attempt, SIGKILL after its grace
  // period. kill_now: SIGKILL at once. Attempts that end because of it become preempted.
  void Stop(bool kill_now);
  // Starts what the policy chooses. Cheap when nothing changed since the last call.
  void Schedule();

  Outbox* outbox() { return &outbox_; }
  std::optional<TimePoint> NextDeadline() const { return timers_.NextDue(); }
  // Every task is terminal, or Stop() was called and no attempt runs any more.
  bool Done() const;
  bool stopping() const { return stopping_; }

  size_t task_count() const { return specs_.size(); }
  // The task's spec. Once the task is terminal, only id, resources, limits and priority are
  // kept (command, env, tags, workdir and depends_on are released; the journal has them).
  const TaskSpec& spec(TaskIndex t) const { return specs_[t]; }
  TaskState state(TaskIndex t) const { return tasks_[t].state; }
  uint32_t attempts(TaskIndex t) const { return tasks_[t].attempts; }
  // Exit code of the last ended attempt, -signal when killed, 0 when none.
  int last_exit(TaskIndex t) const { return tasks_[t].last_exit; }
  std::optional<TaskIndex> Find(const std::string& id) const;
  const std::array<int64_t, kTaskStateCount>& counts() const { return counts_; }
  const CampaignTotals& totals() const { return totals_; }
  size_t running() const { return running_.size(); }
  // The embedded form's pool (worker 0). REQUIRES: worker 0 exists.
  const ResourcePool& pool() const { return workers_.at(0).pool; }

  struct WorkerSlot {
    WorkerId id = 0;
    std::string name;
    ResourcePool pool;
    bool draining = false;
    int running = 0;  // attempts running or paused on it
  };
  const std::map<WorkerId, WorkerSlot>& workers() const { return workers_; }
  // What the attempts that ended so far taught, per profile (model/task_profile.h).
  const ProfileStore& profiles() const { return learner_.store(); }
  // The worker of the task's running or paused attempt: kNoWorker when unattached; none when
  // the task is not running.
  std::optional<WorkerId> WorkerOf(TaskIndex t) const;
  // True when the running attempt of `t` is being canceled.
  bool CancelPending(TaskIndex t) const;
  // For people: why a non-running task is not running ("waiting for sim-3 (running)",
  // "needs 4 cores, 2 free", "retry 2 of 3 after backoff", ...).
  std::string WhyWaiting(TaskIndex t) const;

 private:
  struct TaskRecord {
    TaskState state = TaskState::kWaiting;
    uint32_t attempts = 0;   // attempts started so far (durable: transitions into running)
    uint32_t unmet = 0;      // dependencies not succeeded yet
    uint16_t crashes = 0;    // attempts lost or preempted
    uint16_t memory_retries = 0;  // attempts killed at their memory limit and given more
    int32_t last_exit = 0;
    bool skipped_by_user = false;  // dependents treat it as succeeded
    bool learn_estimate = false;   // no time_estimate of its own: its profile's P90 is used
  };
  struct Running {
    ExecutionId execution = 0;
    Allocation allocation;
    TimePoint started;
    bool term_sent = false;
    bool timed_out = false;
    bool stop_sent = false;
    bool cancel_sent = false;
    WorkerId worker = 0;
  };

  void Transition(TaskIndex t, TaskState to, std::string reason,
                  const AttemptUsage* usage = nullptr, const Allocation* allocation = nullptr);
  void Start(TaskIndex t, int cores, WorkerSlot& worker);
  // Records an ended attempt in its profile.
  void Learn(TaskIndex t, const Allocation& held, const AttemptUsage& usage, bool succeeded);
  // A task about to be ready takes its profile's learned memory (memory: auto, not yet set)
  // and time estimate (none of its own), once the profile has enough history.
  void ApplyLearned(TaskIndex t);
  void ScheduleOn(WorkerId id, WorkerSlot& worker, int* slots);
  // The attempts running on `worker`, for the policy's reservation.
  std::vector<RunningView> RunningOn(WorkerId worker) const;
  // Ends the running entry `it` as lost (or canceled/failed) after its worker went away.
  void LoseAttempt(TaskIndex t, const std::string& reason);
  void ReleaseAllocation(const Running& r);
  void Signal(const Running& r, int signal);
  // True when `dep` lets its dependents run: succeeded, or skipped by a person.
  bool Satisfies(TaskIndex dep) const;
  void SatisfyDependents(TaskIndex t);
  std::string NoWorkerFits(const ResourceRequest& r) const;
  void EndAttempt(TaskIndex t, const AttemptUsage& usage, const std::string& launch_error);
  // After an attempt killed at its memory limit: true when the task got more memory and is
  // ready again; else false, with *what saying why it could not grow.
  bool GrowMemory(TaskIndex t, const Running& r, const AttemptUsage& usage, std::string* what);
  // The most memory the task may grow to: memory_max, capped by the largest worker.
  int64_t MemoryCap(TaskIndex t) const;
  void Succeed(TaskIndex t, const AttemptUsage& usage);
  void Fail(TaskIndex t, std::string reason, const AttemptUsage* usage);
  void SkipDescendants(TaskIndex failed);
  void ReleaseDetails(TaskIndex t);
  void OnTimer(const Timer& timer);
  // The dependencies of a batch of new tasks, resolved to indices once: those of batch task i
  // are deps[first[i] .. first[i + 1]).
  struct ResolvedDeps {
    std::vector<TaskIndex> deps;
    std::vector<uint32_t> first;
  };
  // Checks a batch (duplicate ids, fit, unknown dependencies, cycles) and enters its ids into
  // index_by_id_ with the indices the batch will get. On error removes them again, so the
  // scheduler is unchanged.
  Status IndexNewTasks(const std::vector<TaskSpec>& specs, ResolvedDeps* resolved);
  Status CheckBatchCycles(const std::vector<TaskSpec>& specs, const ResolvedDeps& resolved) const;
  // Appends the batch. push_ready: put ready tasks into ready_ (Recover builds it at the end).
  void AddTasks(std::vector<TaskSpec> specs, const ResolvedDeps& resolved,
                std::vector<TaskState>* initial, bool push_ready);

  const Clock* clock_;
  SchedulerOptions options_;
  std::unique_ptr<SchedulingPolicy> policy_;
  ProfileLearner learner_;      // learned from every attempt that ended (and the journal's)
  bool fixed_machine_ = false;  // embedded form: worker 0 only, unfittable tasks refused
  std::map<WorkerId, WorkerSlot> workers_;

  std::vector<TaskSpec> specs_;
  std::vector<TaskRecord> tasks_;
  std::vector<std::vector<TaskIndex>> dependents_;
  std::unordered_map<std::string, TaskIndex> index_by_id_;
  std::unordered_map<TaskIndex, Running> running_;
  ReadyQueue ready_;
  TimerQueue timers_;
  std::array<int64_t, kTaskStateCount> counts_{};
  CampaignTotals totals_;
  Outbox outbox_;
  std::optional<Blocked> blocked_;
  bool dirty_ = true;      // something changed that may let a task start
  bool stopping_ = false;
  int64_t terminal_ = 0;
  std::vector<Choice> choices_;  // scratch
};

}  // namespace allot
