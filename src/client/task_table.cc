#include "client/task_table.h"

#include <chrono>

#include <fmt/format.h>

#include "client/table_text.h"
#include "common/units.h"

#include "model/checkpoint_report.h"

namespace allot {
namespace {

using Json = nlohmann::json;

// "timeout" (the time limit ended it), exit code, "sig N" or "-".
std::string ExitText(const Json& row) {
  if (row.is_object() && row.contains("timed_out") && row["timed_out"].is_boolean() &&
      row["timed_out"].get<bool>()) {
    return "timeout";
  }
  if (row.is_object() && row.contains("signal") && row["signal"].is_number_integer() &&
      row["signal"].get<int64_t>() != 0) {
    return fmt::format("sig {}", row["signal"].get<int64_t>());
  }
  return CellText(row, "exit_code");
}

std::string SecondsText(const Json& row, const char* key) {
  if (!row.is_object() || !row.contains(key) || !row[key].is_number()) return "-";
  auto us = static_cast<int64_t>(row[key].get<double>() * 1e6);
  return FormatDuration(std::chrono::duration_cast<Duration>(std::chrono::microseconds(us)));
}

std::string SizeText(const Json& row, const char* key) {
  if (!row.is_object() || !row.contains(key) || !row[key].is_number_integer()) return "-";
  return FormatSize(row[key].get<int64_t>());
}

// "mean/peak" cores used, e.g. "0.98/1.00"; "-" before the attempt ended.
std::string CoresText(const Json& row) {
  if (!row.is_object() || !row.contains("mean_cores") || !row["mean_cores"].is_number()) {
    return "-";
  }
  double peak = row.contains("peak_cores") && row["peak_cores"].is_number()
                    ? row["peak_cores"].get<double>()
                    : 0.0;
  return fmt::format("{:.2f}/{:.2f}", row["mean_cores"].get<double>(), peak);
}

}  // namespace

std::string FormatTaskTable(const Json& tasks, size_t limit, int64_t more) {
  std::string out = fmt::format("{:<24} {:<10} {:>7} {:>7} {:<16} {}\n", "ID", "STATE",
                                "ATTEMPT", "EXIT", "WORKER", "REASON");
  size_t shown = 0;
  if (tasks.is_array()) {
    for (const Json& t : tasks) {
      if (limit && shown == limit) break;
      out += fmt::format("{:<24} {:<10} {:>7} {:>7} {:<16} {}\n", CellText(t, "id"),
                         CellText(t, "state"), CellText(t, "attempt"), ExitText(t),
                         CellText(t, "worker"), t.is_object() && t.contains("why") &&
                                                        t["why"].is_string()
                                                    ? t["why"].get<std::string>()
                                                    : std::string());
      ++shown;
    }
    more += static_cast<int64_t>(tasks.size() - shown);
  }
  if (more > 0) out += fmt::format("... {} more (--all to list every task)\n", more);
  return out;
}

std::string FormatTaskDetail(const Json& task) {
  std::string out = fmt::format("{}: {} (attempt {}, execution {}, worker {})\n",
                                CellText(task, "id"), CellText(task, "state"),
                                CellText(task, "attempt"), CellText(task, "execution"),
                                CellText(task, "worker"));
  if (task.contains("job") && task["job"].is_string()) {
    out += fmt::format("  {}\n", task["job"].get<std::string>());
  } else {
    out += fmt::format("  command: {}\n", CellText(task, "command"));
  }
  if (task.contains("params") && task["params"].is_object()) {
    out += fmt::format("  params: {}\n", task["params"].dump());
  }
  if (task.contains("why") && task["why"].is_string() && !task["why"].get<std::string>().empty()) {
    out += fmt::format("  why: {}\n", task["why"].get<std::string>());
  }
  if (task.contains("tags") && task["tags"].is_object() && !task["tags"].empty()) {
    std::string tags;
    for (const auto& [k, v] : task["tags"].items()) tags += fmt::format(" {}={}", k, CellText(v));
    out += "  tags:" + tags + "\n";
  }
  const Json* attempts = task.contains("attempts") ? &task["attempts"] : nullptr;
  if (!attempts || !attempts->is_array() || attempts->empty()) return out;
  return out + FormatAttemptTable(*attempts);
}

std::string FormatAttemptTable(const Json& attempts) {
  constexpr const char* kRow =
      "{:>7} {:<13} {:<16} {:>7} {:>9} {:>9} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n";
  std::string out = fmt::format(kRow, "ATTEMPT", "OUTCOME", "WORKER", "EXIT", "WALL", "CPU",
                                "CORES", "MAX RSS", "MEM LIMIT", "READ", "WRITTEN", "REASON");
  if (!attempts.is_array()) return out;
  for (const Json& a : attempts) {
    // No memory asked for: no limit.
    const bool has_limit = a.is_object() && a.contains("memory") &&
                           a["memory"].is_number_integer() && a["memory"].get<int64_t>() > 0;
    std::string limit = has_limit ? SizeText(a, "memory") : "-";
    if (has_limit && a.contains("memory_exceeded") && a["memory_exceeded"].is_boolean() &&
        a["memory_exceeded"].get<bool>()) {
      limit += "!";
    }
    const char* outcome = a.is_object() && a.contains("outcome") ? "outcome" : "state";
    out += fmt::format(kRow, CellText(a, "attempt"), CellText(a, outcome), CellText(a, "worker"),
                       ExitText(a), SecondsText(a, "wall_s"), SecondsText(a, "cpu_s"),
                       CoresText(a), SizeText(a, "max_rss"), limit, SizeText(a, "read_bytes"),
                       SizeText(a, "write_bytes"),
                       a.contains("reason") && a["reason"].is_string()
                           ? a["reason"].get<std::string>()
                           : std::string());
  }
  // Checkpointing attempts: where each started from, what was rejected, what it left.
  std::string checkpoints;
  for (const Json& a : attempts) {
    if (!a.is_object() || !a.contains("checkpoint")) continue;
    Result<CheckpointReport> r = CheckpointReportFromJson(a["checkpoint"].dump());
    checkpoints += fmt::format("  attempt {}: {}\n", CellText(a, "attempt"),
                               r.ok() ? DescribeCheckpointReport(*r) : a["checkpoint"].dump());
  }
  if (!checkpoints.empty()) out += "checkpoints:\n" + checkpoints;
  // Attempts run as Slurm jobs of their own (executor: slurm): their usage is sacct's.
  std::string slurm_jobs;
  for (const Json& a : attempts) {
    if (!a.is_object() || !a.contains("slurm_job") || !a["slurm_job"].is_string()) continue;
    slurm_jobs += fmt::format("{}attempt {}: {}", slurm_jobs.empty() ? "" : ", ",
                              CellText(a, "attempt"), a["slurm_job"].get<std::string>());
  }
  if (!slurm_jobs.empty()) out += "slurm jobs (usage from sacct): " + slurm_jobs + "\n";
  // What the attempt that succeeded returned.
  for (const Json& a : attempts) {
    if (a.is_object() && a.contains("result") && a.value("outcome", "") == "succeeded") {
      std::string text = a["result"].dump();
      if (text.size() > 300) text = text.substr(0, 297) + "...";
      out += "result: " + text + "\n";
    }
  }
  // What the attempt that succeeded produced of its declared outputs.
  std::string outputs;
  for (const Json& a : attempts) {
    if (!a.is_object() || !a.contains("outputs") || !a["outputs"].is_array()) continue;
    for (const Json& f : a["outputs"]) {
      if (!f.is_object()) continue;
      const std::string sha = f.value("sha256", std::string());
      outputs += fmt::format("  {}  {}  sha256 {}\n", f.value("path", std::string()),
                             SizeText(f, "size"), sha.substr(0, 16));
    }
  }
  if (!outputs.empty()) out += "outputs:\n" + outputs;
  return out;
}

}  // namespace allot
