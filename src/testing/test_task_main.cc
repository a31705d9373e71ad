// allot-test-task: a task that misbehaves on purpose, for launcher, worker and end-to-end tests.
// Self-contained (std + POSIX only). Whatever the order on the command line, the flags act in
// this order:
//
//   --ignore-term          ignore SIGTERM (set first, so it holds once the pidfile exists)
//   --pidfile PATH         write "<pid>\n" (atomically: a reader never sees a partial file)
//   --alloc-mib N          allocate and touch N MiB, kept until exit
//   --stdout-bytes N       write N bytes to stdout ("xxx...\n" lines)
//   --stderr-bytes N       write N bytes to stderr
//   --print-env NAME       print "NAME=value" ("unset NAME" when unset); repeatable
//   --print-affinity       print "affinity=0,1" (the CPUs this process may run on)
//   --spin SECONDS         burn SECONDS of CPU time
//   --grandchild SECONDS   fork a child in the same process group that writes its pid to
//                          "<pidfile>.grandchild" (when --pidfile is given) and sleeps SECONDS;
//                          the task goes on once that file exists
//   --detach MODE          start a process that leaves the task's process group, by MODE:
//                            setsid       a child that calls setsid()
//                            setpgid      a child that moves to a new process group
//                            double-fork  a child that calls setsid() and forks again, then
//                                         exits: a daemon, orphaned at once
//                          It execs allot-test-task --pidfile <pidfile>.detached [--spin S]
//                          --touch <pidfile>.detached.ready --sleep S2 (needs --pidfile); the
//                          task goes on once <pidfile>.detached.ready exists (after the spin)
//   --detach-spin SECONDS  CPU the detached process burns before it is ready (default 0)
//   --detach-sleep SECONDS how long it sleeps then (default 300)
//   --detach-empty-env     the detached process runs with an empty environment
//   --touch PATH           create PATH (empty)
//   --sleep SECONDS        sleep
//   --fail-first N --state-file PATH
//                          exit 1 while the counter in PATH is < N, incrementing it
//   --exit CODE            exit code (default 0)
//   --signal SIG           finally raise SIG (number or name, e.g. TERM, SIGKILL) on itself
//
// Or, with --simulate STEPS, a checkpointing simulation (and nothing of the above):
//   --simulate STEPS       run STEPS steps over a state of --state-mib MiB (default 1; or
//                          --state-kib KiB, for many light simulations), seeded
//                          by --seed TEXT (default $ALLOT_TASK_ID); each step mixes every word
//                          of the state with the step number, then sleeps --step-seconds
//                          (default 0.01: "scaled time", one step stands for minutes of a
//                          real simulation). The state after STEPS steps depends on every
//                          step, so its digest proves a bit-exact continuation.
//   It starts from $ALLOT_CHECKPOINT_DIR (state.bin, step.txt) when that names a set, and on
//   --checkpoint-signal SIG (default TERM; USR1 too) writes state.bin and step.txt into
//   $ALLOT_CHECKPOINT_OUT after the step under way and exits --checkpoint-exit CODE (default
//   85); --checkpoint-every-steps K does so by itself every K steps. At the end it prints
//   "steps STEPS digest <16 hex>" (and writes it to --output PATH). --progress PATH gets
//   "start S\n" when it starts and one '.' per step computed: the work done, lost work
//   included. A corrupted state.bin (its digest in step.txt differs) is an error (exit 4).
//
// Bad flags print the usage to stderr and exit 2.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr char kUsage[] =
    "usage: allot-test-task [--pidfile PATH] [--alloc-mib N] [--stdout-bytes N]\n"
    "         [--stderr-bytes N] [--print-env NAME]... [--print-affinity] [--spin SECONDS]\n"
    "         [--ignore-term] [--grandchild SECONDS] [--detach setsid|setpgid|double-fork\n"
    "         [--detach-spin SECONDS] [--detach-sleep SECONDS] [--detach-empty-env]]\n"
    "         [--touch PATH] [--sleep SECONDS]\n"
    "         [--fail-first N --state-file PATH] [--exit CODE] [--signal SIG]\n";

struct Options {
  std::string pidfile;
  long alloc_mib = 0;
  long stdout_bytes = 0;
  long stderr_bytes = 0;
  std::vector<std::string> print_env;
  bool print_affinity = false;
  double spin_seconds = 0;
  bool ignore_term = false;
  std::optional<double> grandchild_seconds;
  std::string detach;  // "", "setsid", "setpgid" or "double-fork"
  double detach_spin_seconds = 0;
  double detach_sleep_seconds = 300;
  bool detach_empty_env = false;
  std::string touch;
  double sleep_seconds = 0;
  long fail_first = 0;
  std::string state_file;
  int exit_code = 0;
  int signal = 0;
};

[[noreturn]] void Usage(const std::string& problem) {
  std::fprintf(stderr, "allot-test-task: %s\n%s", problem.c_str(), kUsage);
  std::exit(2);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "allot-test-task: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(3);
}

long ParseCount(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < 0) {
    Usage(flag + ": expected a non-negative integer, got '" + text + "'");
  }
  return value;
}

double ParseSeconds(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !(value >= 0)) {
    Usage(flag + ": expected a non-negative number of seconds, got '" + text + "'");
  }
  return value;
}

int ParseSignal(const std::string& text) {
  if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    long value = ParseCount("--signal", text);
    if (value < 1 || value >= NSIG) Usage("--signal: no signal " + text);
    return static_cast<int>(value);
  }
  std::string_view name = text;
  if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && name == abbrev) return sig;
  }
  Usage("--signal: unknown signal '" + text + "'");
}

Options ParseFlags(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::optional<std::string> inline_value;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    auto value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= argc) Usage(flag + ": missing value");
      return argv[++i];
    };
    auto no_value = [&] {
      if (inline_value) Usage(flag + " takes no value");
    };
    if (flag == "--pidfile") {
      options.pidfile = value();
    } else if (flag == "--alloc-mib") {
      options.alloc_mib = ParseCount(flag, value());
    } else if (flag == "--stdout-bytes") {
      options.stdout_bytes = ParseCount(flag, value());
    } else if (flag == "--stderr-bytes") {
      options.stderr_bytes = ParseCount(flag, value());
    } else if (flag == "--print-env") {
      options.print_env.push_back(value());
    } else if (flag == "--print-affinity") {
      no_value();
      options.print_affinity = true;
    } else if (flag == "--spin") {
      options.spin_seconds = ParseSeconds(flag, value());
    } else if (flag == "--ignore-term") {
      no_value();
      options.ignore_term = true;
    } else if (flag == "--grandchild") {
      options.grandchild_seconds = ParseSeconds(flag, value());
    } else if (flag == "--detach") {
      options.detach = value();
      if (options.detach != "setsid" && options.detach != "setpgid" &&
          options.detach != "double-fork") {
        Usage("--detach: expected setsid, setpgid or double-fork, got '" + options.detach + "'");
      }
    } else if (flag == "--detach-spin") {
      options.detach_spin_seconds = ParseSeconds(flag, value());
    } else if (flag == "--detach-sleep") {
      options.detach_sleep_seconds = ParseSeconds(flag, value());
    } else if (flag == "--detach-empty-env") {
      no_value();
      options.detach_empty_env = true;
    } else if (flag == "--touch") {
      options.touch = value();
    } else if (flag == "--sleep") {
      options.sleep_seconds = ParseSeconds(flag, value());
    } else if (flag == "--fail-first") {
      options.fail_first = ParseCount(flag, value());
    } else if (flag == "--state-file") {
      options.state_file = value();
    } else if (flag == "--exit") {
      long code = ParseCount(flag, value());
      if (code > 255) Usage("--exit: codes are 0..255");
      options.exit_code = static_cast<int>(code);
    } else if (flag == "--signal") {
      options.signal = ParseSignal(value());
    } else {
      Usage("unknown flag '" + flag + "'");
    }
  }
  if (options.fail_first > 0 && options.state_file.empty()) {
    Usage("--fail-first needs --state-file");
  }
  if (!options.detach.empty() && options.pidfile.empty()) Usage("--detach needs --pidfile");
  return options;
}

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      Die("write");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// Writes `content` to `path` through a temporary file and a rename.
void WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Die("open " + tmp);
  WriteAll(fd, content.data(), content.size());
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) Die("rename " + tmp);
}

void WriteBytes(int fd, long count) {
  std::string line(64, 'x');
  line.back() = '\n';
  while (count > 0) {
    size_t n = static_cast<size_t>(std::min<long>(count, static_cast<long>(line.size())));
    if (n < line.size()) line[n - 1] = '\n';
    WriteAll(fd, line.data(), n);
    count -= static_cast<long>(n);
  }
}

void PrintAffinity() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) Die("sched_getaffinity");
  std::string text = "affinity=";
  bool first = true;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    if (!first) text += ',';
    text += std::to_string(cpu);
    first = false;
  }
  text += '\n';
  WriteAll(STDOUT_FILENO, text.data(), text.size());
}

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void Spin(double seconds) {
  double end = CpuSeconds() + seconds;
  volatile uint64_t sink = 0;
  while (CpuSeconds() < end) {
    for (int i = 0; i < 100000; ++i) sink = sink * 6364136223846793005ULL + 1;
  }
}

void Sleep(double seconds) {
  timespec remaining;
  remaining.tv_sec = static_cast<time_t>(seconds);
  remaining.tv_nsec = static_cast<long>((seconds - static_cast<double>(remaining.tv_sec)) * 1e9);
  while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
  }
}

// Returns once the grandchild has written its pidfile, so whoever sees this process exit (or
// its --touch file appear) can rely on "<pidfile>.grandchild" being there.
void StartGrandchild(const Options& options) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) Die("pipe2");
  pid_t pid = fork();
  if (pid < 0) Die("fork");
  if (pid > 0) {
    close(ready[1]);
    char byte;
    while (read(ready[0], &byte, 1) < 0 && errno == EINTR) {
    }
    close(ready[0]);
    return;
  }
  close(ready[0]);
  if (!options.pidfile.empty()) {
    WriteFileAtomically(options.pidfile + ".grandchild", std::to_string(getpid()) + "\n");
  }
  close(ready[1]);
  Sleep(*options.grandchild_seconds);
  _exit(0);
}

// Starts the detached process (see --detach) and returns once it is ready.
void StartDetached(const Options& options) {
  char self[4096];
  ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (length < 0) Die("readlink /proc/self/exe");
  self[length] = '\0';
  const std::string ready = options.pidfile + ".detached.ready";
  std::vector<std::string> args = {self, "--pidfile", options.pidfile + ".detached"};
  if (options.detach_spin_seconds > 0) {
    args.insert(args.end(), {"--spin", std::to_string(options.detach_spin_seconds)});
  }
  args.insert(args.end(),
              {"--touch", ready, "--sleep", std::to_string(options.detach_sleep_seconds)});
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  char* no_env[] = {nullptr};
  char* const* envp = options.detach_empty_env ? no_env : environ;

  pid_t pid = fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    if (options.detach == "setpgid") {
      if (setpgid(0, 0) != 0) _exit(3);
    } else if (setsid() < 0) {
      _exit(3);
    }
    if (options.detach == "double-fork") {
      pid_t daemon = fork();
      if (daemon != 0) _exit(daemon < 0 ? 3 : 0);
    }
    execve(self, argv.data(), envp);
    _exit(127);
  }
  if (options.detach == "double-fork") {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      errno = ECHILD;
      Die("the middle process of the double fork");
    }
  }
  // Polling is fine here: the detached process may be anywhere, and this is a test task.
  struct stat st;
  for (int waited_ms = 0; stat(ready.c_str(), &st) != 0; waited_ms += 10) {
    if (waited_ms > 300'000) {
      errno = ETIMEDOUT;
      Die("waiting for " + ready);
    }
    Sleep(0.01);
  }
}

// Returns true when this run must fail (and has counted itself).
bool CountFailure(const Options& options) {
  long count = 0;
  if (FILE* file = std::fopen(options.state_file.c_str(), "r")) {
    if (std::fscanf(file, "%ld", &count) != 1) count = 0;
    std::fclose(file);
  }
  if (count >= options.fail_first) return false;
  WriteFileAtomically(options.state_file, std::to_string(count + 1) + "\n");
  return true;
}

// ---- --simulate ----------------------------------------------------------------------------

volatile sig_atomic_t g_checkpoint_asked = 0;
void AskCheckpoint(int) { g_checkpoint_asked = 1; }

uint64_t Digest(const std::vector<uint64_t>& state) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the words
  for (uint64_t w : state) {
    h ^= w;
    h *= 1099511628211ull;
  }
  return h;
}

std::string Hex(uint64_t v) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(v));
  return text;
}

void WriteFile(const std::string& path, const void* data, size_t size) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Die("open " + path);
  WriteAll(fd, static_cast<const char*>(data), size);
  close(fd);
}

bool ReadFile(const std::string& path, std::string* out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char buffer[1 << 16];
  size_t n;
  out->clear();
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) out->append(buffer, n);
  std::fclose(f);
  return true;
}

int Simulate(int argc, char** argv) {
  long steps = 0, state_mib = 1, state_kib = 0, checkpoint_exit = 85, every_steps = 0;
  double step_seconds = 0.01;
  std::string seed = std::getenv("ALLOT_TASK_ID") ? std::getenv("ALLOT_TASK_ID") : "";
  std::string output, progress;
  int checkpoint_signal = SIGTERM;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(flag + ": missing value");
      return argv[++i];
    };
    if (flag == "--simulate") steps = ParseCount(flag, value());
    else if (flag == "--state-mib") state_mib = ParseCount(flag, value());
    else if (flag == "--state-kib") state_kib = ParseCount(flag, value());
    else if (flag == "--step-seconds") step_seconds = ParseSeconds(flag, value());
    else if (flag == "--seed") seed = value();
    else if (flag == "--output") output = value();
    else if (flag == "--progress") progress = value();
    else if (flag == "--checkpoint-signal") checkpoint_signal = ParseSignal(value());
    else if (flag == "--checkpoint-exit") checkpoint_exit = ParseCount(flag, value());
    else if (flag == "--checkpoint-every-steps") every_steps = ParseCount(flag, value());
    else Usage("--simulate: unknown flag '" + flag + "'");
  }
  if (state_mib < 1 || checkpoint_exit < 1 || checkpoint_exit > 255) {
    Usage("--simulate: --state-mib must be at least 1, --checkpoint-exit 1..255");
  }
  struct sigaction sa = {};
  sa.sa_handler = AskCheckpoint;
  sigaction(checkpoint_signal, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);

  const size_t state_bytes = state_kib > 0 ? static_cast<size_t>(state_kib) << 10
                                           : static_cast<size_t>(state_mib) << 20;
  std::vector<uint64_t> state(state_bytes / sizeof(uint64_t));
  long step = 0;
  const char* from = std::getenv("ALLOT_CHECKPOINT_DIR");
  std::string text;
  if (from != nullptr && *from != '\0' && ReadFile(std::string(from) + "/step.txt", &text)) {
    unsigned long long digest = 0;
    if (std::sscanf(text.c_str(), "%ld %llx", &step, &digest) != 2) {
      std::fprintf(stderr, "allot-test-task: %s/step.txt: unreadable\n", from);
      return 4;
    }
    std::string bytes;
    if (!ReadFile(std::string(from) + "/state.bin", &bytes) ||
        bytes.size() != state.size() * sizeof(uint64_t)) {
      std::fprintf(stderr, "allot-test-task: %s/state.bin: missing or of the wrong size\n", from);
      return 4;
    }
    std::memcpy(state.data(), bytes.data(), bytes.size());
    if (Digest(state) != digest) {
      std::fprintf(stderr, "allot-test-task: %s/state.bin: corrupted (digest differs)\n", from);
      return 4;
    }
    std::fprintf(stderr, "resumed at step %ld from %s\n", step, from);
  } else {
    uint64_t x = 88172645463325252ull;
    for (char c : seed) x = (x ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    for (uint64_t& w : state) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      w = x;
    }
  }
  int progress_fd = -1;
  if (!progress.empty()) {
    progress_fd = open(progress.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (progress_fd < 0) Die("open " + progress);
    std::string line = "start " + std::to_string(step) + "\n";
    WriteAll(progress_fd, line.data(), line.size());
  }
  auto checkpoint = [&]() {
    const char* out = std::getenv("ALLOT_CHECKPOINT_OUT");
    if (out == nullptr || *out == '\0') {
      std::fprintf(stderr, "allot-test-task: asked for a checkpoint without ALLOT_CHECKPOINT_OUT\n");
      std::exit(3);
    }
    WriteFile(std::string(out) + "/state.bin", state.data(), state.size() * sizeof(uint64_t));
    std::string meta = std::to_string(step) + " " + Hex(Digest(state)) + "\n";
    WriteFile(std::string(out) + "/step.txt", meta.data(), meta.size());
    std::fprintf(stderr, "checkpointed at step %ld\n", step);
    std::exit(static_cast<int>(checkpoint_exit));
  };
  while (step < steps) {
    const uint64_t k = static_cast<uint64_t>(step + 1) * 0x9e3779b97f4a7c15ull;
    uint64_t carry = k;
    for (uint64_t& w : state) {
      w = (w ^ carry) * 0xff51afd7ed558ccdull;
      w ^= w >> 33;
      carry = w + k;
    }
    ++step;
    if (progress_fd >= 0) WriteAll(progress_fd, ".", 1);
    if (step_seconds > 0) Sleep(step_seconds);
    if (step == steps) break;
    if (g_checkpoint_asked || (every_steps > 0 && step % every_steps == 0)) checkpoint();
  }
  std::string result = "steps " + std::to_string(steps) + " digest " + Hex(Digest(state)) + "\n";
  WriteAll(STDOUT_FILENO, result.data(), result.size());
  if (!output.empty()) WriteFile(output, result.data(), result.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--simulate") return Simulate(argc, argv);
  }
  Options options = ParseFlags(argc, argv);

  if (options.ignore_term) signal(SIGTERM, SIG_IGN);
  if (!options.pidfile.empty()) {
    WriteFileAtomically(options.pidfile, std::to_string(getpid()) + "\n");
  }
  if (options.alloc_mib > 0) {
    size_t size = static_cast<size_t>(options.alloc_mib) << 20;
    auto* memory = static_cast<volatile char*>(std::malloc(size));
    if (memory == nullptr) Die("malloc");
    for (size_t offset = 0; offset < size; offset += 4096) memory[offset] = 1;
  }
  if (options.stdout_bytes > 0) WriteBytes(STDOUT_FILENO, options.stdout_bytes);
  if (options.stderr_bytes > 0) WriteBytes(STDERR_FILENO, options.stderr_bytes);
  for (const std::string& name : options.print_env) {
    const char* value = std::getenv(name.c_str());
    std::string line = value ? name + "=" + value + "\n" : "unset " + name + "\n";
    WriteAll(STDOUT_FILENO, line.data(), line.size());
  }
  if (options.print_affinity) PrintAffinity();
  if (options.spin_seconds > 0) Spin(options.spin_seconds);
  if (options.grandchild_seconds) StartGrandchild(options);
  if (!options.detach.empty()) StartDetached(options);
  if (!options.touch.empty()) {
    int fd = open(options.touch.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) Die("open " + options.touch);
    close(fd);
  }
  if (options.sleep_seconds > 0) Sleep(options.sleep_seconds);
  if (options.fail_first > 0 && CountFailure(options)) return 1;
  if (options.signal != 0) {
    rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(options.signal, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, options.signal);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    raise(options.signal);
  }
  return options.exit_code;
}
