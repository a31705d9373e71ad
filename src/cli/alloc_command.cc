#include "cli/alloc_command.h"

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "client/table_text.h"
#include "common/units.h"

namespace allot {
namespace {

using Json = nlohmann::json;

struct AddFlags {
  std::string server_dir;
  std::string kind;
  std::string name;
  std::string partition;
  std::string time_limit;
  int nodes = 1;
  int workers_per_alloc = 0;
  int cores_per_worker = 0;
  int min_workers = 0;
  int max_workers = 0;
  int max_pending = 1;
  std::string idle_timeout = "5m";
  double min_utilization = 0;
  std::string end_margin = "60s";
  std::string replace_before;
  bool dry_run = false;
  bool json = false;
  std::vector<std::string> sbatch_args;
};

struct CommonFlags {
  std::string server_dir;
  std::string queue;
  bool force = false;
  bool json = false;
  int64_t since = 0;
  int64_t limit = 1000;
};

int BadFlag(const std::string& flag, const std::string& why) {
  fmt::print(stderr, "allot alloc add: {}: {}\n", flag, why);
  return kExitBadInput;
}

int64_t SecondsOf(Duration d) { return (d.count() + 999999) / 1000000; }

std::string LocalTime(int64_t epoch_s) {
  std::time_t t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

int Add(const AddFlags& f) {
  if (f.kind != "slurm") {
    return BadFlag("KIND", "unknown kind '" + f.kind + "' (accepted: slurm)");
  }
  Json body = {{"kind", "slurm"}, {"nodes", f.nodes}, {"max_pending", f.max_pending},
               {"min_workers", f.min_workers}, {"min_utilization", f.min_utilization},
               {"sbatch_args", f.sbatch_args}, {"dry_run", f.dry_run}};
  Result<Duration> limit = ParseDuration(f.time_limit);
  if (!limit.ok() || *limit <= Duration::zero()) {
    return BadFlag("--time-limit", "expected a duration such as 30m, 2h or 1d, got '" +
                                       f.time_limit + "'");
  }
  body["time_limit_s"] = SecondsOf(*limit);
  Result<Duration> idle = ParseDuration(f.idle_timeout);
  if (!idle.ok()) {
    return BadFlag("--idle-timeout", "expected a duration such as 5m, got '" + f.idle_timeout + "'");
  }
  body["idle_timeout_s"] = SecondsOf(*idle);
  Result<Duration> margin = ParseDuration(f.end_margin);
  if (!margin.ok()) {
    return BadFlag("--end-margin", "expected a duration such as 60s, got '" + f.end_margin + "'");
  }
  body["end_margin_s"] = SecondsOf(*margin);
  if (!f.replace_before.empty()) {
    Result<Duration> before = ParseDuration(f.replace_before);
    if (!before.ok() || *before <= Duration::zero()) {
      return BadFlag("--replace-before",
                     "expected a duration such as 10m, got '" + f.replace_before + "'");
    }
    body["replace_before_s"] = SecondsOf(*before);
  }
  if (!f.name.empty()) body["name"] = f.name;
  if (!f.partition.empty()) body["partition"] = f.partition;
  if (f.workers_per_alloc > 0) body["workers_per_alloc"] = f.workers_per_alloc;
  if (f.cores_per_worker > 0) body["cores_per_worker"] = f.cores_per_worker;
  if (f.max_workers > 0) body["max_workers"] = f.max_workers;

  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("alloc add", f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<Json> answer = client->AllocAdd(body);
  if (!answer.ok()) return ReportClientError("alloc add", answer.status());
  if (f.json) {
    fmt::print("{}\n", answer->dump(2));
  } else if (f.dry_run) {
    fmt::print("queue '{}' would be accepted; Slurm says: {}\n",
               (*answer)["queue"].get<std::string>(), (*answer)["slurm"].get<std::string>());
  } else {
    const Json& q = (*answer)["queue"];
    const std::string partition = q["partition"].get<std::string>();
    fmt::print("queue '{}' added: partition {}, {} worker(s) of {} core(s) per allocation, "
               "{}-{} workers\n",
               q["name"].get<std::string>(), partition.empty() ? "(default)" : partition,
               q["workers_per_alloc"].get<int>(), q["cores_per_worker"].get<int>(),
               q["min_workers"].get<int>(), q["max_workers"].get<int>());
  }
  return kExitOk;
}

int List(const CommonFlags& f) {
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("alloc list", f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<Json> answer = client->AllocList();
  if (!answer.ok()) return ReportClientError("alloc list", answer.status());
  if (f.json) {
    fmt::print("{}\n", answer->dump(2));
    return kExitOk;
  }
  const Json& queues = (*answer)["queues"];
  if (queues.empty()) {
    fmt::print("no allocation queues (allot alloc add slurm --time-limit 1h ...)\n");
    return kExitOk;
  }
  fmt::print("{:<12} {:<7} {:<10} {:>7} {:>5} {:>9} {:>8} {:>7}  {}\n", "QUEUE", "STATE",
             "PARTITION", "LIMIT", "W/A", "WORKERS", "PENDING", "RUNNING", "REASON");
  for (const Json& q : queues) {
    int pending = 0, running = 0;
    for (const Json& a : q["allocations"]) {
      (a["state"] == "RUNNING" ? running : pending) += 1;
    }
    const std::string partition = q["partition"].get<std::string>();
    fmt::print("{:<12} {:<7} {:<10} {:>7} {:>5} {:>9} {:>8} {:>7}  {}\n",
               q["name"].get<std::string>(), q["state"].get<std::string>(),
               partition.empty() ? "(default)" : partition,
               FormatDuration(std::chrono::seconds(q["time_limit_s"].get<int64_t>())),
               q["workers_per_alloc"].get<int>(),
               fmt::format("{}-{}", q["min_workers"].get<int>(), q["max_workers"].get<int>()),
               pending, running, q["reason"].get<std::string>());
    for (const Json& a : q["allocations"]) {
      std::string end = a.contains("end_epoch") ? ", ends " + LocalTime(a["end_epoch"]) : "";
      fmt::print("  job {} {}{}\n", a["id"].get<std::string>(), a["state"].get<std::string>(),
                 end);
    }
  }
  return kExitOk;
}

int ControlQueue(const CommonFlags& f, const std::string& action) {
  const std::string command = "alloc " + action;
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport(command, f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<Json> answer = client->AllocControl(f.queue, action, f.force);
  if (!answer.ok()) return ReportClientError(command, answer.status());
  if (f.json) {
    fmt::print("{}\n", answer->dump(2));
  } else {
    const char* done = action == "pause" ? "paused" : action == "resume" ? "resumed" : "removed";
    fmt::print("queue '{}' {}\n", f.queue, done);
  }
  return kExitOk;
}

int Events(const CommonFlags& f) {
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("alloc events", f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<Json> answer = client->AllocEvents(f.queue, f.since, f.limit);
  if (!answer.ok()) return ReportClientError("alloc events", answer.status());
  if (f.json) {
    fmt::print("{}\n", answer->dump(2));
    return kExitOk;
  }
  for (const Json& e : (*answer)["events"]) {
    const std::string job = e["job"].get<std::string>();
    fmt::print("{:>5} {} {:<10} {:<15} {:<8} {}\n", e["seq"].get<int64_t>(),
               LocalTime(e["time_us"].get<int64_t>() / 1000000), e["queue"].get<std::string>(),
               e["kind"].get<std::string>(), job.empty() ? "-" : job,
               e["reason"].get<std::string>());
  }
  return kExitOk;
}

}  // namespace

void AddAllocCommands(CLI::App* app, int* exit_code) {
  CLI::App* alloc = app->add_subcommand(
      "alloc", "Automatic allocations: Slurm jobs of workers, submitted while work waits");
  alloc->require_subcommand(1);
  alloc->footer(
      "The server submits an allocation only when queued tasks could run in it, keeps the\n"
      "minimum pool, starts a replacement before an allocation's end while work remains,\n"
      "releases allocations idle for --idle-timeout, and pauses a queue after repeated\n"
      "failed submissions. `allot alloc events` says why it did or did not submit.");

  auto a = std::make_shared<AddFlags>();
  CLI::App* add = alloc->add_subcommand(
      "add", "Add a queue: allot alloc add slurm --partition P --time-limit 1h [...] -- [sbatch args]");
  add->add_option("kind", a->kind, "slurm")->required();
  add->add_option("sbatch_args", a->sbatch_args,
                  "Extra sbatch arguments, after --, e.g. -- --account=epic --qos=low");
  add->add_option("--name", a->name, "The queue's name (default: the partition's)");
  add->add_option("--partition", a->partition, "Slurm partition (default: Slurm's default)");
  add->add_option("--time-limit", a->time_limit, "Each allocation's time limit, e.g. 1h")
      ->required();
  add->add_option("--nodes", a->nodes, "Nodes per allocation (default 1)")
      ->check(CLI::Range(1, 100000));
  add->add_option("--workers-per-alloc", a->workers_per_alloc,
                  "Workers per allocation, spread evenly over its nodes (default: one per node)")
      ->check(CLI::Range(1, 100000));
  add->add_option("--cores-per-worker", a->cores_per_worker,
                  "Cores of each worker (default: a node's CPUs (sinfo) shared by its workers)")
      ->check(CLI::Range(1, 100000));
  add->add_option("--min-workers", a->min_workers, "Workers kept even without work (default 0)")
      ->check(CLI::Range(0, 1000000));
  add->add_option("--max-workers", a->max_workers,
                  "Most workers of this queue, pending included (default: 4 allocations')")
      ->check(CLI::Range(1, 1000000));
  add->add_option("--max-pending", a->max_pending,
                  "Most allocations waiting in Slurm's queue at once (default 1)")
      ->check(CLI::Range(1, 100000));
  add->add_option("--idle-timeout", a->idle_timeout,
                  "Release an allocation whose workers were idle this long (default 5m)");
  add->add_option("--min-utilization", a->min_utilization,
                  "Submit only when the work keeps new workers this busy, 0-1 (default 0)")
      ->check(CLI::Range(0.0, 1.0));
  add->add_option("--end-margin", a->end_margin,
                  "Workers leave this long before the allocation's end (default 60s)");
  add->add_option("--replace-before", a->replace_before,
                  "Submit a replacement this long before an allocation ends while work waits "
                  "(default: 10% of --time-limit, at least 2m)");
  add->add_flag("--dry-run", a->dry_run,
                "Check the queue and its sbatch arguments with sbatch --test-only; add nothing");
  add->add_flag("--json", a->json, "Print the server's answer");
  AddServerDirOption(add, &a->server_dir);
  add->footer("Exit: 0 added (or accepted by the dry run); 2 refused, nothing added (the "
              "message names the flag or quotes Slurm), or no server; 3 the server cannot be "
              "reached.");
  add->callback([a, exit_code] { *exit_code = Add(*a); });

  auto l = std::make_shared<CommonFlags>();
  CLI::App* list = alloc->add_subcommand("list", "The queues, their allocations and why");
  list->add_flag("--json", l->json, "Print the server's answer ({\"queues\": [...]})");
  AddServerDirOption(list, &l->server_dir);
  list->callback([l, exit_code] { *exit_code = List(*l); });

  for (const char* action : {"pause", "resume", "remove"}) {
    auto c = std::make_shared<CommonFlags>();
    const std::string what =
        std::string(action) == "pause"    ? "Stop submitting for a queue (its allocations run on)"
        : std::string(action) == "resume" ? "Submit for a paused queue again (failures forgotten)"
                                          : "Remove a queue (--force: cancel its allocations)";
    CLI::App* cmd = alloc->add_subcommand(action, what);
    cmd->add_option("queue", c->queue, "The queue's name")->required();
    if (std::string(action) == "remove") {
      cmd->add_flag("--force", c->force,
                    "Cancel the queue's allocations (their tasks run again elsewhere)");
    }
    cmd->add_flag("--json", c->json, "Print the server's answer");
    AddServerDirOption(cmd, &c->server_dir);
    cmd->callback([c, exit_code, a = std::string(action)] { *exit_code = ControlQueue(*c, a); });
  }

  auto e = std::make_shared<CommonFlags>();
  CLI::App* events = alloc->add_subcommand(
      "events", "Why the server did or did not submit, released, paused: each decision");
  events->add_option("--queue", e->queue, "Only this queue's events");
  events->add_option("--since", e->since, "Only the events after this number");
  events->add_option("--limit", e->limit, "At most this many (default 1000)");
  events->add_flag("--json", e->json, "Print the server's answer ({\"events\": [...], \"last\"})");
  AddServerDirOption(events, &e->server_dir);
  events->callback([e, exit_code] { *exit_code = Events(*e); });
}

}  // namespace allot
