#include "worker/node_environment.h"

#include <sys/stat.h>

#include <cstdio>

#include "model/shell_quote.h"
#include "worker/attempt_environment.h"

namespace allot {
namespace {

Status WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  bool ok = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f != nullptr && std::fclose(f) != 0) ok = false;
  if (ok && chmod(path.c_str(), mode) != 0) ok = false;
  return ok ? Status::Ok() : Status::IoError(path + ": cannot be written");
}

}  // namespace

std::string NodeCpusText(const std::vector<AttemptNode>& nodes) {
  std::string out;
  for (const AttemptNode& n : nodes) {
    if (!out.empty()) out += ';';
    out += n.name + ":" + JoinInts(n.cpus);
  }
  return out;
}

std::string HostfileText(const std::vector<AttemptNode>& nodes) {
  std::string out;
  for (const AttemptNode& n : nodes) out += n.name + ":" + std::to_string(n.cpus.size()) + "\n";
  return out;
}

Status AddNodeEnvironment(const NodeEnvironmentFacts& f, std::vector<std::string>* env) {
  const std::vector<AttemptNode>& nodes = *f.nodes;
  const std::string hostfile = f.task_dir + "/allot-hostfile";
  ALLOT_RETURN_IF_ERROR(WriteFile(hostfile, HostfileText(nodes), 0644));
  // mpiexec runs its launcher as `EXEC [ssh options] HOST COMMAND...` (one path, no arguments
  // of its own): a script that gives allot node-exec the attempt it belongs to.
  std::string script = "#!/bin/sh\n# allot: runs a command on a node of attempt " +
                       f.execution_id + " (allot node-exec --help)\nexec " +
                       QuoteShellWord(f.allot_bin) + " node-exec --execution " +
                       QuoteShellWord(f.execution_id) + " --local " + QuoteShellWord(nodes.front().name);
  if (!f.server_dir.empty()) script += " --server-dir " + QuoteShellWord(f.server_dir);
  script += " \"$@\"\n";
  const std::string node_exec = f.task_dir + "/allot-node-exec";
  ALLOT_RETURN_IF_ERROR(WriteFile(node_exec, script, 0755));
  std::string names;
  for (const AttemptNode& n : nodes) names += (names.empty() ? "" : ",") + n.name;
  SetVariable(env, "ALLOT_NODES", names);
  SetVariable(env, "ALLOT_NODE_COUNT", std::to_string(nodes.size()));
  SetVariable(env, "ALLOT_NODE_CPUS", NodeCpusText(nodes));
  SetVariable(env, "ALLOT_HOSTFILE", hostfile);
  SetVariable(env, "ALLOT_NODE_EXEC", node_exec);
  return Status::Ok();
}

}  // namespace allot
