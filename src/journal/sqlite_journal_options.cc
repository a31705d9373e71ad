#include "journal/sqlite_journal_options.h"

namespace allot {

std::string_view JournalDurabilityName(JournalDurability d) {
  return d == JournalDurability::kFull ? "full" : "normal";
}

std::optional<JournalDurability> ParseJournalDurability(std::string_view name) {
  if (name == "normal") return JournalDurability::kNormal;
  if (name == "full") return JournalDurability::kFull;
  return std::nullopt;
}

}  // namespace allot
