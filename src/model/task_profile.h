// The profile a task belongs to: tasks of one profile are expected to need alike (core/profile
// learns their time, memory and cores; `allot report --by profile` groups by it).
#pragma once

#include <string>
#include <string_view>

#include "model/task_spec.h"

namespace allot {

// tags.profile, else DerivedProfileName(id).
std::string TaskProfileName(const TaskSpec& spec);

// The task id without the numbers a sweep substitutes at its end, with their separators
// ("sim-10-3" -> "sim", "reco_7" -> "reco"); an id that is all digits and separators stays.
std::string DerivedProfileName(std::string_view task_id);

}  // namespace allot
