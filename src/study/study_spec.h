// StudySpec: a parameter study as `allot study run` reads it (study/study_spec_parser.h): a
// search space, objectives read from the trials' results, a sampler with its budget, and the
// trial (one task body or a small workflow) run once per sampled point. Plain data.
//
// Its normalized form (StudySpecToJson) is what a resumed study is compared with and what the
// journal keeps (meta key kStudyMetaKey), so `allot study status` and `allot report` read the
// study from the journal alone.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/source_doc.h"

namespace allot {

// The journal's meta key holding the normalized spec of a study's campaign.
inline constexpr std::string_view kStudyMetaKey = "study";

enum class ParameterType { kFloat, kInt, kChoice };
enum class Goal { kMinimize, kMaximize };
enum class SamplerKind { kSobol, kRandom, kGrid };

std::string_view ParameterTypeName(ParameterType t);  // "float", "int", "choice"
std::string_view GoalName(Goal g);                    // "minimize", "maximize"
std::string_view SamplerName(SamplerKind s);          // "sobol", "random", "grid"

struct StudyParameter {
  std::string name;
  ParameterType type = ParameterType::kFloat;
  double low = 0;   // float, int (whole numbers); inclusive
  double high = 0;  // float: exclusive of sampled values but a grid's last point; int: inclusive
  bool log = false;  // sampled uniformly in log space (low > 0)
  std::vector<OrderedJson> values;  // choice: scalars
};

struct StudyObjective {
  std::string name;  // a key of the trial's merged result object
  Goal goal = Goal::kMinimize;
};

struct StudySpec {
  std::string name;
  std::vector<StudyParameter> space;  // file order
  std::vector<StudyObjective> objectives;
  SamplerKind sampler = SamplerKind::kSobol;
  uint64_t seed = 0;
  int trials = 0;     // the budget; for a grid, its number of points
  int points = 5;     // grid: points per float parameter
  int parallel = 1;   // trial tasks running at once
  // The `trial` block as written: a task body ({command: ...}) or {tasks: [...]}.
  OrderedJson trial;
  // The `scenarios` block as written (model/scenario_policy_parser.h), null when none.
  OrderedJson scenarios;
  // Where `trial` and each of its tasks are written in the study file (0: unknown), to name
  // the place of a problem the task loader finds in the generated workflow. Not normalized.
  int trial_line = 0;
  std::vector<int> trial_task_lines;
  // Per trial task (one for a task body): the line of each of its keys.
  std::vector<std::map<std::string, int>> trial_key_lines;

  // Whether `trial` is a workflow ({tasks: [...]}) rather than one task body.
  bool trial_is_workflow() const { return trial.is_object() && trial.contains("tasks"); }
};

// The normalized form: compact JSON with every field written out, defaults included.
std::string StudySpecToJson(const StudySpec& spec);
// Reads StudySpecToJson's text back (a journal's meta). InvalidArgument when it is not one.
Result<StudySpec> StudySpecFromJson(std::string_view text);

}  // namespace allot
