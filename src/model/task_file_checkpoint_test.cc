// The `checkpoint` field: what it means once read, and what users see when it is wrong.
#include <gtest/gtest.h>

#include <csignal>

#include "model/signal_names.h"
#include "model/task_file.h"
#include "model/task_file_testing.h"
#include "model/task_spec_json.h"

namespace allot {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::Parse;

TEST(TaskFileCheckpointTest, ReadsEveryKeyAndResolvesTheDirAgainstTheFile) {
  testing::ParseOutcome out = Parse("tasks.yaml", R"(
tasks:
  - id: sim
    command: ./sim
    checkpoint:
      signal: SIGUSR1
      grace: 2m
      every: 10m
      files: [state.bin, "fields-*.h5"]
      exit_code: 99
      keep: 3
      dir: ckpt
  - id: plain
    command: ./sim
    checkpoint: true
  - id: none
    command: ./sim
    checkpoint: false
)");
  ASSERT_TRUE(out.ok) << out.report;
  const CheckpointSpec& c = *out.Find("sim")->checkpoint;
  EXPECT_EQ(c.signal, SIGUSR1);
  EXPECT_EQ(c.grace, minutes(2));
  EXPECT_EQ(c.every, minutes(10));
  EXPECT_EQ(c.files, (std::vector<std::string>{"state.bin", "fields-*.h5"}));
  EXPECT_EQ(c.exit_code, 99);
  EXPECT_EQ(c.keep, 3);
  EXPECT_EQ(c.dir, "/base/ckpt");  // relative: to the directory paths are resolved against
  EXPECT_EQ(out.Find("plain")->checkpoint, CheckpointSpec{});
  EXPECT_EQ(CheckpointSpec{}.signal, SIGTERM);
  EXPECT_EQ(CheckpointSpec{}.exit_code, 85);
  EXPECT_FALSE(out.Find("none")->checkpoint);
}

TEST(TaskFileCheckpointTest, DefaultsGiveItToEveryTaskAndTheJournalKeepsIt) {
  testing::ParseOutcome out = Parse("tasks.yaml", R"(
defaults:
  checkpoint: {every: 30s, signal: USR2}
tasks:
  - id: a
    command: x
)");
  ASSERT_TRUE(out.ok) << out.report;
  const TaskSpec& a = *out.Find("a");
  ASSERT_TRUE(a.checkpoint);
  EXPECT_EQ(a.checkpoint->signal, SIGUSR2);
  Result<TaskSpec> back = TaskSpecFromJsonText(TaskSpecToJson(a).dump());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->checkpoint, a.checkpoint);
}

TEST(TaskFileCheckpointTest, BadValuesNameTheTaskTheKeyAndWhatIsAccepted) {
  testing::ParseOutcome out = Parse("tasks.yaml", R"(
tasks:
  - id: a
    command: x
    checkpoint: {signal: KILL, grace: soon, every: 0, files: /abs/state.bin, exit_code: 0,
                 keep: 0, dir: "", evry: 1m}
  - id: b
    command: x
    checkpoint: 5
  - id: c
    command: x
    checkpoint: {signal: BOGUS, files: ["../up"]}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.report,
            "tasks.yaml:5: task 'a': field 'checkpoint.signal': KILL cannot be caught, so no "
            "checkpoint can be written on it\n"
            "tasks.yaml:5: task 'a': field 'checkpoint.grace': " +
                out.diagnostics[1].message + "\n" +
                "tasks.yaml:5: task 'a': field 'checkpoint.every': " +
                out.diagnostics[2].message + "\n" +
                "tasks.yaml:5: task 'a': field 'checkpoint.files': '/abs/state.bin' must be "
                "relative to the checkpoint directory, inside it\n"
                "tasks.yaml:5: task 'a': field 'checkpoint.exit_code': must be an exit code "
                "from 1 to 255 (got 0)\n"
                "tasks.yaml:6: task 'a': field 'checkpoint.keep': must be a number of sets "
                "from 1 to 1000 (got 0)\n"
                "tasks.yaml:6: task 'a': field 'checkpoint.dir': must be a non-empty path (got "
                "\"\")\n"
                "tasks.yaml:6: task 'a': field 'checkpoint.evry': unknown key; expected signal, "
                "grace, every, files, exit_code, keep, dir (did you mean 'every'?)\n"
                "tasks.yaml:9: task 'b': field 'checkpoint': must be true or a mapping with "
                "some of signal, grace, every, files, exit_code, keep, dir (got 5)\n"
                "tasks.yaml:12: task 'c': field 'checkpoint.signal': 'BOGUS' is not a signal; "
                "use a name like USR1, TERM or SIGINT, or a number\n"
                "tasks.yaml:12: task 'c': field 'checkpoint.files': '../up' must be relative to "
                "the checkpoint directory, inside it\n");
  EXPECT_NE(out.diagnostics[1].message.find("soon"), std::string::npos);
}

TEST(SignalNamesTest, ReadsNamesWithAndWithoutSigAndNumbers) {
  EXPECT_EQ(*ParseCatchableSignal("USR1"), SIGUSR1);
  EXPECT_EQ(*ParseCatchableSignal("sigterm"), SIGTERM);
  EXPECT_EQ(*ParseCatchableSignal("10"), 10);
  EXPECT_FALSE(ParseCatchableSignal("STOP").ok());
  EXPECT_FALSE(ParseCatchableSignal("0").ok());
  EXPECT_FALSE(ParseCatchableSignal("").ok());
  EXPECT_EQ(SignalName(SIGUSR2), "USR2");
}

}  // namespace
}  // namespace allot
