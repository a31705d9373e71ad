// Task results: what counts as one, the cap, what dependents see.
#include "model/task_result.h"

#include <gtest/gtest.h>

#include <string>

namespace allot {
namespace {

TEST(TaskResultTest, AWholeDocumentOrTheLastJsonLineIsTheResultCompact) {
  EXPECT_EQ(*ParseTaskResult("{\n  \"loss\": 0.5,\n  \"n\": [1, 2]\n}\n"),
            R"({"loss":0.5,"n":[1,2]})");
  EXPECT_EQ(*ParseTaskResult("{\"step\": 1}\n{\"step\": 2}\n\n"), R"({"step":2})");
  EXPECT_EQ(*ParseTaskResult("42"), "42");
}

TEST(TaskResultTest, NoJsonOrOverTheCapIsAnErrorSayingSo) {
  EXPECT_EQ(ParseTaskResult("{\"a\": 1}\nnot json\n").status().message(),
            "its result is not JSON (last line: 'not json')");
  EXPECT_EQ(ParseTaskResult(" \n").status().message(), "its result file is empty");
  const std::string big = "\"" + std::string(kMaxResultBytes, 'x') + "\"";
  Result<std::string> r = ParseTaskResult(big);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("over the cap of 1 MiB"), std::string::npos)
      << r.status().message();
}

TEST(TaskResultTest, DependentsSeeResultsInDependsOnOrderAndKeysFillTheCommandQuoted) {
  const std::string deps =
      DepResultsJson({{"sim-2", R"({"file":"hits a.dat","n":3})"}, {"sim-1", R"({"n":1})"}});
  EXPECT_EQ(deps, R"({"sim-2":{"file":"hits a.dat","n":3},"sim-1":{"n":1}})");
  EXPECT_EQ(*FillDepResults("reco {dep.result.file} --n {dep.result.n}", deps),
            "reco 'hits a.dat' --n 3");
  EXPECT_EQ(*FillDepResults("plain {x}", ""), "plain {x}");
  Result<std::string> missing = FillDepResults("reco {dep.result.gone}", deps);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "{dep.result.gone}: no result of its dependencies has 'gone' (results of sim-2, "
            "sim-1)");
}

TEST(TaskResultTest, ParamsTakeAWholePlaceholderWithItsTypeAndPartsAsText) {
  const std::string deps = R"({"sim": {"loss": 0.5, "file": "out 1.h5", "n": [1, 2]}})";
  Result<std::string> filled = FillDepResultsInJson(
      R"({"a":"{dep.result.loss}","b":"f={dep.result.file} n={dep.result.n}",)"
      R"("c":["{dep.result.n}",{"d":"{dep.result.file}"}],"e":3,"f":"{dep.result.loss}x"})",
      deps);
  ASSERT_TRUE(filled.ok()) << filled.status().ToString();
  EXPECT_EQ(*filled, R"({"a":0.5,"b":"f=out 1.h5 n=[1,2]","c":[[1,2],{"d":"out 1.h5"}],"e":3,)"
                     R"("f":"0.5x"})");
  EXPECT_EQ(*FillDepResultsInJson(R"({"a":1})", deps), R"({"a":1})");  // nothing to fill
  Result<std::string> missing = FillDepResultsInJson(R"({"a":"{dep.result.nope}"})", deps);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "{dep.result.nope}: no result of its dependencies has 'nope' (results of sim)");
}

}  // namespace
}  // namespace allot
