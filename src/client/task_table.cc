#include "client/task_table.h"

#include <chrono>

#include <fmt/format.h>

#include "client/table_text.h"
#include "common/units.h"

namespace allot {
namespace {

using Json = nlohmann::json;

// Exit code, "sig N" or "-".
std::string ExitText(const Json& row) {
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
  out += fmt::format("  command: {}\n", CellText(task, "command"));
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
  out += fmt::format("{:>7} {:<10} {:<16} {:>7} {:>9} {:>9} {:>10}  {}\n", "ATTEMPT", "STATE",
                     "WORKER", "EXIT", "WALL", "CPU", "MAX RSS", "REASON");
  for (const Json& a : *attempts) {
    out += fmt::format("{:>7} {:<10} {:<16} {:>7} {:>9} {:>9} {:>10}  {}\n",
                       CellText(a, "attempt"), CellText(a, "state"), CellText(a, "worker"),
                       ExitText(a), SecondsText(a, "wall_s"), SecondsText(a, "cpu_s"),
                       SizeText(a, "max_rss"),
                       a.contains("reason") && a["reason"].is_string()
                           ? a["reason"].get<std::string>()
                           : std::string());
  }
  return out;
}

}  // namespace allot
