// ControlAction: what a person may do to a task (docs/CLUSTER.md, "Control semantics").
#pragma once

#include <optional>
#include <string_view>

namespace allot {

enum class ControlAction { kCancel, kPause, kResume, kSkip, kHold, kRelease };

// "cancel", "pause", "resume", "skip", "hold", "release".
std::string_view ControlActionName(ControlAction action);
std::optional<ControlAction> ParseControlAction(std::string_view name);

}  // namespace allot
