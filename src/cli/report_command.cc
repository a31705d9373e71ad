#include "cli/report_command.h"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "journal/sqlite_journal.h"
#include "protocol/access_file.h"
#include "report/report_format.h"
#include "report/report_time.h"
#include "report/usage_report.h"
#include "study/study_view.h"

namespace allot {
namespace {

struct ReportOptions {
  std::string by = "project";
  std::string since;
  std::string format = "table";
  std::string output;
  std::string workdir = "allot-work";
  std::string db;
  std::string server_dir;
  bool server = false;  // read <server-dir>/journal.db
};

int BadFlag(const std::string& flag, const Status& status) {
  fmt::print(stderr, "allot report: {}: {}\n", flag, status.message());
  return kExitBadInput;
}

// Who owns the journal file: the user of tasks without tags.user.
std::string JournalOwner(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  std::vector<char> buffer(16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (getpwuid_r(st.st_uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found) {
    return found->pw_name;
  }
  return "uid " + std::to_string(st.st_uid);
}

// Writes `text` to `path` through a temporary file renamed into place, so a reader never sees
// half a report and a failure leaves no file behind.
Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IoError("cannot write " + path + ": " + std::strerror(errno));
    out << text;
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      return Status::IoError("cannot write " + path + ": " + std::strerror(errno));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::IoError("cannot write " + path + ": " + std::strerror(errno));
    std::remove(tmp.c_str());
    return s;
  }
  return Status::Ok();
}

int Report(const ReportOptions& o) {
  Result<GroupBy> by = ParseGroupBy(o.by);
  if (!by.ok()) return BadFlag("--by", by.status());
  Result<ReportFormat> format = ParseReportFormat(o.format);
  if (!format.ok()) return BadFlag("--format", format.status());
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::optional<int64_t> since;
  if (!o.since.empty()) {
    Result<int64_t> parsed = ParseSince(o.since, now_us);
    if (!parsed.ok()) return BadFlag("--since", parsed.status());
    since = *parsed;
  }
  namespace fs = std::filesystem;
  std::string db;
  if (o.server) {
    db = (fs::path(ResolveServerDir(o.server_dir)) / "journal.db").string();
  } else {
    db = o.db.empty() ? (fs::path(o.workdir) / "allot.db").string() : o.db;
  }
  auto journal = SqliteJournal::OpenReadOnly(db);
  if (!journal.ok()) {
    fmt::print(stderr, "allot report: {}\n", journal.status().message());
    return kExitBadInput;
  }
  auto contents = (*journal)->Load();
  if (!contents.ok()) {
    fmt::print(stderr, "allot report: {}\n", contents.status().ToString());
    return kExitInternal;
  }
  UsageReportOptions options;
  options.by = *by;
  options.since_us = since;
  options.default_user = JournalOwner(db);
  const UsageReport report = BuildUsageReport(*contents, options);
  RenderContext context{db, now_us};
  std::optional<UsageReport> by_task;
  if (*format == ReportFormat::kHtml && report.groups.size() == 1 &&
      by->kind != GroupBy::Kind::kTask) {
    UsageReportOptions task_options = options;
    task_options.by.kind = GroupBy::Kind::kTask;
    by_task = BuildUsageReport(*contents, task_options);
    context.by_task = &*by_task;
  }
  std::optional<StudyView> study;
  if (*format == ReportFormat::kHtml) {
    Result<std::optional<StudyView>> read =
        StudyFromJournal(contents->meta, contents->submissions, contents->events);
    if (!read.ok()) {
      fmt::print(stderr, "allot report: the journal's study: {}\n", read.status().message());
      return kExitInternal;
    }
    study = std::move(*read);
    if (study) context.study = &*study;
  }
  const std::string text = RenderReport(report, *format, context);
  if (o.output.empty() || o.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitInternal;
  }
  Status written = WriteFileAtomically(o.output, text);
  if (!written.ok()) {
    fmt::print(stderr, "allot report: -o: {}\n", written.message());
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App* app, int* exit_code) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* cmd = app->add_subcommand(
      "report",
      "Core-hours, GPU-hours and memory-hours per group, from a campaign's journal (--workdir, "
      "--db) or a server's (--server-dir, or $ALLOT_SERVER_DIR when neither --workdir nor --db "
      "is given)");
  cmd->add_option("--by", options->by,
                  "Group by project, scenario, profile, user, task or tag:KEY (a task's tags)")
      ->capture_default_str();
  cmd->add_option("--since", options->since,
                  "Only attempts that ended since DATE (2024-05-01[T08:30], local time; Z for "
                  "UTC) or DURATION ago (3d, 12h)");
  cmd->add_option("--format", options->format, "table, csv, json or html")->capture_default_str();
  cmd->add_option("-o,--output", options->output, "Write to FILE instead of standard output");
  cmd->add_option("--workdir", options->workdir, "The campaign's work directory")
      ->capture_default_str();
  cmd->add_option("--db", options->db, "Journal file (default <workdir>/allot.db)");
  AddServerDirOption(cmd, &options->server_dir);
  cmd->callback([cmd, options, exit_code] {
    const char* env_dir = std::getenv("ALLOT_SERVER_DIR");
    options->server = (cmd->count("--server-dir") || (env_dir && *env_dir)) &&
                      !cmd->count("--workdir") && !cmd->count("--db");
    *exit_code = Report(*options);
  });
}

}  // namespace allot
