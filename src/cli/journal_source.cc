#include "cli/journal_source.h"

#include <unistd.h>

#include <cstdlib>

#include "client/api_client.h"
#include "journal/sqlite_journal.h"
#include "protocol/access_file.h"

namespace allot {

void AddJournalSourceOptions(CLI::App* cmd, JournalSourceFlags* flags) {
  cmd->add_option("--workdir", flags->workdir, "An `allot run` work directory (its allot.db)");
  cmd->add_option("--db", flags->db, "An `allot run` journal file");
  cmd->add_option("--server-dir", flags->server_dir,
                  "A server's directory (default $ALLOT_SERVER_DIR when no --workdir/--db)");
}

Result<CampaignSnapshot> LoadCampaign(const JournalSourceFlags& flags) {
  CampaignSnapshot snap;
  std::string db;
  const char* env = std::getenv("ALLOT_SERVER_DIR");
  const bool local = !flags.workdir.empty() || !flags.db.empty() ||
                     (flags.server_dir.empty() && (env == nullptr || *env == '\0'));
  if (local) {
    db = !flags.db.empty() ? flags.db
                           : (flags.workdir.empty() ? "allot-work" : flags.workdir) + "/allot.db";
  } else {
    const std::string dir = ResolveServerDir(flags.server_dir);
    db = dir + "/journal.db";
    snap.server = true;
    ALLOT_ASSIGN_OR_RETURN(ApiClient client, ApiClient::Connect(dir));
    ALLOT_ASSIGN_OR_RETURN(nlohmann::json workers, client.Workers());
    for (const nlohmann::json& w : workers["workers"]) {
      const std::string state = w.value("state", "");
      if (state == "active" || state == "draining") snap.worker_cores.push_back(w.value("cores", 0));
    }
  }
  if (access(db.c_str(), F_OK) != 0) return Status::NotFound(db + ": no journal");
  ALLOT_ASSIGN_OR_RETURN(std::unique_ptr<SqliteJournal> journal, SqliteJournal::OpenReadOnly(db));
  ALLOT_ASSIGN_OR_RETURN(snap.contents, journal->Load());
  if (!snap.server) {
    for (const auto& [key, value] : snap.contents.meta) {
      if (key == "cores") snap.worker_cores.push_back(std::atoi(value.c_str()));
    }
  }
  return snap;
}

}  // namespace allot
