#include "worker/checkpoint_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "model/glob.h"

namespace allot {
namespace {

namespace fs = std::filesystem;

constexpr const char* kManifestName = "MANIFEST.json";
constexpr const char* kWritingPrefix = ".writing-";
constexpr const char* kRejectedSuffix = ".rejected";

// The number a set's directory name holds ("7", or "7.rejected" when `rejected`); 0: neither.
int SetNumber(const std::string& name, bool* rejected) {
  std::string digits = name;
  *rejected = false;
  if (digits.size() > std::strlen(kRejectedSuffix) &&
      digits.compare(digits.size() - std::strlen(kRejectedSuffix), std::string::npos,
                     kRejectedSuffix) == 0) {
    digits.resize(digits.size() - std::strlen(kRejectedSuffix));
    *rejected = true;
  }
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return 0;
  }
  return std::stoi(digits);
}

// Sealed sets, newest first, and the largest number used (sealed or rejected).
std::vector<int> SealedSets(const std::string& root, int* largest) {
  std::vector<int> sets;
  *largest = 0;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(root, ec)) {
    bool rejected = false;
    const int n = SetNumber(e.path().filename().string(), &rejected);
    if (n == 0 || !e.is_directory(ec)) continue;
    *largest = std::max(*largest, n);
    if (!rejected) sets.push_back(n);
  }
  std::sort(sets.rbegin(), sets.rend());
  return sets;
}

Status SyncPath(const std::string& path, bool directory) {
  int fd = open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(path + ": " + std::strerror(errno));
  const int rc = fsync(fd);
  const int err = errno;
  close(fd);
  if (rc != 0) return Status::IoError(path + ": fsync: " + std::strerror(err));
  return Status::Ok();
}

}  // namespace

Result<std::string> Sha256OfFile(const std::string& path, int64_t* size) {
  static const bool ready = sodium_init() >= 0;
  if (!ready) return Status::Internal("libsodium could not be initialized");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(path + ": " + std::strerror(errno));
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<unsigned char> buffer(1 << 20);
  int64_t total = 0;
  for (;;) {
    ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return Status::IoError(path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    crypto_hash_sha256_update(&state, buffer.data(), static_cast<unsigned long long>(n));
    total += n;
  }
  close(fd);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * sizeof(digest));
  for (unsigned char b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  if (size != nullptr) *size = total;
  return hex;
}

std::string CheckpointStore::RootFor(const CheckpointSpec& spec, const std::string& task_id,
                                     const std::string& task_dir) {
  return spec.dir.empty() ? task_dir + "/checkpoints" : spec.dir + "/" + task_id;
}

Status CheckpointStore::Verify(const std::string& set_dir, CheckpointManifest* manifest) {
  const std::string path = set_dir + "/" + kManifestName;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Corruption(std::string(kManifestName) + ": missing (never sealed)");
  std::stringstream text;
  text << in.rdbuf();
  Result<CheckpointManifest> m = CheckpointManifestFromJson(text.str());
  if (!m.ok()) return Status::Corruption(std::string(kManifestName) + ": " + m.status().message());
  for (const CheckpointFile& f : m->files) {
    int64_t size = 0;
    Result<std::string> sha = Sha256OfFile(set_dir + "/" + f.path, &size);
    if (!sha.ok()) return Status::Corruption(f.path + ": missing or unreadable");
    if (size != f.size) {
      return Status::Corruption(f.path + ": " + std::to_string(size) + " bytes, its manifest says " +
                              std::to_string(f.size));
    }
    if (*sha != f.sha256) return Status::Corruption(f.path + ": SHA-256 differs from its manifest");
  }
  if (manifest != nullptr) *manifest = std::move(*m);
  return Status::Ok();
}

Result<PreparedCheckpoint> CheckpointStore::Prepare(uint32_t attempt) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) return Status::IoError("checkpoint directory " + root_ + ": " + ec.message());
  PreparedCheckpoint p;
  p.report.dir = root_;
  // What earlier attempts were writing when they ended without a seal (a crash) is not a
  // checkpoint.
  for (const fs::directory_entry& e : fs::directory_iterator(root_, ec)) {
    if (e.path().filename().string().rfind(kWritingPrefix, 0) == 0) fs::remove_all(e.path(), ec);
  }
  int largest = 0;
  for (int n : SealedSets(root_, &largest)) {
    const std::string dir = root_ + "/" + std::to_string(n);
    Status s = Verify(dir, nullptr);
    if (s.ok()) {
      p.restore_dir = dir;
      p.report.restored = n;
      break;
    }
    p.report.rejected.push_back("set " + std::to_string(n) + " (" + s.message() + ")");
    std::error_code rename_ec;
    fs::rename(dir, dir + kRejectedSuffix, rename_ec);
  }
  p.out_dir = root_ + "/" + kWritingPrefix + std::to_string(attempt);
  fs::create_directories(p.out_dir, ec);
  if (ec) return Status::IoError("checkpoint directory " + p.out_dir + ": " + ec.message());
  return p;
}

bool CheckpointStore::Discard(uint32_t attempt) {
  const std::string out_dir = root_ + "/" + kWritingPrefix + std::to_string(attempt);
  std::error_code ec;
  const bool wrote = fs::is_directory(out_dir, ec) && !fs::is_empty(out_dir, ec);
  fs::remove_all(out_dir, ec);
  return wrote;
}

Status CheckpointStore::Seal(uint32_t attempt, const CheckpointSpec& spec, int64_t now_us,
                             CheckpointReport* report) {
  const std::string out_dir = root_ + "/" + kWritingPrefix + std::to_string(attempt);
  std::error_code ec;
  if (!fs::is_directory(out_dir, ec)) return Status::Ok();  // never prepared (did not start)
  CheckpointManifest m;
  m.attempt = attempt;
  m.sealed_us = now_us;
  std::vector<std::string> paths;
  for (auto it = fs::recursive_directory_iterator(out_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::string rel = fs::relative(it->path(), out_dir, ec).generic_string();
    if (rel != kManifestName) paths.push_back(std::move(rel));
  }
  std::sort(paths.begin(), paths.end());
  auto discard = [&](std::string why) {
    report->incomplete = std::move(why);
    std::error_code rm;
    fs::remove_all(out_dir, rm);
    return Status::Ok();
  };
  if (paths.empty()) {
    fs::remove_all(out_dir, ec);
    return Status::Ok();  // wrote nothing: no checkpoint (not a problem by itself)
  }
  for (const std::string& pattern : spec.files) {
    bool found = std::any_of(paths.begin(), paths.end(),
                             [&](const std::string& p) { return GlobMatch(pattern, p); });
    if (!found) return discard("no file matches '" + pattern + "' of checkpoint.files");
  }
  for (const std::string& rel : paths) {
    const std::string path = out_dir + "/" + rel;
    CheckpointFile f;
    f.path = rel;
    Result<std::string> sha = Sha256OfFile(path, &f.size);
    if (!sha.ok()) return discard(sha.status().message());
    f.sha256 = std::move(*sha);
    ALLOT_RETURN_IF_ERROR(SyncPath(path, false));
    m.files.push_back(std::move(f));
  }
  int largest = 0;
  std::vector<int> sets = SealedSets(root_, &largest);
  m.set = largest + 1;
  {
    const std::string manifest = out_dir + "/" + kManifestName;
    std::ofstream out(manifest, std::ios::binary | std::ios::trunc);
    out << CheckpointManifestToJson(m) << "\n";
    out.close();
    if (!out) return Status::IoError(manifest + ": cannot be written");
    ALLOT_RETURN_IF_ERROR(SyncPath(manifest, false));
    ALLOT_RETURN_IF_ERROR(SyncPath(out_dir, true));
  }
  const std::string set_dir = root_ + "/" + std::to_string(m.set);
  fs::rename(out_dir, set_dir, ec);
  if (ec) return Status::IoError("checkpoint " + set_dir + ": " + ec.message());
  ALLOT_RETURN_IF_ERROR(SyncPath(root_, true));
  sets.insert(sets.begin(), m.set);
  for (size_t i = static_cast<size_t>(std::max(1, spec.keep)); i < sets.size(); ++i) {
    fs::remove_all(root_ + "/" + std::to_string(sets[i]), ec);
  }
  report->sealed = std::move(m);
  return Status::Ok();
}

}  // namespace allot
