#include "server/submission_feed.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <utility>

#include <nlohmann/json.hpp>

#include "model/task_state.h"
#include "server/http_error.h"
#include "server/http_request_parser.h"
#include "server/loop_submission.h"

namespace allot {
namespace {

using Json = nlohmann::json;

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

SubmissionFeed::SubmissionFeed(ServerLoop* loop, Scheduler* scheduler, FeedOptions options)
    : loop_(loop), scheduler_(scheduler), options_(std::move(options)) {}

SubmissionFeed::~SubmissionFeed() {
  if (reader_.joinable()) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof(one));
    reader_.join();
  }
  if (stop_fd_ >= 0) close(stop_fd_);
  if (options_.in_fd >= 0) close(options_.in_fd);
  if (options_.out_fd >= 0) close(options_.out_fd);
}

Status SubmissionFeed::Start() {
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd_ < 0) return ErrnoStatus("eventfd", errno);
  // A submitter that is gone must be an EPIPE here, not the end of the campaign's process.
  // Tasks get every signal's default disposition back when they are spawned (exec/task_spawn).
  std::signal(SIGPIPE, SIG_IGN);
  loop_->set_held_open(true);
  int64_t open = 0;
  for (TaskIndex t = 0; t < scheduler_->task_count(); ++t) {
    if (!IsTerminal(scheduler_->state(t))) ++open;
  }
  WriteLine(Json{{"open", open}, {"tasks", scheduler_->task_count()}}.dump());
  reader_ = std::thread([this] { Read(); });
  return Status::Ok();
}

void SubmissionFeed::OnLoop(std::function<void()> fn) {
  (void)loop_->Call([fn = std::move(fn)]() -> Result<Json> {
    fn();
    return Json();
  });
}

void SubmissionFeed::Read() {
  std::string buffer;
  int64_t submitted = 0;
  bool ended = false;
  char chunk[65536];
  while (true) {
    pollfd fds[2] = {{options_.in_fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) return;  // the feed is going away
    const ssize_t n = read(options_.in_fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // end of file (or a broken pipe)
    buffer.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl = buffer.find('\n'); nl != std::string::npos;
         nl = buffer.find('\n', start)) {
      std::string line = buffer.substr(start, nl - start);
      start = nl + 1;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (!ended) {
        Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (j.is_object() && j.size() == 1 && j.contains("end") && j["end"].is_boolean() &&
            j["end"].get<bool>()) {
          ended = true;
          OnLoop([this] { loop_->set_held_open(false); });
          continue;
        }
      }
      Handle(line, &submitted);
    }
    buffer.erase(0, start);
  }
  if (!ended) {
    OnLoop([this] {
      if (options_.log) {
        options_.log("the submitter closed its feed without ending it (it died?): stopping; "
                     "--resume continues");
      }
      loop_->set_held_open(false);
      loop_->BeginStop(/*kill=*/false);
    });
  }
}

void SubmissionFeed::Handle(const std::string& line, int64_t* submitted) {
  const int64_t seq = ++*submitted;
  bool sent_to_loop = false;
  Result<Json> answer = Status::InvalidArgument(
      "feed line: expected {\"submit\": {name, text, base_dir, file_dir}} or {\"end\": true}");
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.size() == 1 && j.contains("submit") && j["submit"].is_object()) {
    Json body = j["submit"];
    if (!body.contains("base_dir")) body["base_dir"] = options_.base_dir;
    Result<SubmitRequest> request = ParseSubmitBody(body.dump());
    if (!request.ok()) {
      answer = request.status();
    } else {
      {
        std::lock_guard lock(out_mu_);
        ++acks_on_their_way_;
      }
      answer = SubmitThroughLoop(loop_, scheduler_, *request, options_.capacity);
      sent_to_loop = true;
    }
  } else if (j.is_object() && j.contains("end")) {
    answer = Status::InvalidArgument("feed line: a second {\"end\": true}");
  }
  Json reply = answer.ok() ? *answer : ErrorBody(answer.status());
  reply["ack"] = seq;
  bool written;
  {
    std::lock_guard lock(out_mu_);
    written = WriteLocked(reply.dump());
    if (sent_to_loop && --acks_on_their_way_ == 0) {
      for (const std::string& held : held_lines_) written = WriteLocked(held) && written;
      held_lines_.clear();
    }
  }
  if (!written) {
    OnLoop([this] {
      if (!loop_->stopping()) loop_->BeginStop(/*kill=*/false);
    });
  }
}

bool SubmissionFeed::WriteLine(const std::string& line) {
  std::lock_guard lock(out_mu_);
  return WriteLocked(line);
}

bool SubmissionFeed::WriteLocked(const std::string& line) {
  if (out_broken_) return false;
  std::string data = line + "\n";
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(options_.out_fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      out_broken_ = true;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

void SubmissionFeed::OnEvents(std::span<const Submission>, std::span<const TaskEvent> events,
                              bool durable) {
  if (!durable) return;  // nothing is reported that a restart would not know
  for (const TaskEvent& e : events) {
    const std::string& id = scheduler_->id(e.task);
    if (e.to == TaskState::kRunning && e.from != TaskState::kPaused) {
      Report(Json{{"started", id}, {"attempt", e.attempt}, {"cores", e.cores}});
    }
    if (!IsTerminal(e.to)) continue;
    const std::string dir = options_.task_dir ? options_.task_dir(id) : std::string();
    Json j = {{"ended", id},
              {"state", std::string(TaskStateName(e.to))},
              {"attempt", e.attempt},
              {"exit_code", nullptr},
              {"signal", nullptr},
              {"timed_out", false},
              {"wall_s", 0.0},
              {"cpu_s", 0.0},
              {"reason", e.reason},
              {"stdout", dir.empty() ? Json() : Json(dir + "/stdout")},
              {"stderr", dir.empty() ? Json() : Json(dir + "/stderr")}};
    if (e.usage) {
      if (e.usage->term_signal == 0) j["exit_code"] = e.usage->exit_code;
      if (e.usage->term_signal != 0) j["signal"] = e.usage->term_signal;
      j["timed_out"] = e.usage->timed_out;
      j["wall_s"] = Seconds(e.usage->wall);
      j["cpu_s"] = Seconds(e.usage->user_cpu + e.usage->sys_cpu);
    }
    Report(j);
  }
}

void SubmissionFeed::Report(const nlohmann::json& line) {
  bool written;
  {
    std::lock_guard lock(out_mu_);
    if (acks_on_their_way_ > 0) {
      held_lines_.push_back(line.dump());  // the reader writes it after the ack; it sees failures
      return;
    }
    written = WriteLocked(line.dump());
  }
  if (written || stop_requested_) return;
  stop_requested_ = true;
  if (options_.log) options_.log("the submitter stopped reading its feed: stopping");
  loop_->set_held_open(false);
  if (!loop_->stopping()) loop_->BeginStop(/*kill=*/false);
}

}  // namespace allot
