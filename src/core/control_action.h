// ControlAction: what a person may do to a task (docs/CLUSTER.md, "Control semantics").
#pragma once

#include <optional>
#include <string_view>

namespace allot {

enum class ControlAction { kCancel, kPause, kResume, kSkip };

// "cancel", "pause", "resume", "skip".
std::string_view ControlActionName(ControlAction action);
std::optional<ControlAction> ParseControlAction(std::string_view name);

}  // namespace allot
