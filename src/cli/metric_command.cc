#include "cli/metric_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "cli/exit_codes.h"
#include "model/metric_line.h"

namespace allot {
namespace {

struct MetricOptions {
  std::string name;
  std::string value;
  std::optional<int64_t> step;
};

int Fail(const std::string& why) {
  std::fprintf(stderr, "allot metric: %s\n", why.c_str());
  return kExitBadInput;
}

int Report(const MetricOptions& o) {
  if (Status s = CheckMetricName(o.name); !s.ok()) return Fail(s.message());
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(o.value.c_str(), &end);
  if (o.value.empty() || end == nullptr || *end != '\0' || errno == ERANGE ||
      !std::isfinite(value)) {
    return Fail("value '" + o.value + "' of metric '" + o.name + "' is not a finite number");
  }
  const char* path = std::getenv("ALLOT_METRICS_FILE");
  if (path == nullptr || *path == '\0') {
    return Fail("$ALLOT_METRICS_FILE is not set: run it inside a task that allot started");
  }
  const std::string line = MetricLine(o.name, value, o.step) + "\n";
  // One write of one line with O_APPEND: lines of processes that report at once never mix.
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return Fail(std::string(path) + ": " + std::strerror(errno));
  const ssize_t n = write(fd, line.data(), line.size());
  const int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    return Fail(std::string(path) + ": " + (n < 0 ? std::strerror(err) : "short write"));
  }
  return kExitOk;
}

}  // namespace

void AddMetricCommand(CLI::App* app, int* exit_code) {
  auto o = std::make_shared<MetricOptions>();
  CLI::App* cmd = app->add_subcommand(
      "metric",
      "Report an intermediate metric from inside a task (journaled, in `allot events`, the API "
      "and the report; scenario policies act on it)");
  cmd->add_option("NAME", o->name, "The metric's name: letters, digits and _ . : / - (64 at most)")
      ->required();
  cmd->add_option("VALUE", o->value, "A finite number")->required();
  cmd->add_option("--step", o->step, "Where the task is: an epoch, an iteration, events done")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o, exit_code] { *exit_code = Report(*o); });
}

}  // namespace allot
