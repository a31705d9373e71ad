#include "model/output_manifest.h"

#include <nlohmann/json.hpp>

namespace allot {

using json = nlohmann::json;

std::string OutputManifestToJson(const std::vector<OutputFile>& files) {
  json a = json::array();
  for (const OutputFile& f : files) {
    a.push_back({{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}});
  }
  return a.dump();
}

Result<std::vector<OutputFile>> OutputManifestFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return Status::Corruption("output manifest: expected a JSON array");
  std::vector<OutputFile> files;
  files.reserve(j.size());
  for (const json& e : j) {
    if (!e.is_object() || !e.contains("path") || !e["path"].is_string() ||
        !e.contains("size") || !e["size"].is_number_integer() || !e.contains("sha256") ||
        !e["sha256"].is_string()) {
      return Status::Corruption("output manifest: entry " + std::to_string(files.size() + 1) +
                                " needs path, size and sha256");
    }
    files.push_back({e["path"].get<std::string>(), e["size"].get<int64_t>(),
                     e["sha256"].get<std::string>()});
  }
  return files;
}

std::vector<std::string> OutputManifestPaths(const std::string& text) {
  std::vector<std::string> paths;
  if (text.empty()) return paths;
  Result<std::vector<OutputFile>> files = OutputManifestFromJson(text);
  if (!files.ok()) return paths;
  for (OutputFile& f : *files) paths.push_back(std::move(f.path));
  return paths;
}

}  // namespace allot
