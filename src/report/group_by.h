// GroupBy: how `allot report` groups attempts: by a task's project, scenario, profile, user or
// any tag. Pure functions of a TaskSpec; thread-compatible.
//
//   project   tags.project
//   scenario  tags.scenario
//   profile   tags.profile, else the task id with its trailing digits and separators stripped
//             ("sim-10-3" -> "sim", "reco_7" -> "reco"): the sweep's substituted numbers go,
//             the template's fixed name stays. Ids that are all digits keep their id.
//   user      tags.user, else the journal's owner (the caller passes it)
//   tag:KEY   tags.KEY
//   task      the task id (one group per task)
// A task without the tag falls in the group kNoGroup.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/task_profile.h"
#include "model/task_spec.h"

namespace allot {

inline constexpr std::string_view kNoGroup = "(none)";

struct GroupBy {
  enum class Kind { kProject, kScenario, kProfile, kUser, kTag, kTask };
  Kind kind = Kind::kProject;
  std::string tag_key;  // kTag only

  // As the user writes it: "project", "tag:site".
  std::string Name() const;
  bool operator==(const GroupBy&) const = default;
};

// "project", "scenario", "profile", "user", "task" or "tag:KEY" (KEY non-empty).
// InvalidArgument saying what is accepted otherwise.
Result<GroupBy> ParseGroupBy(std::string_view text);

// DerivedProfileName (the profile of a task without tags.profile): model/task_profile.h.

// The group of `spec` under `by`; `default_user` when grouping by user and the task has no
// tags.user.
std::string GroupOf(const TaskSpec& spec, const GroupBy& by, const std::string& default_user);

}  // namespace allot
