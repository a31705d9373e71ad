// Signal names as people write them: "TERM", "SIGTERM", "sigusr1" or a number ("15").
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace allot {

// The signal `text` names. InvalidArgument naming the accepted forms otherwise; SIGKILL and
// SIGSTOP (which no process can handle) and 0 are refused.
Result<int> ParseCatchableSignal(std::string_view text);
// "TERM", "USR1", ...; the number for a signal without a name here.
std::string SignalName(int signal);

}  // namespace allot
