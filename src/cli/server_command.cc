#include "cli/server_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "cli/exit_codes.h"
#include "cli/scheduling_flags.h"
#include "common/clock.h"
#include "common/units.h"
#include "protocol/access_file.h"
#include "server/cluster_server.h"

namespace allot {
namespace {

struct ServerStartOptions {
  std::string dir;
  std::string http_host = "127.0.0.1";
  int http_port = 0;
  std::string worker_host;
  int worker_port = 0;
  std::string worker_timeout = "30s";
  std::string alloc_interval = "10s";
  std::string durability = "normal";
  int crash_limit = 5;
  std::string preempt_after = "5min";
  std::vector<std::string> shares;
  std::string share_half_life = "1h";
  std::string journal_busy_timeout = "60s";
  bool accept_journal_loss = false;
};

int BadInput(const std::string& message) {
  std::fprintf(stderr, "allot server start: %s\n", message.c_str());
  return kExitBadInput;
}

int RunServer(const ServerStartOptions& o) {
  ClusterServerOptions options;
  options.dir = ResolveServerDir(o.dir);
  options.http_host = o.http_host;
  options.http_port = o.http_port;
  options.worker_host = o.worker_host;
  options.worker_port = o.worker_port;
  Result<Duration> timeout = ParseDuration(o.worker_timeout);
  if (!timeout.ok() || timeout.value() <= Duration(0)) {
    return BadInput("--worker-timeout " + o.worker_timeout + ": expected a positive duration");
  }
  options.worker_timeout = timeout.value();
  Result<Duration> alloc_interval = ParseDuration(o.alloc_interval);
  if (!alloc_interval.ok() || alloc_interval.value() <= Duration(0)) {
    return BadInput("--alloc-interval " + o.alloc_interval + ": expected a positive duration");
  }
  options.alloc_interval = alloc_interval.value();
  auto durability = ParseJournalDurability(o.durability);
  if (!durability) return BadInput("--durability " + o.durability + ": expected normal or full");
  options.durability = *durability;
  options.scheduler.crash_limit = o.crash_limit;
  auto preempt_after = ParsePreemptAfter(o.preempt_after);
  if (!preempt_after.ok()) return BadInput(preempt_after.status().message());
  options.scheduler.preempt_after = *preempt_after;
  auto share_weights = ParseShares(o.shares);
  if (!share_weights.ok()) return BadInput(share_weights.status().message());
  options.scheduler.share_weights = *share_weights;
  auto half_life = ParseShareHalfLife(o.share_half_life);
  if (!half_life.ok()) return BadInput(half_life.status().message());
  options.scheduler.share_half_life = *half_life;
  Result<Duration> busy = ParseDuration(o.journal_busy_timeout);
  if (!busy.ok() || busy.value() > std::chrono::hours(24)) {
    return BadInput("--journal-busy-timeout " + o.journal_busy_timeout +
                    ": expected a duration of at most 24h, such as 60s or 10min (0: no wait)");
  }
  options.journal_busy_timeout_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(busy.value()).count());
  options.accept_journal_loss = o.accept_journal_loss;
  options.accept_journal_loss_hint =
      "restore its -wal file if you still have it, or start with --accept-journal-loss to "
      "continue from what the file holds";
  Result<std::unique_ptr<ClusterServer>> server =
      ClusterServer::Create(options, SystemClock::Default());
  if (!server.ok()) {
    std::fprintf(stderr, "allot server start: %s\n", server.status().message().c_str());
    return ExitForStatus(server.status());
  }
  std::fprintf(stderr, "allot server: access file %s\n",
               AccessFilePath(options.dir).c_str());
  Status s = server.value()->Run();
  return s.ok() ? kExitOk : kExitInternal;
}

}  // namespace

CLI::App* AddServerCommand(CLI::App* app, int* exit_code) {
  CLI::App* server = app->add_subcommand("server", "Run or stop a cluster-mode server");
  server->require_subcommand(1);
  auto o = std::make_shared<ServerStartOptions>();
  CLI::App* start = server->add_subcommand(
      "start", "Run a server in the foreground: scheduler, journal, worker endpoint, HTTP API");
  start->add_option("--dir", o->dir,
                    "Server directory (access.json, journal.db, output/); default "
                    "$ALLOT_SERVER_DIR, else ~/.allot/server");
  start->add_option("--http-host", o->http_host, "Address the HTTP API listens on")
      ->capture_default_str();
  start->add_option("--http-port", o->http_port, "HTTP port; 0: the last one, else any")
      ->check(CLI::Range(0, 65535));
  start->add_option("--worker-host", o->worker_host,
                    "Address the worker endpoint binds; default: the address this host's name "
                    "resolves to (a cluster node's, loopback on a laptop); '*': every interface");
  start->add_option("--worker-port", o->worker_port, "Worker port; 0: the last one, else any")
      ->check(CLI::Range(0, 65535));
  start->add_option("--worker-timeout", o->worker_timeout,
                    "A worker silent this long is lost; its tasks run again elsewhere")
      ->capture_default_str();
  start->add_option("--alloc-interval", o->alloc_interval,
                    "How often automatic allocations (allot alloc) ask Slurm and plan; new "
                    "work is planned for within a second")
      ->capture_default_str();
  start->add_option("--durability", o->durability, "normal (survives kill -9) or full")
      ->capture_default_str();
  start->add_option("--crash-limit", o->crash_limit,
                    "Times a task may be lost with its worker before it fails")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  start->add_option("--preempt-after", o->preempt_after,
                    "How long the highest-priority waiting task waits before running "
                    "`preemptible` tasks of lower priority make room (checkpointed, requeued); "
                    "never: no preemption")
      ->capture_default_str();
  start->add_option("--share", o->shares,
                    "Fair share: PROJECT=WEIGHT (repeatable) for tasks' tags.project (see "
                    "`allot share`)")
      ->allow_extra_args(false);
  start->add_option("--share-half-life", o->share_half_life,
                    "How fast fair share forgets usage")
      ->capture_default_str();
  start->add_option("--journal-busy-timeout", o->journal_busy_timeout,
                    "How long to wait for the journal when another process (the sqlite3 shell, "
                    "a backup) holds its lock, before stopping")
      ->capture_default_str();
  start->add_flag("--accept-journal-loss", o->accept_journal_loss,
                  "Start from a journal that lost committed records (its -wal file deleted or "
                  "damaged after a crash); finished tasks whose records were lost run again");
  start->callback([o, exit_code] { *exit_code = RunServer(*o); });
  return server;
}

}  // namespace allot
