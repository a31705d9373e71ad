#include "common/internal_error.h"

#include <cstdio>
#include <cstdlib>

namespace allot {

void InternalError(std::string_view message) {
  std::fprintf(stderr, "internal error: %.*s\n", static_cast<int>(message.size()),
               message.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace allot
