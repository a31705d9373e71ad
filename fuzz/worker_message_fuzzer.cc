// libFuzzer target: arbitrary bytes as a worker protocol frame, in both directions (the
// msgpack reader and the message decoders). A decoded message must encode, and decode again to
// an equal message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "protocol/worker_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  if (auto m = allot::DecodeWorkerToServer(frame); m.ok()) {
    const std::string once = allot::Encode(*m);
    auto again = allot::DecodeWorkerToServer(once);
    if (!again.ok() || !(*again == *m)) {
      std::fprintf(stderr, "worker->server message does not round-trip\n");
      std::abort();
    }
  }
  if (auto m = allot::DecodeServerToWorker(frame); m.ok()) {
    const std::string once = allot::Encode(*m);
    auto again = allot::DecodeServerToWorker(once);
    if (!again.ok() || !(*again == *m)) {
      std::fprintf(stderr, "server->worker message does not round-trip\n");
      std::abort();
    }
  }
  return 0;
}
