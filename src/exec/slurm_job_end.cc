#include "exec/slurm_job_end.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace allot {
namespace {

std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> SlurmJobEnd(const EnvLookup& env, const SqueueEndLookup& squeue) {
  if (std::optional<std::string> end = env("SLURM_JOB_END_TIME")) {
    std::string t = Trimmed(*end);
    if (AllDigits(t) && t != "0") return t;
  }
  std::optional<std::string> job = env("SLURM_JOB_ID");
  if (!job || !AllDigits(Trimmed(*job))) return std::nullopt;
  std::optional<std::string> answer = squeue(Trimmed(*job));
  if (!answer) return std::nullopt;
  std::string t = Trimmed(*answer);
  // A date and time, not "Unknown", "N/A" or NONE (no time limit).
  if (t.size() < 16 || t[4] != '-' || t[10] != 'T') return std::nullopt;
  return t;
}

std::optional<std::string> CurrentSlurmJobEnd() {
  auto env = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  auto squeue = [](const std::string& job) -> std::optional<std::string> {
    // job is digits only (checked above): safe in a shell command.
    const std::string command = "timeout 10 squeue -h -j " + job + " -o %e 2>/dev/null";
    FILE* p = popen(command.c_str(), "r");
    if (p == nullptr) return std::nullopt;
    std::string out;
    char buf[256];
    while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
    if (pclose(p) != 0) return std::nullopt;
    return out;
  };
  return SlurmJobEnd(env, squeue);
}

}  // namespace allot
