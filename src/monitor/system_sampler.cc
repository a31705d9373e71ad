#include "monitor/system_sampler.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "monitor/proc_parsers.h"

namespace allot {
namespace {

constexpr size_t kInitialBuffer = 16 * 1024;

}  // namespace

SystemSampler::SystemSampler(Clock* clock) : SystemSampler(Paths(), clock) {}

SystemSampler::SystemSampler(Paths paths, Clock* clock)
    : paths_(std::move(paths)), clock_(clock), buffer_(kInitialBuffer) {}

Result<std::string_view> SystemSampler::ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path, errno);
  size_t len = 0;
  while (true) {
    if (len == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    const ssize_t n = ::read(fd, buffer_.data() + len, buffer_.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoStatus("read " + path, err);
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  return std::string_view(buffer_.data(), len);
}

Result<SystemSample> SystemSampler::Sample() {
  SystemSample sample;
  sample.taken_at = clock_->Now();
  {
    ALLOT_ASSIGN_OR_RETURN(std::string_view text, ReadFile(paths_.stat));
    ALLOT_ASSIGN_OR_RETURN(sample.cpu, ParseProcStat(text));
  }
  {
    ALLOT_ASSIGN_OR_RETURN(std::string_view text, ReadFile(paths_.meminfo));
    ALLOT_ASSIGN_OR_RETURN(sample.memory, ParseMeminfo(text));
  }
  {
    ALLOT_ASSIGN_OR_RETURN(std::string_view text, ReadFile(paths_.loadavg));
    ALLOT_ASSIGN_OR_RETURN(sample.load, ParseLoadavg(text));
  }
  return sample;
}

}  // namespace allot
