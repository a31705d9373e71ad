#include "worker/container_command.h"

#include <algorithm>
#include <string_view>

#include "exec/command_line.h"
#include "worker/attempt_environment.h"

namespace allot {
namespace {

void Add(std::vector<std::string>* argv, std::string_view flag, std::string value) {
  argv->emplace_back(flag);
  argv->push_back(std::move(value));
}

// The container's command as words.
std::vector<std::string> CommandWords(const std::string& command) {
  std::vector<std::string> words;
  if (command.empty()) return words;
  if (SplitPlainCommand(command, &words)) return words;
  return {"/bin/sh", "-c", command};
}

}  // namespace

std::vector<std::string> ContainerArgv(const ContainerJob& job, const ContainerLaunch& launch) {
  std::vector<std::string> argv = {job.engine};
  std::vector<std::string> words = CommandWords(job.command);
  if (job.engine == "apptainer" || job.engine == "singularity") {
    argv.push_back(words.empty() ? "run" : "exec");
    argv.push_back("--cleanenv");
    Add(&argv, "--pwd", launch.cwd);
    for (const std::string& d : launch.same_path) Add(&argv, "--bind", d + ":" + d);
    for (const std::string& m : job.mounts) Add(&argv, "--bind", m);
    for (const auto& [name, value] : launch.env) Add(&argv, "--env", name + "=" + value);
  } else {  // podman, docker
    argv.insert(argv.end(), {"run", "--rm", "--init"});
    if (!launch.cpus.empty()) Add(&argv, "--cpuset-cpus", JoinInts(launch.cpus));
    if (launch.memory_bytes > 0) Add(&argv, "--memory", std::to_string(launch.memory_bytes));
    for (const std::string& d : launch.same_path) Add(&argv, "--volume", d + ":" + d);
    for (const std::string& m : job.mounts) Add(&argv, "--volume", m);
    Add(&argv, "--workdir", launch.cwd);
    for (const auto& [name, value] : launch.env) Add(&argv, "--env", name + "=" + value);
  }
  argv.push_back(job.image);
  argv.insert(argv.end(), words.begin(), words.end());
  return argv;
}

std::vector<std::pair<std::string, std::string>> ContainerEnvironment(
    const std::vector<std::string>& env,
    const std::vector<std::pair<std::string, std::string>>& task_env) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& entry : env) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    std::string_view name(entry.data(), eq);
    const bool ours = name.starts_with("ALLOT_") || name.starts_with("PILOT_") ||
                      name == "JOB_PARAMS_FILE" || name == "OMP_NUM_THREADS" ||
                      name == "CUDA_VISIBLE_DEVICES";
    const bool task_own = std::any_of(task_env.begin(), task_env.end(),
                                      [&](const auto& e) { return e.first == name; });
    if (ours || task_own) out.emplace_back(std::string(name), entry.substr(eq + 1));
  }
  return out;
}

}  // namespace allot
