#include "worker/output_check.h"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "worker/checkpoint_store.h"

namespace allot {
namespace {

namespace fs = std::filesystem;

// Adds the regular files at `path` not added before: itself, or those under it when it is a
// directory (sorted). Returns how many there are, added or not.
size_t AddFiles(const std::string& path, std::set<std::string>* seen,
                std::vector<std::string>* out) {
  std::error_code ec;
  size_t found = 0;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> under;
    for (auto it = fs::recursive_directory_iterator(path, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) under.push_back(it->path().string());
    }
    std::sort(under.begin(), under.end());
    found = under.size();
    for (std::string& f : under) {
      if (seen->insert(f).second) out->push_back(std::move(f));
    }
  } else if (fs::is_regular_file(path, ec)) {
    found = 1;
    if (seen->insert(path).second) out->push_back(path);
  }
  return found;
}

}  // namespace

Result<std::vector<std::string>> MatchOutputs(const std::vector<std::string>& patterns,
                                              const std::string& cwd) {
  std::vector<std::string> files;
  std::set<std::string> seen;
  for (const std::string& p : patterns) {
    const std::string full = !p.empty() && p[0] == '/' ? p : cwd + "/" + p;
    size_t found = 0;
    glob_t g{};
    // GLOB_NOCHECK is not set: a pattern without wildcards that names nothing matches nothing.
    if (glob(full.c_str(), GLOB_ERR, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        found += AddFiles(fs::path(g.gl_pathv[i]).lexically_normal().string(), &seen, &files);
      }
    }
    globfree(&g);
    if (found == 0) {
      return Status::NotFound("declared output '" + p + "' is missing (nothing matches " +
                              fs::path(full).lexically_normal().string() + ")");
    }
  }
  return files;
}

Result<std::vector<OutputFile>> DescribeOutputs(const std::vector<std::string>& files) {
  std::vector<OutputFile> out;
  out.reserve(files.size());
  for (const std::string& f : files) {
    OutputFile& o = out.emplace_back();
    o.path = f;
    ALLOT_ASSIGN_OR_RETURN(o.sha256, Sha256OfFile(f, &o.size));
  }
  return out;
}

}  // namespace allot
