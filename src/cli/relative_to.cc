#include "cli/relative_to.h"

#include <filesystem>
#include <system_error>

namespace allot {

Status ApplyRelativeTo(const std::string& dir, LoadOptions* load) {
  if (dir.empty()) return Status::Ok();
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::InvalidArgument("--relative-to " + dir + ": not a directory");
  }
  load->file_dir = fs::absolute(dir).lexically_normal().string();
  while (load->file_dir.size() > 1 && load->file_dir.back() == '/') load->file_dir.pop_back();
  return Status::Ok();
}

}  // namespace allot
