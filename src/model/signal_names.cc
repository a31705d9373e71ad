#include "model/signal_names.h"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <utility>

namespace allot {
namespace {

constexpr std::pair<const char*, int> kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ABRT", SIGABRT},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1},   {"USR2", SIGUSR2}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"CONT", SIGCONT},   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"XCPU", SIGXCPU}, {"WINCH", SIGWINCH}, {"PWR", SIGPWR},   {"URG", SIGURG},
};

}  // namespace

Result<int> ParseCatchableSignal(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string_view name = upper;
  if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
  int signal = 0;
  if (!name.empty() && std::all_of(name.begin(), name.end(),
                                   [](char c) { return c >= '0' && c <= '9'; })) {
    if (name.size() <= 2) signal = std::stoi(std::string(name));
    if (signal < 1 || signal > SIGRTMAX) signal = 0;
  } else {
    for (const auto& [n, s] : kSignals) {
      if (name == n) signal = s;
    }
  }
  if (signal == 0) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a signal; use a name like USR1, TERM or SIGINT, "
                                   "or a number");
  }
  if (signal == SIGKILL || signal == SIGSTOP) {
    return Status::InvalidArgument(SignalName(signal) +
                                   " cannot be caught, so no checkpoint can be written on it");
  }
  return signal;
}

std::string SignalName(int signal) {
  for (const auto& [n, s] : kSignals) {
    if (s == signal) return n;
  }
  return std::to_string(signal);
}

}  // namespace allot
