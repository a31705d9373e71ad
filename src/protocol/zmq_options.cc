#include "protocol/zmq_options.h"

#include <zmq.h>

#include <cerrno>
#include <cstdint>

namespace allot {

Status SetIntOption(void* socket, int option, int value) {
  if (zmq_setsockopt(socket, option, &value, sizeof(value)) != 0) {
    return Status::IoError("zmq_setsockopt(" + std::to_string(option) +
                           "): " + zmq_strerror(errno));
  }
  return Status::Ok();
}

Status SetStringOption(void* socket, int option, std::string_view value) {
  if (zmq_setsockopt(socket, option, value.data(), value.size()) != 0) {
    return Status::IoError("zmq_setsockopt(" + std::to_string(option) +
                           "): " + zmq_strerror(errno));
  }
  return Status::Ok();
}

Result<std::string> DecodeZ85Key(const std::string& key, std::string_view field) {
  uint8_t bytes[32];
  if (key.size() != 40 || zmq_z85_decode(bytes, key.c_str()) == nullptr) {
    return Status::InvalidArgument(std::string(field) + ": not a 40-character Z85 CURVE key");
  }
  return std::string(reinterpret_cast<const char*>(bytes), sizeof(bytes));
}

}  // namespace allot
