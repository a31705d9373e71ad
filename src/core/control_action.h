// ControlAction: what a person may do to a task (docs/CLUSTER.md, "Control semantics").
#pragma once

#include <optional>
#include <string_view>

namespace allot {

// kCheckpoint: send a running checkpointing task its checkpoint signal (model/checkpoint_spec.h).
enum class ControlAction { kCancel, kPause, kResume, kSkip, kHold, kRelease, kCheckpoint };

// "cancel", "pause", "resume", "skip", "hold", "release", "checkpoint".
std::string_view ControlActionName(ControlAction action);
std::optional<ControlAction> ParseControlAction(std::string_view name);

}  // namespace allot
