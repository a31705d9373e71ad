// Node environment of a multi-node attempt's leader: the variables, the hostfile in MPICH's
// host:count format, and a node-exec script that passes mpiexec's arguments on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "worker/node_environment.h"

namespace allot {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(NodeEnvironmentTest, TextsListEachNodeWithItsCpus) {
  const std::vector<AttemptNode> nodes = {{"n1", {0, 1}}, {"n2", {4}}};
  EXPECT_EQ(NodeCpusText(nodes), "n1:0,1;n2:4");
  EXPECT_EQ(HostfileText(nodes), "n1:2\nn2:1\n");
}

TEST(NodeEnvironmentTest, WritesTheHostfileAndAnExecutableNodeExecAndSetsTheVariables) {
  std::string pattern = (std::filesystem::temp_directory_path() / "allot-nodes-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::string dir = pattern;
  const std::vector<AttemptNode> nodes = {{"n1", {0}}, {"n2", {1}}};
  NodeEnvironmentFacts facts;
  facts.nodes = &nodes;
  facts.task_dir = dir;
  facts.allot_bin = "/opt/allot dir/bin/allot";
  facts.server_dir = "/srv/camp";
  facts.execution_id = "mpi@2";
  std::vector<std::string> env = {"PATH=/bin", "ALLOT_NODES=stale"};
  ASSERT_TRUE(AddNodeEnvironment(facts, &env).ok());
  EXPECT_THAT(env, Contains("ALLOT_NODES=n1,n2"));
  EXPECT_EQ(std::count_if(env.begin(), env.end(),
                          [](const std::string& e) { return e.rfind("ALLOT_NODES=", 0) == 0; }),
            1);
  EXPECT_THAT(env, Contains("ALLOT_NODE_COUNT=2"));
  EXPECT_THAT(env, Contains("ALLOT_NODE_CPUS=n1:0;n2:1"));
  EXPECT_THAT(env, Contains("ALLOT_HOSTFILE=" + dir + "/allot-hostfile"));
  EXPECT_THAT(env, Contains("ALLOT_NODE_EXEC=" + dir + "/allot-node-exec"));
  EXPECT_EQ(Read(dir + "/allot-hostfile"), "n1:1\nn2:1\n");
  const std::string script = Read(dir + "/allot-node-exec");
  EXPECT_THAT(script, HasSubstr("exec '/opt/allot dir/bin/allot' node-exec --execution mpi@2 "
                                "--local n1 --server-dir /srv/camp \"$@\"\n"));
  struct stat st;
  ASSERT_EQ(stat((dir + "/allot-node-exec").c_str(), &st), 0);
  EXPECT_NE(st.st_mode & S_IXUSR, 0u);
  std::filesystem::remove_all(dir);
}

TEST(NodeEnvironmentTest, AnUnwritableTaskDirectoryIsAnErrorNamingTheFile) {
  const std::vector<AttemptNode> nodes = {{"n1", {0}}, {"n2", {1}}};
  NodeEnvironmentFacts facts;
  facts.nodes = &nodes;
  facts.task_dir = "/nonexistent/allot-test";
  facts.allot_bin = "/bin/allot";
  facts.execution_id = "mpi@1";
  std::vector<std::string> env;
  Status s = AddNodeEnvironment(facts, &env);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/allot-test/allot-hostfile"));
}

}  // namespace
}  // namespace allot
