#include "cli/journal_command.h"

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/journal_source.h"
#include "journal/sqlite_journal.h"
#include "protocol/access_file.h"

namespace allot {
namespace {

// The journal the flags name, as the other read-only commands find it.
std::string JournalPath(const JournalSourceFlags& f) {
  if (!f.db.empty()) return f.db;
  if (!f.workdir.empty()) return f.workdir + "/allot.db";
  const char* env = std::getenv("ALLOT_SERVER_DIR");
  if (!f.server_dir.empty() || (env != nullptr && *env != '\0')) {
    return ResolveServerDir(f.server_dir) + "/journal.db";
  }
  return "allot-work/allot.db";
}

int Check(const JournalSourceFlags& flags) {
  const std::string path = JournalPath(flags);
  auto journal = SqliteJournal::OpenReadOnly(path);
  if (!journal.ok()) {
    fmt::print(stderr, "allot journal check: {}\n", journal.status().message());
    return ExitForStatus(journal.status());
  }
  int problems = 0;
  if (!(*journal)->loss().empty()) {
    fmt::print("{}\n", (*journal)->loss());
    ++problems;
  }
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<std::string>> integrity = (*journal)->CheckIntegrity();
  if (!integrity.ok()) {
    fmt::print("{}\n", integrity.status().message());
    ++problems;
  } else {
    for (const std::string& line : *integrity) fmt::print("{}: {}\n", path, line);
    problems += static_cast<int>(integrity->size());
  }
  Result<JournalContents> contents = (*journal)->Load();
  if (!contents.ok()) {
    fmt::print("{}\n", contents.status().message());
    ++problems;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (problems > 0) {
    fmt::print(stderr, "allot journal check: {}: {} problem{} found\n", path, problems,
               problems == 1 ? "" : "s");
    return kExitInternal;
  }
  fmt::print("{}: ok ({} tasks, {} events; checked in {:.1f} s)\n", path,
             contents->submissions.size(), contents->events.size(), seconds);
  return kExitOk;
}

}  // namespace

void AddJournalCommand(CLI::App* app, int* exit_code) {
  CLI::App* journal = app->add_subcommand("journal", "Inspect a campaign's journal");
  journal->require_subcommand(1);
  auto flags = std::make_shared<JournalSourceFlags>();
  CLI::App* check = journal->add_subcommand(
      "check",
      "Check a journal fully (SQLite integrity_check, lost commits, every record readable); "
      "read-only, safe while allot runs");
  AddJournalSourceOptions(check, flags.get());
  check->callback([flags, exit_code] { *exit_code = Check(*flags); });
}

}  // namespace allot
