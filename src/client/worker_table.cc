#include "client/worker_table.h"

#include <fmt/format.h>

#include "client/table_text.h"
#include "common/units.h"

namespace allot {
namespace {

using Json = nlohmann::json;

bool IsInt(const Json& w, const char* key) {
  return w.is_object() && w.contains(key) && w[key].is_number_integer();
}

std::string CoresText(const Json& w) {
  if (!IsInt(w, "cores")) return "-";
  int64_t total = w["cores"].get<int64_t>();
  // A worker that is gone holds nothing: its cores are not in use, whatever was left counted.
  if (w.contains("state") && w["state"] == "gone") return fmt::format("-/{}", total);
  if (!IsInt(w, "free_cores")) return fmt::format("?/{}", total);
  return fmt::format("{}/{}", total - w["free_cores"].get<int64_t>(), total);
}

std::string MemoryText(const Json& w) {
  return IsInt(w, "memory") ? FormatSize(w["memory"].get<int64_t>()) : CellText(w, "memory");
}

// A count, or the number of ids in a list.
std::string CountText(const Json& w, const char* key) {
  if (w.is_object() && w.contains(key) && w[key].is_array()) return std::to_string(w[key].size());
  return CellText(w, key);
}

std::string LastSeenText(const Json& w, int64_t now_us) {
  if (!IsInt(w, "last_seen_us")) return "-";
  int64_t age = now_us - w["last_seen_us"].get<int64_t>();
  if (age < 0) age = 0;
  return FormatDuration(Duration(age)) + " ago";
}

}  // namespace

std::string FormatWorkerTable(const Json& workers, int64_t now_us) {
  if (!workers.is_array() || workers.empty()) return "no workers\n";
  constexpr const char* kRow = "{:<6} {:<28} {:<16} {:<9} {:>9} {:>10} {:>5} {:>8}  {}\n";
  std::string out = fmt::format(kRow, "ID", "NAME", "HOST", "STATE", "CORES", "MEMORY", "GPUS",
                                "RUNNING", "LAST SEEN");
  for (const Json& w : workers) {
    std::string name = CellText(w, "name");
    if (w.is_object() && w.contains("executor") && w["executor"].is_string()) {
      name += " [" + w["executor"].get<std::string>() + "]";  // runs each task as a Slurm job
    }
    out += fmt::format(kRow, CellText(w, "id"), name, CellText(w, "host"),
                       CellText(w, "state"), CoresText(w), MemoryText(w), CountText(w, "gpus"),
                       CountText(w, "running"), LastSeenText(w, now_us));
  }
  return out;
}

}  // namespace allot
