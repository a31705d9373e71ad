#include "journal/journal_rows.h"

#include <sqlite3.h>

#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "model/checkpoint_report.h"
#include "model/task_spec_json.h"

namespace allot {
namespace {

std::string_view ColumnText(sqlite3_stmt* stmt, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
  if (text == nullptr) return {};
  return std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt, col)));
}

bool ReadState(sqlite3_stmt* stmt, int col, TaskState* out) {
  int64_t v = sqlite3_column_int64(stmt, col);
  if (v < 0 || v >= kTaskStateCount) return false;
  *out = static_cast<TaskState>(v);
  return true;
}

void BindTextOrNull(sqlite3_stmt* stmt, int col, const std::string& text) {
  if (text.empty()) {
    sqlite3_bind_null(stmt, col);
  } else {
    sqlite3_bind_text(stmt, col, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
}

// idx, initial_state and submitted_us (columns 0-2 of both task queries).
Status ReadSubmissionHead(sqlite3_stmt* stmt, Submission* out) {
  int64_t idx = sqlite3_column_int64(stmt, 0);
  out->index = static_cast<TaskIndex>(idx);
  if (!ReadState(stmt, 1, &out->initial_state) || !IsInitialState(out->initial_state)) {
    return Status::Corruption("task " + std::to_string(idx) + ": bad initial state " +
                              std::to_string(sqlite3_column_int64(stmt, 1)));
  }
  out->wall_time_us = sqlite3_column_int64(stmt, 2);
  return Status::Ok();
}

}  // namespace

void FormatIdList(const std::vector<int>& ids, std::string* out) {
  out->clear();
  char buf[16];
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out->push_back(',');
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), ids[i]);
    out->append(buf, end);
  }
}

bool ParseIdList(std::string_view text, std::vector<int>* out) {
  out->clear();
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    int v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) return false;
    out->push_back(v);
    if (next == end) break;
    if (*next != ',') return false;
    p = next + 1;
    if (p == end) return false;
  }
  return true;
}

void BindSubmission(sqlite3_stmt* stmt, const Submission& submission, std::string& spec_json) {
  spec_json = TaskSpecToJson(submission.spec).dump();
  const std::string& id = submission.spec.id;
  sqlite3_bind_int64(stmt, 1, submission.index);
  sqlite3_bind_text(stmt, 2, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  sqlite3_bind_int(stmt, 3, static_cast<int>(submission.initial_state));
  sqlite3_bind_int64(stmt, 4, submission.wall_time_us);
  sqlite3_bind_text(stmt, 5, spec_json.data(), static_cast<int>(spec_json.size()), SQLITE_STATIC);
  const TaskSpec& spec = submission.spec;
  sqlite3_bind_int64(stmt, 6, spec.priority);
  sqlite3_bind_int64(stmt, 7, spec.resources.cores.min);
  sqlite3_bind_int64(stmt, 8, spec.resources.memory_bytes);
  auto profile = spec.tags.find("profile");
  if (profile != spec.tags.end()) {
    sqlite3_bind_text(stmt, 9, profile->second.data(), static_cast<int>(profile->second.size()),
                      SQLITE_STATIC);
  } else {
    sqlite3_bind_null(stmt, 9);
  }
}

void BindEvent(sqlite3_stmt* stmt, int64_t seq, const TaskEvent& event, std::string& cores,
               std::string& gpus) {
  sqlite3_bind_int64(stmt, 1, seq);
  sqlite3_bind_int64(stmt, 2, event.task);
  sqlite3_bind_int64(stmt, 3, event.attempt);
  sqlite3_bind_int(stmt, 4, static_cast<int>(event.from));
  sqlite3_bind_int(stmt, 5, static_cast<int>(event.to));
  sqlite3_bind_int64(stmt, 6, event.wall_time_us);
  if (event.usage) {
    const AttemptUsage& u = *event.usage;
    sqlite3_bind_int(stmt, 7, u.exit_code);
    sqlite3_bind_int(stmt, 8, u.term_signal);
    sqlite3_bind_int(stmt, 9, u.timed_out ? 1 : 0);
    sqlite3_bind_int64(stmt, 10, u.wall.count());
    sqlite3_bind_int64(stmt, 11, u.user_cpu.count());
    sqlite3_bind_int64(stmt, 12, u.sys_cpu.count());
    sqlite3_bind_int64(stmt, 13, u.max_rss_bytes);
    sqlite3_bind_int64(stmt, 20, u.read_bytes);
    sqlite3_bind_int64(stmt, 21, u.write_bytes);
    sqlite3_bind_double(stmt, 22, u.peak_cores);
    sqlite3_bind_int(stmt, 23, u.memory_exceeded ? 1 : 0);
    BindTextOrNull(stmt, 24, u.checkpoint);
    BindTextOrNull(stmt, 25, u.outputs);
    BindTextOrNull(stmt, 26, u.result);
    BindTextOrNull(stmt, 27, u.slurm_job);
  } else {
    for (int col = 7; col <= 13; ++col) sqlite3_bind_null(stmt, col);
    for (int col = 20; col <= 27; ++col) sqlite3_bind_null(stmt, col);
  }
  FormatIdList(event.cores, &cores);
  FormatIdList(event.gpus, &gpus);
  BindTextOrNull(stmt, 14, cores);
  BindTextOrNull(stmt, 15, gpus);
  if (event.memory_bytes != 0) {
    sqlite3_bind_int64(stmt, 16, event.memory_bytes);
  } else {
    sqlite3_bind_null(stmt, 16);
  }
  BindTextOrNull(stmt, 17, event.reason);
  BindTextOrNull(stmt, 18, event.worker);
  if (event.by_user) {
    sqlite3_bind_int(stmt, 19, 1);
  } else {
    sqlite3_bind_null(stmt, 19);
  }
}

Status ReadSubmission(sqlite3_stmt* stmt, Submission* out) {
  return ReadSubmissionHead(stmt, out);
}

void ReadSpecJson(sqlite3_stmt* stmt, int col, std::string* json) {
  json->assign(ColumnText(stmt, col));
}

Result<bool> ReadTaskBrief(sqlite3_stmt* stmt, Submission* out) {
  ALLOT_RETURN_IF_ERROR(ReadSubmissionHead(stmt, out));
  TaskSpec& spec = out->spec;
  spec.id.assign(ColumnText(stmt, 3));
  if (sqlite3_column_type(stmt, 4) == SQLITE_NULL) return false;  // a row from before version 3
  const int64_t priority = sqlite3_column_int64(stmt, 4);
  const int64_t cores = sqlite3_column_int64(stmt, 5);
  const int64_t memory = sqlite3_column_int64(stmt, 6);
  if (priority < INT32_MIN || priority > INT32_MAX || cores < 0 || cores > INT32_MAX ||
      memory < 0) {
    return Status::Corruption("task " + std::to_string(out->index) + ": brief out of range");
  }
  spec.priority = static_cast<int>(priority);
  spec.resources.cores = {static_cast<int>(cores), static_cast<int>(cores)};
  spec.resources.memory_bytes = memory;
  if (sqlite3_column_type(stmt, 7) != SQLITE_NULL) {
    spec.tags.emplace("profile", std::string(ColumnText(stmt, 7)));
  }
  return true;
}

Status DecodeSpec(std::string_view json, TaskIndex index, TaskSpec* out) {
  Result<TaskSpec> spec = TaskSpecFromJsonText(json);
  if (!spec.ok()) return spec.status().WithPrefix("task " + std::to_string(index));
  *out = std::move(spec).value();
  return Status::Ok();
}

Status ReadEvent(sqlite3_stmt* stmt, TaskEvent* out) {
  out->task = static_cast<TaskIndex>(sqlite3_column_int64(stmt, 0));
  out->attempt = static_cast<uint32_t>(sqlite3_column_int64(stmt, 1));
  if (!ReadState(stmt, 2, &out->from) || !ReadState(stmt, 3, &out->to)) {
    return Status::Corruption("event of task " + std::to_string(out->task) +
                              ": state out of range");
  }
  out->wall_time_us = sqlite3_column_int64(stmt, 4);
  if (sqlite3_column_type(stmt, 5) != SQLITE_NULL) {
    AttemptUsage& u = out->usage.emplace();
    u.exit_code = sqlite3_column_int(stmt, 5);
    u.term_signal = sqlite3_column_int(stmt, 6);
    u.timed_out = sqlite3_column_int(stmt, 7) != 0;
    u.wall = Duration(sqlite3_column_int64(stmt, 8));
    u.user_cpu = Duration(sqlite3_column_int64(stmt, 9));
    u.sys_cpu = Duration(sqlite3_column_int64(stmt, 10));
    u.max_rss_bytes = sqlite3_column_int64(stmt, 11);
    u.read_bytes = sqlite3_column_int64(stmt, 18);
    u.write_bytes = sqlite3_column_int64(stmt, 19);
    u.peak_cores = sqlite3_column_double(stmt, 20);
    u.memory_exceeded = sqlite3_column_int(stmt, 21) != 0;
    if (sqlite3_column_type(stmt, 22) != SQLITE_NULL) {
      u.checkpoint.assign(ColumnText(stmt, 22));
      u.checkpointed = CheckpointRecordSealsASet(u.checkpoint);
    }
    if (sqlite3_column_type(stmt, 23) != SQLITE_NULL) u.outputs.assign(ColumnText(stmt, 23));
    if (sqlite3_column_type(stmt, 24) != SQLITE_NULL) u.result.assign(ColumnText(stmt, 24));
    if (sqlite3_column_type(stmt, 25) != SQLITE_NULL) u.slurm_job.assign(ColumnText(stmt, 25));
  } else {
    out->usage.reset();
  }
  if (!ParseIdList(ColumnText(stmt, 12), &out->cores) ||
      !ParseIdList(ColumnText(stmt, 13), &out->gpus)) {
    return Status::Corruption("event of task " + std::to_string(out->task) +
                              ": bad core or GPU list");
  }
  out->memory_bytes = sqlite3_column_int64(stmt, 14);
  out->reason.assign(ColumnText(stmt, 15));
  out->worker.assign(ColumnText(stmt, 16));
  out->by_user = sqlite3_column_int(stmt, 17) != 0;
  return Status::Ok();
}

}  // namespace allot
