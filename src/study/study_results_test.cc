#include "study/study_results.h"

#include <gtest/gtest.h>

#include "study/study_spec_parser.h"

namespace allot {
namespace {

StudySpec Spec(const std::string& objectives) {
  const std::string text = "study: s\nspace: {x: {type: float, low: 0, high: 1}}\n"
                           "objectives: " + objectives + "\ntrials: 4\n"
                           "trial:\n  tasks:\n    - {id: a, command: x}\n"
                           "    - {id: b, depends_on: a, command: y}\n";
  Result<StudySpec> spec = ParseStudySpec("s.yaml", text, nullptr, nullptr);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return *spec;
}

struct Journal {
  std::vector<Submission> submissions;
  std::vector<TaskEvent> events;
  TaskIndex Submit(const std::string& id) {
    Submission s;
    s.index = static_cast<TaskIndex>(submissions.size());
    s.spec.id = id;
    submissions.push_back(s);
    return s.index;
  }
  static TaskEvent Event(TaskIndex t, uint32_t attempt, TaskState from, TaskState to) {
    TaskEvent e;
    e.task = t;
    e.attempt = attempt;
    e.from = from;
    e.to = to;
    return e;
  }
  void Run(TaskIndex t, uint32_t attempt) {
    events.push_back(Event(t, attempt, TaskState::kReady, TaskState::kRunning));
  }
  void End(TaskIndex t, uint32_t attempt, TaskState to, const std::string& result = "") {
    TaskEvent e = Event(t, attempt, TaskState::kRunning, to);
    e.usage = AttemptUsage{};
    e.usage->result = result;
    events.push_back(e);
  }
};

TEST(StudyResultsTest, MergesResultsInFinishOrderAndRanksTheBest) {
  StudySpec spec = Spec("[{name: f, goal: minimize}]");
  std::vector<TrialPoint> trials = {{"t0000", {0.1}}, {"t0001", {0.2}}, {"t0002", {0.3}},
                                    {"t0003", {0.4}}};
  Journal j;
  TaskIndex a0 = j.Submit("t0000-a"), b0 = j.Submit("t0000-b");
  TaskIndex a1 = j.Submit("t0001-a"), b1 = j.Submit("t0001-b");
  TaskIndex a2 = j.Submit("t0002-a"), b2 = j.Submit("t0002-b");
  j.Submit("t0003-a");
  j.Submit("t0003-b");
  j.Submit("unrelated");
  j.Run(a0, 1);
  j.End(a0, 1, TaskState::kSucceeded, R"({"f": 9, "n": 1})");
  j.Run(b0, 1);
  j.End(b0, 1, TaskState::kSucceeded, R"({"f": 3})");  // later wins
  j.Run(a1, 1);
  j.End(a1, 1, TaskState::kReady);  // a retry
  j.Run(a1, 2);
  j.End(a1, 2, TaskState::kSucceeded, R"({"g": 1})");
  j.Run(b1, 1);
  j.End(b1, 1, TaskState::kSucceeded, "");  // never reports f
  j.Run(a2, 1);
  j.End(a2, 1, TaskState::kFailed);
  (void)b2;
  StudyResults r = BuildStudyResults(spec, trials, j.submissions, j.events);
  ASSERT_EQ(r.trials.size(), 4u);
  EXPECT_EQ(r.trials[0].state, TrialState::kDone);
  EXPECT_EQ(*r.trials[0].objectives[0], 3);
  EXPECT_EQ(r.trials[0].result["n"], 1);
  EXPECT_EQ(r.trials[1].state, TrialState::kNoResult);
  EXPECT_EQ(r.trials[1].attempts, 3);
  EXPECT_EQ(r.trials[1].missing, (std::vector<std::string>{"f"}));
  EXPECT_EQ(r.trials[2].state, TrialState::kFailed);
  EXPECT_EQ(r.trials[3].state, TrialState::kPending);
  EXPECT_EQ(r.best, std::optional<size_t>(0));
  EXPECT_EQ(r.counts[TrialState::kDone], 1);
  EXPECT_EQ(r.counts[TrialState::kPending], 1);
  std::vector<std::optional<double>> best = BestSoFar(spec, r);
  EXPECT_EQ(best, (std::vector<std::optional<double>>{3.0, 3.0, 3.0, 3.0}));
  OrderedJson json = StudyResultsToJson(spec, r);
  EXPECT_EQ(json["best"]["trial"], "t0000");
  EXPECT_EQ(json["best"]["params"]["x"], 0.1);
  EXPECT_EQ(json["counts"]["no_result"], 1);
}

TEST(StudyResultsTest, TwoObjectivesGiveTheParetoFrontOfDoneTrials) {
  StudySpec spec = Spec("[{name: f, goal: minimize}, {name: g, goal: maximize}]");
  std::vector<TrialPoint> trials = {{"t0000", {0.1}}, {"t0001", {0.2}}, {"t0002", {0.3}},
                                    {"t0003", {0.4}}};
  Journal j;
  const char* results[] = {R"({"f": 1, "g": 1})", R"({"f": 2, "g": 3})", R"({"f": 2, "g": 2})",
                           R"({"f": 0, "g": 0})"};
  for (int t = 0; t < 4; ++t) {
    TaskIndex a = j.Submit(trials[t].name + "-a"), b = j.Submit(trials[t].name + "-b");
    j.Run(a, 1);
    j.End(a, 1, TaskState::kSucceeded, "{}");
    j.Run(b, 1);
    j.End(b, 1, TaskState::kSucceeded, results[t]);
  }
  StudyResults r = BuildStudyResults(spec, trials, j.submissions, j.events);
  EXPECT_EQ(r.pareto_front, (std::vector<size_t>{3, 0, 1}));
  EXPECT_FALSE(r.best.has_value());
  EXPECT_EQ(StudyResultsToJson(spec, r)["pareto_front"][0]["trial"], "t0003");
}

}  // namespace
}  // namespace allot
