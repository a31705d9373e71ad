// Scheduler: the deterministic state machine at the heart of Allot. Events go in (tasks
// submitted, workers joined or lost, attempt exited, launch failed, timers due, a person's
// cancel/pause/resume/skip, stop requested); commands come out through the Outbox (persist,
// launch on a worker, signal). It reads time only from the injected Clock, and does no I/O:
// tests drive it with a FakeClock and play the workers themselves.
//
// It coordinates parts that each have their own header and tests:
//   TaskTable (task_table.h)       ids, specs of unfinished tasks, records, counts per state
//   TaskGraph (task_graph.h)       dependents, unmet dependencies, cycles in a new batch
//   DecideOutcome (attempt_outcome.h)  success / retry / more memory / failure of an attempt
//   SchedulingPolicy (policy/)     which ready tasks start on a worker's free resources
//   ResourcePool (resource_pool.h) exact cores, memory, GPUs of one worker
//   ProfileLearner (profile/)      what ended attempts teach, applied to ready tasks
//   EventReplay (event_replay.h)   journal events folded back into records on Recover
// and keeps the rest: the ready queue, timers, running attempts, workers, the Outbox.
// Files: scheduler.cc (submission, transitions, attempts, timers), scheduler_placement.cc,
// scheduler_recover.cc, scheduler_workers.cc, scheduler_control.cc.
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
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "core/scenario/scenario_board.h"
#include "core/campaign_totals.h"
#include "core/control_action.h"
#include "core/event_fold.h"
#include "core/fair_share.h"
#include "core/autoalloc/allocation_planner.h"
#include "core/outbox.h"
#include "core/policy/priority_backfill_policy.h"
#include "core/policy/scheduling_policy.h"
#include "core/forecast/forecast_input.h"
#include "core/profile/profile_learner.h"
#include "core/ready_queue.h"
#include "core/resource_pool.h"
#include "core/task_graph.h"
#include "core/task_table.h"
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
  // How long a blocked head lets tasks that might delay it backfill, in multiples of its
  // expected run time (core/policy/priority_backfill_policy.h); 0: strict EASY.
  double backfill_patience = PriorityBackfillPolicy::kDefaultPatience;
  int crash_limit = 5;     // times an attempt may be lost/preempted before the task fails
  // When the allocation ends (--end-time, the Slurm job's end): a task whose expected run time
  // (estimate, learned, else limit) would reach past it is not started (policy EndsTooLate).
  // None: never.
  std::optional<TimePoint> ends_at;
  // Preemption (scheduler_placement.cc, MaybePreempt): when the highest-priority ready task has
  // waited this long for resources, running `preemptible` tasks of lower priority (not
  // `protected`, past their min_runtime) that free enough for it on one worker are stopped, a
  // checkpointing one with its checkpoint signal and grace, and requeued. None: never.
  std::optional<Duration> preempt_after = std::chrono::minutes(5);
  // Fair share between projects (tags.project; core/fair_share.h): their weights (a project
  // not named weighs 1) and how fast usage is forgotten. Empty weights: off (tasks of equal
  // priority start first come, first served).
  std::map<std::string, double> share_weights;
  Duration share_half_life = std::chrono::hours(1);
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
  // Recover in steps, for a journal read in pieces (JournalStore::LoadForRecovery):
  // BeginRecover with every submission, ReplayRecovered with the events in order (in any number
  // of pieces), then FinishRecover; Recover is the three at once. `finished[t]`: the events end
  // task t for good, so its submission may be brief (Submission::brief); Corruption when the
  // events say otherwise. The specs of unfinished tasks are moved out of `submissions`.
  // REQUIRES: `submissions` stay valid until the last ReplayRecovered.
  Status BeginRecover(std::span<Submission> submissions, const std::vector<bool>& finished,
                      RecoverMode mode = RecoverMode::kEndInterrupted);
  // The same with the loader's own vector, which the scheduler may keep: the specs of
  // unfinished tasks then stay where they were decoded (TaskTable::CommitRecovered).
  Status BeginRecoverShared(std::shared_ptr<std::vector<Submission>> submissions,
                            const std::vector<bool>& finished,
                            RecoverMode mode = RecoverMode::kEndInterrupted);
  Status ReplayRecovered(std::span<const TaskEvent> events);
  Status FinishRecover();

  // A worker joined (or re-joined after a server restart or a partition) with `machine`.
  // Each attempt it reports running that the scheduler holds unattached (after
  // Recover(kAwaitWorkers)) is attached to it and its resources claimed; any other reported
  // attempt is killed (a SIGKILL order to this worker). AlreadyExists for a known id.
  Status AddWorker(WorkerId id, std::string name, Machine machine,
                   std::span<const ReportedAttempt> running = {});
  // The worker is gone: its attempts become lost and go back to ready with attempt + 1
  // (failed past the crash limit; canceled when a cancel was pending). Unknown ids: no-op.
  void RemoveWorker(WorkerId id, const std::string& reason);
  // No new attempts go to the worker; the running ones finish, but for those of tasks with a
  // checkpoint contract: they get their checkpoint signal and run again elsewhere (preempted).
  // Unknown ids, and a worker already draining: no-op.
  void DrainWorker(WorkerId id);
  // The worker's allocation ends (it stops then: `allot worker start --end-time`, a Slurm
  // job's end): tasks that would not end by then are not started there, and checkpointing
  // ones get their last checkpoint signal CheckpointLead before it. Unknown ids: nothing.
  void SetWorkerEnd(WorkerId id, TimePoint ends_at);
  // How long before its allocation's end a checkpointing task is asked for its last checkpoint:
  // twice the longest a checkpoint of it took (signal to sealed exit), else of any task of the
  // campaign; 0 with no checkpoint taken yet (then the stop at the end asks, with its grace)
  // or for a task that does not checkpoint.
  Duration CheckpointLead(TaskIndex t) const;
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
  // resume: paused -> running, SIGCONT. skip: waiting/ready/held -> skipped, dependents
  // proceed as if it had succeeded. hold: waiting/ready -> held (never started while held).
  // release: held -> ready, or waiting while dependencies are unfinished. Cancel of a task
  // already being canceled changes nothing.
  void Control(TaskIndex t, ControlAction action);

  // Requeue (Slurm's `scontrol requeue`; core/scheduler_requeue.cc): a failed or canceled task
  // runs again with a fresh retry budget; its attempts go on (the next is attempt + 1), and the
  // dependents skipped because of it wait for it again.
  // OK when `t` may be requeued (failed or canceled), else FailedPrecondition naming it.
  Status CheckRequeue(TaskIndex t) const;
  // The tasks a requeue of `roots` may bring back: the roots (once each, in order), then every
  // task skipped because of a failure (which of them depend on the roots only their specs
  // say: a finished task recovered from a journal keeps no edges). Their specs are the
  // caller's to read (the journal's): finished tasks hold none here. O(tasks).
  std::vector<TaskIndex> RequeueSet(std::span<const TaskIndex> roots) const;
  // Requeues `roots`. `specs` holds the spec of every task of RequeueSet(roots). A root goes to
  // ready (its dependencies met) or waiting; a skipped dependent to waiting, unless another
  // of its dependencies is still finished without success (it stays skipped). Each is one
  // event, by_user. *requeued (may be null) gets the tasks that came back. FailedPrecondition,
  // changing nothing, when a root may not be requeued or depends on a task that failed (or was
  // canceled) and is not requeued with it.
  Status Requeue(std::span<const TaskIndex> roots, std::unordered_map<TaskIndex, TaskSpec> specs,
                 std::vector<TaskIndex>* requeued = nullptr);

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
  // A metric a running attempt reported (model/metric_point.h; its task and attempt are those
  // of `execution`): journaled with the turn's events (Outbox::metrics), kept as the task's
  // latest of its name, and observed by the campaign's scenario policy. Ignored for an
  // execution that is not running. `index`: its place among the attempt's metrics (1, 2, ...)
  // when the worker numbers them; one at or below the last taken is a resend and ignored
  // (workers send an attempt's metrics again after a server restart). 0: taken as it comes.
  void OnMetric(ExecutionId execution, MetricPoint point, int64_t index = 0);
  // The task's latest point of each metric name, in the order the names first came; null
  // when it reported none (since this scheduler started: a resumed one has those of the
  // journal only when RestoreMetrics was given them).
  const std::vector<MetricPoint>* LatestMetrics(TaskIndex t) const;
  // The ready tasks waiting for room, in queue order, at most `limit` of them: what automatic
  // allocations plan for (core/autoalloc/allocation_planner.h). Each gives its minimum cores,
  // memory, GPUs, expected run time (its estimate, what its profile learned, else its time
  // limit; 0 when none) and the queue it names (`tags.queue`; "" for any).
  std::vector<WaitingTask> WaitingWork(size_t limit);
  // How many tasks are ready (waiting for room). O(1).
  size_t ReadyCount() const { return ready_.size(); }
  // The journal's metrics, in order, after Recover: the latest ones and the scenario policy's
  // state are rebuilt from them (nothing is journaled again; what the policy decided is
  // applied again: priorities, and stops of what was not canceled yet).
  // `scenario_of`: the scenario of a task whose spec the scheduler no longer holds (finished
  // before the restart); "" for none.
  void RestoreMetrics(std::span<const MetricPoint> points,
                      const std::function<std::string(TaskIndex)>& scenario_of);
  // The campaign's scenario policy (model/scenario_policy_spec.h, core/scenario/
  // scenario_board.h): from now on each metric of a task tagged `scenario` is observed, and
  // what the policy decides applies at once, in the same turn:
  //  - a priority offset: every unfinished task of the scenario runs at its own priority plus
  //    the offset (ready ones move in the queue; tasks submitted later get it too); under a
  //    promise policy an elastic task (cores {min, max}) not yet running may take up to
  //    min + (max - min) * offset / priority_range cores: the best scenario all it asked for,
  //    the worst its minimum;
  //  - a stop: its unfinished tasks are canceled (running ones get SIGTERM, SIGKILL after
  //    their grace period), with the policy's reason; their dependents are skipped.
  // Each change is in Outbox::scenario_decisions (journaled); the policy itself goes to
  // Outbox::meta ("scenario_policy"), so a restart finds it (server/scenario_recovery.h). Any
  // time: the tasks already there are indexed by their scenario at the next decision.
  void SetScenarioPolicy(const ScenarioPolicySpec& spec);
  // Null without a policy.
  const ScenarioBoard* scenario_board() const { return board_.get(); }
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

  size_t task_count() const { return tasks_.size(); }
  const std::string& id(TaskIndex t) const { return tasks_.id(t); }
  // The task's spec. REQUIRES: the task is not terminal (a finished task's spec is released;
  // the journal has it): use id() and brief() for those.
  const TaskSpec& spec(TaskIndex t) const { return tasks_.spec(t); }
  // The files t's dependencies produced of their declared outputs, in depends_on order (each
  // producer's in the order it matched them): what its launch gives it as $ALLOT_INPUTS and
  // {dep.outputs} (model/outputs_spec.h). REQUIRES: t has its spec (it is not finished).
  std::vector<std::string> InputsOf(TaskIndex t) const;
  // What t's dependencies returned, {"<dep id>": result, ...} in depends_on order
  // (model/task_result.h); "" when none returned anything. REQUIRES: t has its spec.
  std::string DepResultsOf(TaskIndex t) const;
  bool has_spec(TaskIndex t) const { return tasks_.has_spec(t); }
  // Priority, cores and memory of any task, finished or not.
  TaskBrief brief(TaskIndex t) const { return tasks_.brief(t); }
  TaskState state(TaskIndex t) const { return tasks_.state(t); }
  uint32_t attempts(TaskIndex t) const { return tasks_.record(t).attempts; }
  // Exit code of the last ended attempt, -signal when killed, 0 when none.
  int last_exit(TaskIndex t) const { return tasks_.record(t).last_exit; }
  bool last_timed_out(TaskIndex t) const { return tasks_.record(t).last_timed_out; }
  std::optional<TaskIndex> Find(std::string_view id) const { return tasks_.Find(id); }
  const std::array<int64_t, kTaskStateCount>& counts() const { return tasks_.counts(); }
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
    std::optional<TimePoint> ends_at;  // SetWorkerEnd
  };
  const std::map<WorkerId, WorkerSlot>& workers() const { return workers_; }
  // Each project's weight, share, decayed usage (with the attempts under way, counted at their
  // expected length) and factor; empty when fair share is off.
  std::vector<ProjectShare> FairShareTable() const;
  // What the attempts that ended so far taught, per profile (model/task_profile.h).
  const ProfileStore& profiles() const { return learner_.store(); }
  // The unfinished tasks (queued, running and paused; running ones with their elapsed time
  // at Clock::Now() and their worker) and the workers, as a forecast input: with profiles(),
  // what RunForecast needs for a live ETA (core/scheduler_forecast.cc). O(tasks).
  ForecastInput ForecastSnapshot() const;
  // The executions of the attempts running or paused now, in no particular order. O(running).
  std::vector<ExecutionId> RunningExecutions() const {
    std::vector<ExecutionId> out;
    out.reserve(running_.size());
    for (const auto& [t, r] : running_) out.push_back(r.execution);
    return out;
  }
  // The worker of the task's running or paused attempt: kNoWorker when unattached; none when
  // the task is not running.
  std::optional<WorkerId> WorkerOf(TaskIndex t) const;
  // True when the running attempt of `t` is being canceled.
  bool CancelPending(TaskIndex t) const;
  // For people: why a non-running task is not running ("waiting for sim-3 (running)",
  // "needs 4 cores, 2 free", "retry 2 of 3 after backoff", ...).
  std::string WhyWaiting(TaskIndex t) const;

 private:
  struct Running {
    ExecutionId execution = 0;
    Allocation allocation;
    TimePoint started;
    // Its time limit counts running time only (Slurm's suspend stops the clock too): the
    // pauses that ended, the one under way, and when the limit is due while it runs (none
    // while paused; a kTimeLimit timer for another due is stale).
    Duration paused_for{0};
    std::optional<TimePoint> paused_since;
    std::optional<TimePoint> limit_due;
    bool term_sent = false;
    bool timed_out = false;
    bool stop_sent = false;
    bool cancel_sent = false;
    bool preempting = false;  // being preempted (why: preempt_reasons_)
    bool end_checkpoint_sent = false;  // asked for its last checkpoint before the end
    int64_t metrics = 0;  // metrics of this attempt taken (or restored from the journal)
    WorkerId worker = 0;
  };

  // What an event says beyond its states.
  struct EventFacts {
    const AttemptUsage* usage = nullptr;     // the attempt it ends
    const Allocation* allocation = nullptr;  // the attempt it starts
    const std::string* worker = nullptr;     // where that attempt runs (its name)
    bool by_user = false;                    // a person's cancel, pause, resume or skip
    int64_t grown_memory = 0;                // -> ready after a memory kill: the new request
  };
  // The one way a task changes state: checks the transition table (an illegal transition is
  // an internal error, in every build: it aborts and is never journaled), emits the event,
  // applies it through fold_, and keeps the ready queue; dependents it frees become ready.
  void Transition(TaskIndex t, TaskState to, std::string reason, const EventFacts& facts);
  void Transition(TaskIndex t, TaskState to, std::string reason) {
    Transition(t, to, std::move(reason), EventFacts{});
  }
  void Start(TaskIndex t, int cores, WorkerSlot& worker);
  // Sets r.limit_due to started + paused_for + the task's time limit (if it has one) and a
  // timer for it. REQUIRES: the attempt is not paused.
  void ArmTimeLimit(TaskIndex t, Running& r);
  // A task about to be ready takes its profile's learned memory (memory: auto, not yet set)
  // and time estimate (none of its own), once the profile has enough history.
  void ApplyLearned(TaskIndex t);
  void ScheduleOn(WorkerId id, WorkerSlot& worker, int* slots);
  // ScheduleOn with fair share: one start at a time, from the project that comes first by its
  // head's priority, then its factor (committed usage: attempts under way at their expected
  // length), then its name.
  void ScheduleFairlyOn(WorkerId id, WorkerSlot& worker, int* slots);
  PolicyInput PolicyInputFor(WorkerId id, WorkerSlot& worker, int slots);
  // tags.project, "" without one.
  static const std::string& ProjectOf(const TaskSpec& spec);
  // tags.scenario; null when untagged (or empty).
  static const std::string* ScenarioOf(const TaskSpec& spec);
  // Core-seconds of the attempts under way per project, each at max(elapsed, expected).
  std::map<std::string, double> CommittedUsage();
  void PushReady(TaskIndex t);
  void EraseReady(TaskIndex t);
  // After a pass that left `head` (the highest-priority ready task) waiting for resources:
  // preempts for it once it waited options_.preempt_after (SchedulerOptions), and sets a timer
  // for that moment before.
  void MaybePreempt(TaskIndex head);
  // Asks attempt r of t to stop (its checkpoint signal, else SIGTERM; SIGKILL after the grace).
  void AskToStop(TaskIndex t, Running& r);
  // The attempts running on `worker`, for the policy's reservation.
  std::vector<RunningView> RunningOn(WorkerId worker);
  // How long an attempt of `t` is expected to run (policy/scheduling_policy.h): a ready task
  // without its own estimate first takes what its profile learned since it became ready.
  std::optional<Duration> ExpectedRuntimeOf(TaskIndex t);
  // What a recovery keeps between its steps: the journal's submissions and, for attempts that
  // may still run on a worker (kAwaitWorkers), what their last start held.
  struct LastStart {
    int64_t wall_time_us = 0;
    std::vector<int> cores;
    std::vector<int> gpus;
    int64_t memory_bytes = 0;
    int64_t paused_us = 0;                  // the attempt's pauses that ended
    std::optional<int64_t> paused_since_us;  // the pause under way when the journal ended
  };
  struct Recovery {
    std::span<const Submission> submissions;  // finished tasks' specs (the others' are in tasks_)
    std::shared_ptr<const std::vector<Submission>> keep;  // what `submissions` views, if given
    RecoverMode mode = RecoverMode::kEndInterrupted;
    std::unordered_map<TaskIndex, LastStart> last_start;
  };
  // BeginRecover; the specs of unfinished tasks are copied, or moved from `movable` (the same
  // submissions, writable) when given.
  Status StartRecovery(std::span<const Submission> submissions, std::span<Submission> movable,
                       const std::vector<bool>& finished, RecoverMode mode,
                       std::shared_ptr<std::vector<Submission>> block = nullptr);
  // Settles what the end of a journal left in flight (FinishRecover).
  void SettleRecovered(const Recovery& recovery);
  // Ends the running entry `it` as lost (or canceled/failed) after its worker went away.
  void LoseAttempt(TaskIndex t, const std::string& reason);
  void ReleaseAllocation(const Running& r);
  void Signal(const Running& r, int signal);
  // True when `dep` lets its dependents run: succeeded, or skipped by a person.
  bool Satisfies(TaskIndex dep) const;
  // Why no connected worker of `executor` (TaskSpec::executor) could ever run `r`; "" when one
  // could.
  std::string NoWorkerFits(const ResourceRequest& r, const std::string& executor) const;
  void EndAttempt(TaskIndex t, const AttemptUsage& usage, const std::string& launch_error);
  // " (set 4)" for an attempt that left checkpoint set 4; why what it wrote was not kept; "".
  static std::string CheckpointNote(const AttemptUsage& usage);
  // The most memory the task may grow to: memory_max, capped by the largest worker.
  int64_t MemoryCap(TaskIndex t) const;
  // The most memory any worker has; 0 without workers.
  int64_t LargestWorkerMemory() const;
  void Fail(TaskIndex t, std::string reason, const AttemptUsage* usage);
  void SkipDescendants(TaskIndex failed);
  void OnTimer(const Timer& timer);
  // Checks a batch (duplicate ids, fit, unknown dependencies, cycles), enters its ids into the
  // table with the indices it will get (BeginBatch) and resolves its dependencies. On error
  // the table is unchanged. Tasks marked in `finished` (a journal's, which never run again)
  // need not fit.
  Status BeginBatch(const SpecBatch& specs, BatchDeps* deps,
                    const std::vector<bool>* finished = nullptr);
  // After the batch begun by BeginBatch was committed to the table from `first` on: links its
  // dependencies and puts its tasks in state waiting or ready (into *initial).
  // push_ready: put ready tasks into ready_ (Recover builds it at the end).
  void AddTasks(TaskIndex first, const BatchDeps& deps, std::vector<TaskState>* initial,
                bool push_ready);

  const Clock* clock_;
  SchedulerOptions options_;
  std::unique_ptr<SchedulingPolicy> policy_;
  ProfileLearner learner_;      // learned from every attempt that ended (and the journal's)
  bool fixed_machine_ = false;  // embedded form: worker 0 only, unfittable tasks refused
  std::map<WorkerId, WorkerSlot> workers_;

  TaskTable tasks_;
  TaskGraph graph_;
  CampaignTotals totals_;
  EventFold fold_{&tasks_, &graph_, &learner_, &totals_};
  std::unordered_map<TaskIndex, Running> running_;
  // OnMetric: each task's latest point per metric name (only tasks that reported any).
  std::unordered_map<TaskIndex, std::vector<MetricPoint>> latest_metrics_;
  void KeepLatest(const MetricPoint& point);
  // The scenario policy (SetScenarioPolicy), the tasks of each scenario (indexed up to
  // scenario_indexed_), the offset applied to each scenario's tasks, and why running tasks of
  // a stopped scenario were canceled.
  std::unique_ptr<ScenarioBoard> board_;
  std::unordered_map<std::string, std::vector<TaskIndex>> scenario_tasks_;
  size_t scenario_indexed_ = 0;
  std::unordered_map<std::string, int> scenario_applied_;
  std::unordered_map<TaskIndex, std::string> scenario_stop_reasons_;
  // Under a promise policy, the cores.max an elastic task asked for (its spec's max is scaled
  // by its scenario's offset: ScaleElasticCores).
  std::unordered_map<TaskIndex, int> elastic_max_;
  std::unordered_set<std::string> scored_;  // promise: the scenarios that have a score
  std::vector<ScenarioChange> scenario_scratch_;
  void ObserveScenario(const std::string& scenario, const MetricPoint& point, bool restoring);
  void IndexScenarios();
  void ApplyScenarioChange(const ScenarioChange& change);
  void ShiftPriority(TaskIndex t, int delta);
  // Its max becomes min + (asked max - min) * share.
  void ScaleElasticCores(TaskIndex t, double share);
  // Under promise: the scenario's offset / priority_range; 1 while every score is equal
  // (`spread`: PromiseSpread()).
  double ElasticShare(const std::string& scenario, bool spread) const;
  bool PromiseSpread() const;  // some scenario has an offset above 0
  void StopForScenario(TaskIndex t, const std::string& reason);
  std::unique_ptr<Recovery> recovery_;  // between BeginRecover and FinishRecover
  ReadyQueue ready_;
  TimerQueue timers_;
  Outbox outbox_;
  std::optional<Blocked> blocked_;
  bool dirty_ = true;      // something changed that may let a task start
  // The priority of the work that waits for resources, and since when it has waited without a
  // break (MaybePreempt): one task of it after another may be the head that waits.
  struct HeadWaiting {
    int priority = 0;
    TimePoint since;
    TaskIndex checked_for = 0;  // the head a kPreemptCheck timer was set for
    bool timer_set = false;
  };
  std::optional<HeadWaiting> head_waiting_;
  // Why each attempt being preempted is, for its preempted event ("preempted for 'x' (priority
  // 5 > 1, it waited 6m00s)"). Apart from Running, which stays small for the hot path.
  std::unordered_map<TaskIndex, std::string> preempt_reasons_;
  // Checkpoint times: when each running attempt was last asked for one (its checkpoint
  // signal), the longest a checkpoint of each task took, and of any (CheckpointLead).
  std::unordered_map<TaskIndex, TimePoint> checkpoint_asked_;
  std::unordered_map<TaskIndex, Duration> checkpoint_took_;
  Duration longest_checkpoint_{0};
  // The end that applies to attempts on worker `w`: the earlier of ends_at and its own.
  std::optional<TimePoint> EndOf(const WorkerSlot& w) const;
  // Arms the kEndCheckpoint timer of t's attempt `r` when its worker has an end.
  void ArmEndCheckpoint(TaskIndex t, const Running& r);
  // Attempts in running_ of preemptible (not protected) tasks: while none runs, a waiting head
  // sets no preemption timers (and so does not keep a run whose tasks cannot start alive).
  int preemptible_running_ = 0;
  // Fair share (SchedulerOptions::share_weights): the accounts, and the ready tasks of each
  // project in the ready queue's order (beside ready_, which keeps all of them). Null/empty
  // when off.
  std::unique_ptr<FairShare> fair_share_;
  std::map<std::string, ReadyQueue> project_ready_;
  bool Preemptible(TaskIndex t) const {
    const TaskSpec& s = tasks_.spec(t);
    return s.preemptible && !s.is_protected;
  }
  bool stopping_ = false;
  std::vector<Choice> choices_;  // scratch
};

}  // namespace allot
