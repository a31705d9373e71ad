#include "protocol/private_directory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace allot {
namespace {

std::string Octal(mode_t mode) {
  char text[16];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode));
  return text;
}

}  // namespace

Status MakePrivateDirectory(const std::string& path) {
  if (mkdir(path.c_str(), 0700) == 0) return Status::Ok();
  if (errno != EEXIST) return ErrnoStatus("cannot create " + path, errno);
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot inspect " + path, errno);
  if (!S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition(path + ": exists and is not a directory");
  }
  const mode_t mode = st.st_mode & 07777;
  if (st.st_uid != geteuid()) {
    return Status::FailedPrecondition(
        path + " is owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
        std::to_string(geteuid()) + "), with mode " + Octal(mode) +
        ": it cannot be made private, and its owner could read or replace what is kept there; "
        "use a directory of your own");
  }
  if ((mode & 077) != 0 && chmod(path.c_str(), mode & ~mode_t{077}) != 0) {
    return ErrnoStatus("cannot make " + path + " private (chmod from mode " + Octal(mode) + ")",
                       errno);
  }
  return Status::Ok();
}

}  // namespace allot
