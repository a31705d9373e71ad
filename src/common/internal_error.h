// InternalError: the end of the road for a broken invariant (a bug, never bad input): writes
// "internal error: <message>" to stderr and aborts, in every build type. For the layers that
// must not do I/O themselves (core): the one sanctioned way to stop loudly.
#pragma once

#include <string_view>

namespace allot {

[[noreturn]] void InternalError(std::string_view message);

}  // namespace allot
