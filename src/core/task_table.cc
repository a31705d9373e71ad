#include "core/task_table.h"

#include <functional>
#include <utility>

#include "common/internal_error.h"

namespace allot {

namespace {

// Adopt the loader's block only when most of it stays in use: a block of mostly finished
// (brief) tasks would keep 416 B per finished task alive, against the memory budget.
bool WorthAdopting(size_t unfinished, size_t total) { return unfinished * 4 >= total * 3; }

}  // namespace

TaskTable::~TaskTable() {
  for (TaskSpec* s : specs_) {
    if (s != nullptr && !InBlock(s)) delete s;
  }
}

bool TaskTable::InBlock(const TaskSpec* spec) const {
  if (block_ == nullptr || block_->empty()) return false;
  const std::less<const void*> before;
  const void* p = spec;
  return !before(p, block_->data()) && before(p, block_->data() + block_->size());
}

const TaskSpec& TaskTable::spec(TaskIndex t) const {
  if (specs_[t] == nullptr) {
    // A finished task's spec was released; reading it is a bug in the caller, in every build.
    InternalError("the spec of finished task '" + ids_[t] + "' was asked for");
  }
  return *specs_[t];
}

TaskSpec& TaskTable::mutable_spec(TaskIndex t) {
  return const_cast<TaskSpec&>(static_cast<const TaskTable*>(this)->spec(t));
}

TaskBrief TaskTable::brief(TaskIndex t) const {
  if (specs_[t] == nullptr) return briefs_[t];
  const TaskSpec& s = *specs_[t];
  return TaskBrief{s.priority, s.resources.cores.min, s.resources.memory_bytes};
}

Status TaskTable::BeginBatch(const SpecBatch& specs) {
  const size_t first = ids_.size();
  ids_.reserve(first + specs.size());
  index_.Reserve(first + specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const TaskSpec& s = specs[i];
    ids_.push_back(s.id);
    if (!index_.Add(static_cast<TaskIndex>(ids_.size() - 1))) {
      ids_.pop_back();
      AbandonBatch();
      return Status::InvalidArgument("task '" + s.id + "': a task with this id already exists");
    }
  }
  return Status::Ok();
}

void TaskTable::AbandonBatch() {
  while (ids_.size() > records_.size()) {
    index_.RemoveNewest(static_cast<TaskIndex>(ids_.size() - 1));
    ids_.pop_back();
  }
}

TaskIndex TaskTable::CommitBatch(std::vector<TaskSpec> specs) {
  const TaskIndex first = static_cast<TaskIndex>(records_.size());
  specs_.reserve(first + specs.size());
  for (TaskSpec& s : specs) specs_.push_back(new TaskSpec(std::move(s)));  // reserved: no throw
  records_.resize(specs_.size());
  briefs_.resize(specs_.size());
  counts_[static_cast<int>(TaskState::kWaiting)] += static_cast<int64_t>(specs.size());
  return first;
}

TaskIndex TaskTable::CommitRecovered(std::span<const Submission> submissions,
                                     const std::vector<bool>& finished,
                                     std::span<Submission> movable,
                                     std::shared_ptr<std::vector<Submission>> block) {
  const TaskIndex first = static_cast<TaskIndex>(records_.size());
  const size_t n = first + submissions.size();
  specs_.reserve(n);
  records_.resize(n);
  briefs_.resize(n);
  size_t unfinished = 0;
  for (size_t i = 0; i < submissions.size(); ++i) unfinished += finished[i] ? 0 : 1;
  const bool adopt = block != nullptr && block_ == nullptr && !block->empty() &&
                     block->data() == submissions.data() &&
                     block->size() == submissions.size() &&
                     WorthAdopting(unfinished, submissions.size());
  if (adopt) {
    block_ = std::move(block);
    block_live_ = static_cast<int64_t>(unfinished);
  }
  for (size_t i = 0; i < submissions.size(); ++i) {
    const TaskSpec& s = submissions[i].spec;
    if (finished[i]) {
      specs_.push_back(nullptr);
      briefs_[first + i] = TaskBrief{s.priority, s.resources.cores.min, s.resources.memory_bytes};
    } else if (adopt) {
      specs_.push_back(&(*block_)[i].spec);
    } else {
      specs_.push_back(movable.empty() ? new TaskSpec(s) : new TaskSpec(std::move(movable[i].spec)));
    }
  }
  counts_[static_cast<int>(TaskState::kWaiting)] += static_cast<int64_t>(submissions.size());
  return first;
}

void TaskTable::SetMemory(TaskIndex t, int64_t bytes) {
  if (specs_[t] != nullptr) {
    specs_[t]->resources.memory_bytes = bytes;
  } else {
    briefs_[t].memory_bytes = bytes;
  }
}

void TaskTable::SetState(TaskIndex t, TaskState to) {
  TaskRecord& rec = records_[t];
  --counts_[static_cast<int>(rec.state)];
  ++counts_[static_cast<int>(to)];
  const bool was_terminal = IsTerminal(rec.state);
  rec.state = to;
  if (IsTerminal(to) && !was_terminal) {
    ++terminal_;
    if (!keep_specs_) Release(t);
  } else if (was_terminal && !IsTerminal(to)) {
    --terminal_;  // a requeue
  }
}

void TaskTable::RestoreSpec(TaskIndex t, TaskSpec spec) {
  if (specs_[t] != nullptr) InternalError("task '" + ids_[t] + "' still has its spec");
  spec.resources.memory_bytes = briefs_[t].memory_bytes;
  specs_[t] = new TaskSpec(std::move(spec));
}

void TaskTable::Release(TaskIndex t) {
  TaskSpec* s = specs_[t];
  if (s == nullptr) return;
  briefs_[t] = brief(t);
  specs_[t] = nullptr;
  if (!InBlock(s)) {
    delete s;
    return;
  }
  *s = TaskSpec();  // its strings and maps go now, the block once none of its specs is left
  if (--block_live_ == 0) block_.reset();
}

}  // namespace allot
