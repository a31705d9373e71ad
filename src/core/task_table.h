// TaskTable: every task the scheduler knows, by dense index: its id, its spec while it is
// unfinished, its record (state, attempts, counters) and the counts per state. Finished tasks
// keep only what is ever asked of them (id, record, TaskBrief): their specs are freed, the
// journal has them. That is what keeps a million finished tasks within DESIGN.md's memory
// budget (<= 300 bytes each; BM_MemoryPerFinishedTask).
//
// The table does bookkeeping only: which transitions are allowed, and what they mean, is the
// Scheduler's business (it checks model/task_state.h before SetState). Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "core/id_index.h"
#include "model/submission.h"
#include "model/task_event.h"
#include "model/task_spec.h"

namespace allot {

// A batch of specs by position: new specs, or a journal's submissions (read in place, not
// copied: a recovered task that finished never needs its spec in memory). Cheap to copy; the
// specs must outlive it.
class SpecBatch {
 public:
  explicit SpecBatch(const std::vector<TaskSpec>& specs) : specs_(&specs) {}
  explicit SpecBatch(std::span<const Submission> submissions) : submissions_(submissions) {}
  size_t size() const { return specs_ != nullptr ? specs_->size() : submissions_.size(); }
  const TaskSpec& operator[](size_t i) const {
    return specs_ != nullptr ? (*specs_)[i] : submissions_[i].spec;
  }

 private:
  const std::vector<TaskSpec>* specs_ = nullptr;
  std::span<const Submission> submissions_;
};

// What a task's attempts so far add up to.
struct TaskRecord {
  TaskState state = TaskState::kWaiting;
  bool skipped_by_user = false;  // dependents treat it as succeeded
  bool learn_estimate = false;   // no time_estimate of its own: its profile's P90 is used
  bool last_timed_out = false;   // the last ended attempt ended after its time limit's SIGTERM
  uint32_t attempts = 0;        // attempts started so far (durable: transitions into running)
  // Attempts started before the task's last requeue: they no longer count against its
  // max_retries. crashes and memory_retries count since that requeue.
  uint32_t requeued_after = 0;
  uint16_t crashes = 0;         // attempts lost or preempted
  uint16_t memory_retries = 0;  // attempts killed at their memory limit and given more
  int32_t last_exit = 0;        // exit code of the last ended attempt, -signal, 0 when none
  // What the current (or last) attempt was given when it started: what its end teaches.
  int32_t held_cores = 0;
  int64_t held_memory = 0;
};
static_assert(sizeof(TaskRecord) <= 32, "the per-task memory budget (DESIGN.md)");

// The few facts listings show of every task, finished or not.
struct TaskBrief {
  int32_t priority = 0;
  int32_t cores = 0;          // cores.min
  int64_t memory_bytes = 0;   // what it asks for now (grown after memory kills)
};

class TaskTable {
 public:
  TaskTable() : index_(&ids_) {}
  ~TaskTable();
  TaskTable(const TaskTable&) = delete;
  TaskTable& operator=(const TaskTable&) = delete;

  // Tasks appended so far (a batch being checked is not counted).
  size_t size() const { return records_.size(); }
  const std::string& id(TaskIndex t) const { return ids_[t]; }
  std::optional<TaskIndex> Find(std::string_view id) const { return index_.Find(id); }

  // True until the task is finished (terminal).
  bool has_spec(TaskIndex t) const { return specs_[t] != nullptr; }
  // REQUIRES: has_spec(t) (checked in every build: a released spec is an internal error).
  const TaskSpec& spec(TaskIndex t) const;
  TaskSpec& mutable_spec(TaskIndex t);
  TaskBrief brief(TaskIndex t) const;

  const TaskRecord& record(TaskIndex t) const { return records_[t]; }
  TaskRecord& mutable_record(TaskIndex t) { return records_[t]; }
  TaskState state(TaskIndex t) const { return records_[t].state; }

  // Adding tasks is two steps, so that a batch can be checked against itself and the tasks
  // before it (dependencies) before anything changes:
  //   BeginBatch enters the batch's ids: they get indices size() .. size() + n - 1, and Find
  //   knows them. InvalidArgument, entering nothing, when an id is taken (here or earlier in
  //   the batch).
  //   Then CommitBatch appends the tasks (state `waiting`, counted), or AbandonBatch forgets
  //   the ids again.
  //   CommitRecovered is CommitBatch for a journal's submissions: `finished[i]` says which
  //   ended for good in the journal; those keep only their id and brief from the start. The
  //   specs of the others are copied into the table, or moved from `movable` when it is
  //   given (the same submissions, writable), or, when `block` holds the submissions and
  //   most of them are unfinished, left where they are: the table then keeps `block` alive
  //   until the last of those specs is released (a restart of a million unstarted tasks
  //   touches one copy of each spec instead of two; docs/PERFORMANCE.md).
  // REQUIRES: no batch is open for BeginBatch; one is for the others, with the same specs.
  Status BeginBatch(const SpecBatch& batch);
  void AbandonBatch();
  TaskIndex CommitBatch(std::vector<TaskSpec> specs);
  TaskIndex CommitRecovered(std::span<const Submission> submissions,
                            const std::vector<bool>& finished,
                            std::span<Submission> movable = {},
                            std::shared_ptr<std::vector<Submission>> block = nullptr);

  // The task's memory request grew (after a kill at its limit): in its spec, or in its brief
  // when it has none (a recovered task that finished).
  void SetMemory(TaskIndex t, int64_t bytes);

  // Moves t to `to`, keeping the counts; a task reaching a terminal state releases its spec
  // (unless set_keep_specs). The caller checks that the transition is allowed.
  void SetState(TaskIndex t, TaskState to);
  // Gives a finished task its spec back (from the journal) before a requeue: its memory
  // request stays what it grew to. REQUIRES: !has_spec(t).
  void RestoreSpec(TaskIndex t, TaskSpec spec);
  // While true, tasks reaching a terminal state keep their specs: a recovery replaying a
  // journal in which a task finished and was requeued must not lose it half way.
  void set_keep_specs(bool keep) { keep_specs_ = keep; }
  // Releases the spec of a finished task that kept it (after set_keep_specs(false)).
  void ReleaseIfFinished(TaskIndex t) {
    if (IsTerminal(records_[t].state)) Release(t);
  }

  const std::array<int64_t, kTaskStateCount>& counts() const { return counts_; }

  // The files a succeeded task produced of its declared outputs (model/output_manifest.h),
  // which its dependents get at launch; empty paths: none (it left succeeded, or declared
  // nothing). Kept apart from the spec, which a finished task releases.
  void SetOutputs(TaskIndex t, std::vector<std::string> paths) {
    if (paths.empty()) {
      outputs_.erase(t);
    } else {
      outputs_[t] = std::move(paths);
    }
  }
  // Null when t has none.
  const std::vector<std::string>* outputs(TaskIndex t) const {
    auto it = outputs_.find(t);
    return it == outputs_.end() ? nullptr : &it->second;
  }
  // What a succeeded task returned (model/task_result.h, compact JSON), for its dependents;
  // empty: nothing. Kept apart from the spec, as outputs are.
  void SetResult(TaskIndex t, std::string result) {
    if (result.empty()) {
      results_.erase(t);
    } else {
      results_[t] = std::move(result);
    }
  }
  // Null when t returned nothing.
  const std::string* result(TaskIndex t) const {
    auto it = results_.find(t);
    return it == results_.end() ? nullptr : &it->second;
  }
  int64_t terminal() const { return terminal_; }

 private:
  void Release(TaskIndex t);
  // Whether `spec` lives in block_ (not owned one by one).
  bool InBlock(const TaskSpec* spec) const;

  std::vector<std::string> ids_;
  IdIndex index_;  // over ids_
  // Null once released. Owned (new/delete), except those in block_.
  std::vector<TaskSpec*> specs_;
  std::shared_ptr<std::vector<Submission>> block_;  // adopted by CommitRecovered
  int64_t block_live_ = 0;                           // specs_ entries pointing into block_
  std::vector<TaskRecord> records_;
  std::unordered_map<TaskIndex, std::vector<std::string>> outputs_;  // SetOutputs
  std::unordered_map<TaskIndex, std::string> results_;                // SetResult
  std::vector<TaskBrief> briefs_;  // of finished tasks (unfinished ones read their spec)
  std::array<int64_t, kTaskStateCount> counts_{};
  int64_t terminal_ = 0;
  bool keep_specs_ = false;
};

}  // namespace allot
