// OutputHasher: exits come back through its fd with their manifest, or what cannot be read.
#include "worker/output_hasher.h"

#include <poll.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "model/output_manifest.h"

namespace allot {
namespace {

namespace fs = std::filesystem;

// Waits (bounded) until the hasher's fd is readable, then collects.
std::vector<ProcessExit> CollectWhenReady(OutputHasher& h, size_t want) {
  std::vector<ProcessExit> out;
  for (int i = 0; i < 500 && out.size() < want; ++i) {
    pollfd p{h.ReadyFd(), POLLIN, 0};
    if (poll(&p, 1, 10) > 0) h.Collect(&out);
  }
  return out;
}

TEST(OutputHasherTest, ExitsComeBackThroughItsFdWithTheirManifestOrWhatCannotBeRead) {
  char pattern[] = "/tmp/allot-hasher-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  std::ofstream(dir + "/a.txt") << "abc";
  OutputHasher h;
  ProcessExit good;
  good.run_id = 7;
  good.usage.exit_code = 0;
  ProcessExit gone = good;
  gone.run_id = 8;
  h.Submit(good, {dir + "/a.txt"});
  h.Submit(gone, {dir + "/missing.txt"});
  std::vector<ProcessExit> out = CollectWhenReady(h, 2);
  fs::remove_all(dir);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].run_id, 7u);
  Result<std::vector<OutputFile>> m = OutputManifestFromJson(out[0].usage.outputs);
  ASSERT_TRUE(m.ok()) << out[0].usage.outputs;
  EXPECT_EQ((*m)[0].size, 3);
  EXPECT_TRUE(out[0].usage.output_error.empty());
  EXPECT_EQ(out[1].run_id, 8u);
  EXPECT_TRUE(out[1].usage.outputs.empty());
  EXPECT_NE(out[1].usage.output_error.find("its outputs cannot be read"), std::string::npos);
}

}  // namespace
}  // namespace allot
