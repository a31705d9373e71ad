#include "model/diagnostic_json.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using Json = nlohmann::json;

TEST(DiagnosticJsonTest, EveryKeyIsThereAndWhatIsUnknownIsNull) {
  Diagnostic d{"t.yaml", 12, "sim-1", "coers", "unknown field"};
  EXPECT_EQ(DiagnosticToJson(d),
            Json::parse(R"({"file": "t.yaml", "line": 12, "column": null, "task": "sim-1",
                            "field": "coers", "message": "unknown field",
                            "text": "t.yaml:12: task 'sim-1': field 'coers': unknown field"})"));
  EXPECT_EQ(DiagnosticToJson(Diagnostic{"", 0, "", "", "bad"}),
            Json::parse(R"({"file": null, "line": null, "column": null, "task": null,
                            "field": null, "message": "bad", "text": "bad"})"));
}

TEST(DiagnosticJsonTest, RoundTrips) {
  Diagnostic d{"t.json", 3, "a", "depends_on", "unknown task 'z'"};
  d.column = 14;
  EXPECT_EQ(DiagnosticFromJson(DiagnosticToJson(d)), d);
  Diagnostic bare{"", 0, "", "", "only a message"};
  EXPECT_EQ(DiagnosticFromJson(DiagnosticToJson(bare)), bare);
}

TEST(DiagnosticJsonTest, ReadingIsLenient) {
  Diagnostic d = DiagnosticFromJson(Json::parse(R"({"line": "7", "column": -1, "task": 5,
                                                   "message": "m", "extra": true})"));
  EXPECT_EQ(d, (Diagnostic{"", 0, "", "", "m"}));
  EXPECT_EQ(DiagnosticFromJson(Json("just text")).message, "just text");
}

}  // namespace
}  // namespace allot
