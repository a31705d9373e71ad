// ProfileUpdate: the record emitted when a profile's learned requirements change, in the shape
// users know from other workflow tools:
//   {"profile": P, ["task_id": T,] "command": "update",
//    "execution_requirement": {"time": S, "cpus": {"min", "max"}, "memory": {"min", "max"},
//                              "threads": {"min", "max"}}}
// A plain value: the core computes it (core/profile/profile_update_builder.h), this layer
// writes it (model/profile_update_json.h), so the shape lives beside the task-file shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/time.h"

namespace allot {

struct IntRange {
  int64_t min = 0;
  int64_t max = 0;
  friend bool operator==(const IntRange&, const IntRange&) = default;
};

struct ProfileUpdate {
  std::string profile;
  std::optional<std::string> task_id;  // the task whose attempt triggered the update
  // Each absent while nothing was learned about it.
  std::optional<Duration> time;     // the time estimate tasks of this profile get
  std::optional<IntRange> cpus;     // cores actually used
  std::optional<IntRange> memory;   // bytes, the safety margin included
  std::optional<IntRange> threads;  // parallelism achieved (threads are not counted)
};

}  // namespace allot
