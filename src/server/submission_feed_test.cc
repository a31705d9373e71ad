// `allot run --feed`: the embedded campaign takes submissions while it runs, through the one
// submit path of the server, and reports task ends. Driven through CampaignRunner with a fake
// launcher whose attempts exit at once and an in-memory journal; the submitter is a thread on
// the other ends of two pipes, and every wait is for a line, never for time.
#include "server/submission_feed.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "journal/memory_journal.h"
#include "server/campaign_runner.h"
#include "server/campaign_setup.h"
#include "testing/fake_process_launcher.h"

namespace allot {
namespace {

using Json = nlohmann::json;

Machine TwoCpus() {
  Machine m;
  m.cpus = {{0, 0, 0, 0}, {1, 0, 0, 1}};
  m.memory_bytes = int64_t{1} << 30;
  return m;
}

TaskSpec Task(std::string id) {
  TaskSpec s;
  s.id = std::move(id);
  s.command = "true";
  s.workdir = "/tmp";
  return s;
}

// The submitter's side: writes lines to the feed, reads the campaign's lines.
class Submitter {
 public:
  Submitter() {
    EXPECT_EQ(pipe(in_), 0);
    EXPECT_EQ(pipe(out_), 0);
    reader_ = fdopen(out_[0], "r");
  }
  ~Submitter() {
    CloseFeed();
    fclose(reader_);
  }
  FeedOptions Options() const {
    FeedOptions o;
    o.in_fd = in_[0];
    o.out_fd = out_[1];
    o.base_dir = "/tmp";
    o.capacity = TwoCpus().Capacity();
    o.task_dir = [](const std::string& id) { return "/w/" + id; };
    return o;
  }
  void Send(const Json& j) {
    std::string line = j.dump() + "\n";
    ASSERT_EQ(write(in_[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }
  void Submit(const std::string& text) {
    Send({{"submit", {{"name", "more.json"}, {"text", text}}}});
  }
  // The next line about tasks ending, or an ack; null at the end of the campaign's lines.
  Json Next() {
    Json j = NextLine();
    while (j.contains("started") || j.contains("open")) j = NextLine();
    return j;
  }
  // The next line from the campaign; null at its end.
  Json NextLine() {
    char* line = nullptr;
    size_t cap = 0;
    Json j;
    if (getline(&line, &cap, reader_) > 0) j = Json::parse(line);
    free(line);
    return j;
  }
  void CloseFeed() {
    if (in_[1] >= 0) close(in_[1]);
    in_[1] = -1;
  }

 private:
  int in_[2] = {-1, -1};
  int out_[2] = {-1, -1};
  FILE* reader_ = nullptr;
};

struct Harness {
  explicit Harness(JournalStore* journal, ProcessLauncher* launcher)
      : scheduler(SystemClock::Default(), TwoCpus(), {}),
        worker(launcher, ::testing::TempDir(), AttemptEnvironment({}, false)),
        progress(stderr, ProgressMode::kNone, SystemClock::Default()->Now()),
        runner(&scheduler, journal, launcher, &worker, SystemClock::Default(), &progress) {}
  Scheduler scheduler;
  LocalWorker worker;
  ProgressReporter progress;
  CampaignRunner runner;
};

int Succeeded(const Scheduler& s) { return s.counts()[static_cast<int>(TaskState::kSucceeded)]; }

TEST(SubmissionFeedTest, TasksSubmittedAfterEveryTaskEndedStillRunInTheSameCampaign) {
  MemoryJournal journal;
  FakeProcessLauncher launcher;
  launcher.set_auto_exit(0);
  Harness h(&journal, &launcher);
  ASSERT_TRUE(StartCampaign(&h.scheduler, &journal, {Task("a")}, "tasks.json").ok());
  Submitter submitter;
  h.runner.set_feed(submitter.Options());
  std::vector<Json> lines;
  std::thread client([&] {
    lines.push_back(submitter.Next());  // a ended: the campaign waits for the feed
    submitter.Submit(R"([{"id": "b", "command": "true", "cores": 2}])");
    lines.push_back(submitter.Next());  // the ack
    lines.push_back(submitter.Next());  // b ended
    submitter.Send({{"end", true}});
    lines.push_back(submitter.Next());  // the end of the campaign's lines
  });
  auto outcome = h.runner.Run();
  client.join();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(Succeeded(h.scheduler), 2);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["ended"], "a");
  EXPECT_EQ(lines[0]["state"], "succeeded");
  EXPECT_EQ(lines[0]["exit_code"], 0);
  EXPECT_EQ(lines[0]["stdout"], ::testing::TempDir() + "/a/stdout");
  EXPECT_EQ(lines[1]["ack"], 1);
  EXPECT_EQ(lines[1]["ids"], Json::array({"b"}));
  EXPECT_EQ(lines[2]["ended"], "b");
  auto contents = journal.Load();
  ASSERT_TRUE(contents.ok());
  ASSERT_EQ(contents->submissions.size(), 2u);
  EXPECT_EQ(contents->submissions[1].spec.id, "b");
}

TEST(SubmissionFeedTest, BadSubmissionsAreRefusedWithTheirTaskAndFieldAndChangeNothing) {
  MemoryJournal journal;
  FakeProcessLauncher launcher;
  launcher.set_auto_exit(0);
  Harness h(&journal, &launcher);
  ASSERT_TRUE(StartCampaign(&h.scheduler, &journal, {Task("a")}, "tasks.json").ok());
  Submitter submitter;
  h.runner.set_feed(submitter.Options());
  std::vector<Json> acks;
  std::thread client([&] {
    // A workflow document: in a bare array an unknown field is only a warning (pilot.py).
    submitter.Submit(R"({"tasks": [{"id": "b", "command": "true", "coers": 2}]})");
    submitter.Submit(R"([{"id": "c", "command": "true", "cores": 64}])");
    submitter.Submit(R"([{"id": "a", "command": "true"}])");
    submitter.Send({{"what", 1}});
    submitter.Send({{"end", true}});
    for (Json j = submitter.Next(); !j.is_null(); j = submitter.Next()) {
      if (j.contains("ack")) acks.push_back(j);
    }
  });
  auto outcome = h.runner.Run();
  client.join();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  ASSERT_EQ(acks.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(acks[i]["ack"], i + 1);
    EXPECT_TRUE(acks[i].contains("error")) << acks[i].dump();
    EXPECT_FALSE(acks[i].contains("ids")) << acks[i].dump();
  }
  ASSERT_TRUE(acks[0].contains("diagnostics")) << acks[0].dump();
  EXPECT_EQ(acks[0]["diagnostics"][0]["task"], "b");
  EXPECT_EQ(acks[0]["diagnostics"][0]["field"], "coers");
  EXPECT_EQ(acks[0]["diagnostics"][0]["file"], "more.json");
  ASSERT_TRUE(acks[1].contains("diagnostics")) << acks[1].dump();
  EXPECT_EQ(acks[1]["diagnostics"][0]["task"], "c");
  ASSERT_TRUE(acks[2].contains("diagnostics")) << acks[2].dump();
  EXPECT_EQ(acks[2]["diagnostics"][0]["task"], "a");
  EXPECT_EQ(h.scheduler.task_count(), 1u);
  auto contents = journal.Load();
  ASSERT_TRUE(contents.ok());
  EXPECT_EQ(contents->submissions.size(), 1u);
}

TEST(SubmissionFeedTest, AFeedClosedWithoutEndStopsTheRunInsteadOfWaitingForever) {
  MemoryJournal journal;
  FakeProcessLauncher launcher;
  launcher.set_auto_exit(0);
  Harness h(&journal, &launcher);
  ASSERT_TRUE(StartCampaign(&h.scheduler, &journal, {Task("a")}, "tasks.json").ok());
  Submitter submitter;
  h.runner.set_feed(submitter.Options());
  std::thread client([&] {
    EXPECT_EQ(submitter.NextLine(), Json({{"open", 1}, {"tasks", 1}}));
    EXPECT_EQ(submitter.NextLine()["started"], "a");
    EXPECT_EQ(submitter.NextLine()["ended"], "a");
    submitter.CloseFeed();  // the submitter died
  });
  auto outcome = h.runner.Run();
  client.join();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(Succeeded(h.scheduler), 1);
}

}  // namespace
}  // namespace allot
