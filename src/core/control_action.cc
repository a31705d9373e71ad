#include "core/control_action.h"

namespace allot {

std::string_view ControlActionName(ControlAction action) {
  switch (action) {
    case ControlAction::kCancel: return "cancel";
    case ControlAction::kPause: return "pause";
    case ControlAction::kResume: return "resume";
    case ControlAction::kSkip: return "skip";
    case ControlAction::kHold: return "hold";
    case ControlAction::kRelease: return "release";
    case ControlAction::kCheckpoint: return "checkpoint";
  }
  return "?";
}

std::optional<ControlAction> ParseControlAction(std::string_view name) {
  for (ControlAction a : {ControlAction::kCancel, ControlAction::kPause, ControlAction::kResume,
                          ControlAction::kSkip, ControlAction::kHold, ControlAction::kRelease,
                          ControlAction::kCheckpoint}) {
    if (ControlActionName(a) == name) return a;
  }
  return std::nullopt;
}

}  // namespace allot
