// ProfileUpdate -> JSON (see model/profile_update.h for the shape). Durations in seconds as
// numbers and memory in bytes, as in task files; absent fields are left out.
#pragma once

#include <nlohmann/json.hpp>

#include "model/profile_update.h"

namespace allot {

nlohmann::json ProfileUpdateToJson(const ProfileUpdate& update);

}  // namespace allot
