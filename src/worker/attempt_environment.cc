#include "worker/attempt_environment.h"

#include <string_view>

extern char** environ;

namespace allot {
namespace {

constexpr std::string_view kPerAttempt[] = {
    "ALLOT_TASK_ID=", "ALLOT_ATTEMPT=", "ALLOT_EXECUTION_ID=", "ALLOT_CORES=",
    "ALLOT_WORKDIR=", "OMP_NUM_THREADS=", "CUDA_VISIBLE_DEVICES=", "PILOT_TASK_ID=",
    "PILOT_TASK_DIR="};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

void SetVariable(std::vector<std::string>* env, const std::string& name, const std::string& value) {
  const std::string prefix = name + "=";
  std::erase_if(*env,
                [&](const std::string& e) { return e.compare(0, prefix.size(), prefix) == 0; });
  env->push_back(prefix + value);
}

std::string JoinInts(const std::vector<int>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  return out;
}

std::vector<std::string> AttemptEnvironment::CurrentEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

AttemptEnvironment::AttemptEnvironment(std::vector<std::string> base, bool machine_has_gpus)
    : machine_has_gpus_(machine_has_gpus) {
  for (std::string& kv : base) {
    bool drop = false;
    for (std::string_view p : kPerAttempt) drop = drop || StartsWith(kv, p);
    if (!drop) base_.push_back(std::move(kv));
  }
}

std::vector<std::string> AttemptEnvironment::Build(const AttemptFacts& f) const {
  std::vector<std::string> env;
  env.reserve(base_.size() + 8 + f.spec->env.size());
  env = base_;
  env.push_back("ALLOT_TASK_ID=" + f.spec->id);
  env.push_back("ALLOT_ATTEMPT=" + std::to_string(f.attempt));
  env.push_back("ALLOT_EXECUTION_ID=" + f.execution_id);
  env.push_back("ALLOT_CORES=" + JoinInts(*f.cpus));
  env.push_back("ALLOT_WORKDIR=" + f.task_dir);
  // The names the allocation scheduler (pilot.py) gives the same two facts, so its task
  // scripts run unchanged.
  env.push_back("PILOT_TASK_ID=" + f.spec->id);
  env.push_back("PILOT_TASK_DIR=" + f.task_dir);
  const size_t threads = f.threads > 0 ? static_cast<size_t>(f.threads) : f.cpus->size();
  env.push_back("OMP_NUM_THREADS=" + std::to_string(threads == 0 ? 1 : threads));
  if (machine_has_gpus_ || !f.gpus->empty()) {
    env.push_back("CUDA_VISIBLE_DEVICES=" + JoinInts(*f.gpus));
  }
  // The task's own variables win: replace same-named entries, append the rest.
  for (const auto& [key, value] : f.spec->env) {
    std::string prefix = key + "=";
    bool replaced = false;
    for (std::string& kv : env) {
      if (StartsWith(kv, prefix)) {
        kv = prefix + value;
        replaced = true;
        break;
      }
    }
    if (!replaced) env.push_back(prefix + value);
  }
  return env;
}

}  // namespace allot
