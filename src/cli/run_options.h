// The flags of `allot run`, as parsed.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace allot {

struct RunOptions {
  std::string tasks_file;      // positional or --tasks
  std::string relative_to;     // --relative-to: where the file's relative paths point
  std::string workdir = "allot-work";
  std::string db;              // default <workdir>/allot.db
  bool resume = false;
  bool retry_failed = false;   // with resume: failed and canceled tasks run again
  std::optional<int> cores;
  std::string memory;          // "16G"
  std::string gpus;            // "2" or "0,3"
  std::vector<std::string> resources;  // "licenses=4", repeatable
  int max_workers = 0;         // 0: no limit beyond the cores
  std::string end_time;        // --end-time: when the allocation ends (default SLURM_JOB_END_TIME)
  std::string end_margin = "60s";  // --end-margin: how long before it the run stops
  std::string preempt_after = "5min";  // --preempt-after DURATION|never
  std::string inject_failures;         // --inject-failures SPEC (server/failure_injection.h)
  std::vector<std::string> shares;     // --share PROJECT=WEIGHT, repeatable
  std::string share_half_life = "1h";  // --share-half-life
  std::string durability = "normal";
  std::string progress = "auto";
  std::string sample_interval = "1s";  // usage sampling of running tasks; "0": off
  std::string journal_busy_timeout = "60s";  // how long a locked journal is waited for
  bool accept_journal_loss = false;  // resume a journal that lost committed records
  bool quiet = false;
  std::string feed;              // --feed IN,OUT: submissions in, task ends out (JSON lines)
  std::string diagnostics_json;  // --diagnostics-json: where refused input's problems go as JSON
  // Not flags: set by commands that run a campaign through `allot run`'s path (allot study).
  std::string command = "run";   // names the command in messages ("allot run: ...")
  std::vector<std::pair<std::string, std::string>> meta;  // LocalCampaignOptions::meta
};

}  // namespace allot
