// The profile a task belongs to: tasks of one profile are expected to need alike (core/profile
// learns their time, memory and cores; `allot report --by profile` groups by it).
#pragma once

#include <string>
#include <string_view>

#include "model/task_spec.h"

namespace allot {

// tags.profile, else DerivedProfileName(id).
std::string TaskProfileName(const TaskSpec& spec);

// The task id without what a sweep substitutes at its end: trailing parts (between separators
// - _ . : @ + = ,) that hold a digit, and the separators ("sim-10-3" -> "sim", "reco_7" ->
// "reco", "sim-L1-s2" -> "sim"), never the first part ("geant4" stays); an id of digits and
// separators only stays whole ("7-3").
std::string DerivedProfileName(std::string_view task_id);

}  // namespace allot
