// Where the read-only commands (profiles, forecast) find a campaign: an `allot run` journal
// (--workdir DIR / --db FILE) or a server (--server-dir DIR / ALLOT_SERVER_DIR: its
// journal.db, read beside the running server, and its workers from the API).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "journal/journal_store.h"

namespace allot {

struct JournalSourceFlags {
  std::string workdir;
  std::string db;
  std::string server_dir;
};

void AddJournalSourceOptions(CLI::App* cmd, JournalSourceFlags* flags);

struct CampaignSnapshot {
  JournalContents contents;
  bool server = false;
  std::vector<int> worker_cores;  // active workers' cores (server), else the run's --cores
};

// Loads the journal (and, from a server, the active workers). NotFound / IoError naming the
// file or server directory.
Result<CampaignSnapshot> LoadCampaign(const JournalSourceFlags& flags);

}  // namespace allot
