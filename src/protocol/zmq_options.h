// Small helpers shared by the protocol layer's ZeroMQ sockets: checked setsockopt and Z85 keys.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace allot {

// Queued messages per peer before sends fail (server) or wait (worker). Messages are batches,
// so this is generous.
inline constexpr int kHighWaterMark = 100'000;

// IoError naming the option when zmq_setsockopt refuses.
Status SetIntOption(void* socket, int option, int value);
Status SetStringOption(void* socket, int option, std::string_view value);

// The 32 bytes of a 40-character Z85 CURVE key; InvalidArgument naming `field` otherwise.
Result<std::string> DecodeZ85Key(const std::string& key, std::string_view field);

}  // namespace allot
