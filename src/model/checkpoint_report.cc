#include "model/checkpoint_report.h"

#include <nlohmann/json.hpp>

#include "common/units.h"

namespace allot {
namespace {

using nlohmann::json;

json ManifestJson(const CheckpointManifest& m) {
  json files = json::array();
  for (const CheckpointFile& f : m.files) {
    files.push_back({{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}});
  }
  return {{"set", m.set}, {"attempt", m.attempt}, {"sealed_us", m.sealed_us}, {"files", files}};
}

Result<CheckpointManifest> ManifestFrom(const json& j) {
  auto bad = [](const std::string& what) {
    return Status::Corruption("checkpoint manifest: " + what);
  };
  if (!j.is_object()) return bad("not a JSON object");
  CheckpointManifest m;
  const json* set = j.contains("set") ? &j["set"] : nullptr;
  if (set == nullptr || !set->is_number_integer() || set->get<int64_t>() < 1) {
    return bad("'set' must be a positive integer");
  }
  m.set = set->get<int>();
  if (j.contains("attempt") && j["attempt"].is_number_unsigned()) {
    m.attempt = j["attempt"].get<uint32_t>();
  }
  if (j.contains("sealed_us") && j["sealed_us"].is_number_integer()) {
    m.sealed_us = j["sealed_us"].get<int64_t>();
  }
  if (!j.contains("files") || !j["files"].is_array()) return bad("'files' must be a list");
  for (const json& f : j["files"]) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() ||
        !f.contains("size") || !f["size"].is_number_integer() || !f.contains("sha256") ||
        !f["sha256"].is_string() || f["sha256"].get_ref<const std::string&>().size() != 64) {
      return bad("every file needs 'path', 'size' and a 64-digit 'sha256'");
    }
    m.files.push_back({f["path"].get<std::string>(), f["size"].get<int64_t>(),
                       f["sha256"].get<std::string>()});
  }
  return m;
}

}  // namespace

int64_t CheckpointManifest::bytes() const {
  int64_t total = 0;
  for (const CheckpointFile& f : files) total += f.size;
  return total;
}

std::string CheckpointManifestToJson(const CheckpointManifest& m) {
  return ManifestJson(m).dump(1, '\t');
}

Result<CheckpointManifest> CheckpointManifestFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::Corruption("checkpoint manifest: not valid JSON");
  return ManifestFrom(j);
}

std::string CheckpointReportToJson(const CheckpointReport& r) {
  json j = json::object();
  if (!r.dir.empty()) j["dir"] = r.dir;
  if (r.restored) j["restored"] = *r.restored;
  if (!r.rejected.empty()) j["rejected"] = r.rejected;
  if (r.sealed) j["sealed"] = ManifestJson(*r.sealed);
  if (!r.incomplete.empty()) j["incomplete"] = r.incomplete;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<CheckpointReport> CheckpointReportFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  auto bad = [](const std::string& what) {
    return Status::Corruption("checkpoint record: " + what);
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  CheckpointReport r;
  if (j.contains("dir")) {
    if (!j["dir"].is_string()) return bad("'dir' must be a string");
    r.dir = j["dir"].get<std::string>();
  }
  if (j.contains("restored")) {
    if (!j["restored"].is_number_integer()) return bad("'restored' must be an integer");
    r.restored = j["restored"].get<int>();
  }
  if (j.contains("rejected")) {
    if (!j["rejected"].is_array()) return bad("'rejected' must be a list");
    for (const json& s : j["rejected"]) {
      if (!s.is_string()) return bad("'rejected' must be a list of strings");
      r.rejected.push_back(s.get<std::string>());
    }
  }
  if (j.contains("sealed")) {
    Result<CheckpointManifest> m = ManifestFrom(j["sealed"]);
    if (!m.ok()) return m.status();
    r.sealed = std::move(*m);
  }
  if (j.contains("incomplete")) {
    if (!j["incomplete"].is_string()) return bad("'incomplete' must be a string");
    r.incomplete = j["incomplete"].get<std::string>();
  }
  return r;
}

bool CheckpointRecordSealsASet(std::string_view json) {
  Result<CheckpointReport> r = CheckpointReportFromJson(json);
  return r.ok() && r->sealed.has_value();
}

std::string DescribeCheckpointReport(const CheckpointReport& r) {
  std::string out = r.restored ? "from set " + std::to_string(*r.restored) : "from the start";
  for (const std::string& why : r.rejected) out += "; rejected " + why;
  if (r.sealed) {
    out += "; left set " + std::to_string(r.sealed->set) + " (" +
           std::to_string(r.sealed->files.size()) +
           (r.sealed->files.size() == 1 ? " file, " : " files, ") +
           FormatSize(r.sealed->bytes()) + ")";
  }
  if (!r.incomplete.empty()) out += "; its checkpoint was not kept: " + r.incomplete;
  return out;
}

}  // namespace allot
