#include "model/metric_line.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(MetricLineTest, ReadsNameValueAndOptionalStep) {
  Result<MetricPoint> p = ParseMetricLine(R"({"name": "loss", "value": 0.25, "step": 3})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "loss");
  EXPECT_DOUBLE_EQ(p->value, 0.25);
  EXPECT_EQ(p->step, 3);
  Result<MetricPoint> q = ParseMetricLine(R"({"name": "eff/barrel", "value": 7, "extra": 1})");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->step.has_value());
  EXPECT_DOUBLE_EQ(q->value, 7);
}

TEST(MetricLineTest, WritesWhatItReads) {
  Result<MetricPoint> p = ParseMetricLine(MetricLine("acc", 0.125, 12));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "acc");
  EXPECT_DOUBLE_EQ(p->value, 0.125);
  EXPECT_EQ(p->step, 12);
}

TEST(MetricLineTest, RefusesBadLinesNamingTheField) {
  auto message = [](std::string_view line) {
    Result<MetricPoint> p = ParseMetricLine(line);
    return p.ok() ? std::string("ok") : p.status().message();
  };
  EXPECT_NE(message("loss 0.3").find("not a JSON object"), std::string::npos);
  EXPECT_NE(message(R"({"value": 1})").find("field 'name'"), std::string::npos);
  EXPECT_NE(message(R"({"name": "a b", "value": 1})").find("' ' is not allowed"),
            std::string::npos);
  EXPECT_NE(message(R"({"name": "9lives", "value": 1})").find("start with a letter"),
            std::string::npos);
  EXPECT_NE(message(R"({"name": "loss", "value": "0.3"})").find("field 'value'"),
            std::string::npos);
  EXPECT_NE(message(R"({"name": "loss", "value": 1, "step": -1})").find("field 'step'"),
            std::string::npos);
  EXPECT_NE(message(R"({"name": "loss", "value": 1, "step": 1.5})").find("field 'step'"),
            std::string::npos);
}

TEST(MetricLineTest, NamesAreShortAndPlain) {
  EXPECT_TRUE(CheckMetricName("val_loss").ok());
  EXPECT_TRUE(CheckMetricName("_x.y:z/w-1").ok());
  EXPECT_FALSE(CheckMetricName("").ok());
  EXPECT_FALSE(CheckMetricName(std::string(65, 'a')).ok());
  EXPECT_TRUE(CheckMetricName(std::string(64, 'a')).ok());
  EXPECT_FALSE(CheckMetricName("loss\n").ok());
}

}  // namespace
}  // namespace allot
