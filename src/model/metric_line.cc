#include "model/metric_line.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace allot {

namespace {

constexpr size_t kMaxMetricName = 64;

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
}

std::string Shown(std::string_view text) {
  return std::string(text.substr(0, 40)) + (text.size() > 40 ? "..." : "");
}

}  // namespace

Status CheckMetricName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("metric name is empty");
  if (name.size() > kMaxMetricName) {
    return Status::InvalidArgument("metric name '" + Shown(name) + "' is " +
                                   std::to_string(name.size()) + " characters (at most 64)");
  }
  const char first = name[0];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) {
    return Status::InvalidArgument("metric name '" + Shown(name) +
                                   "' must start with a letter or '_'");
  }
  for (char c : name) {
    if (!NameChar(c)) {
      return Status::InvalidArgument("metric name '" + Shown(name) + "': '" + std::string(1, c) +
                                     "' is not allowed (letters, digits and _ . : / - are)");
    }
  }
  return Status::Ok();
}

Result<MetricPoint> ParseMetricLine(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return Status::InvalidArgument("not a JSON object {\"name\": ..., \"value\": ...}: '" +
                                   Shown(line) + "'");
  }
  MetricPoint p;
  auto name = j.find("name");
  if (name == j.end() || !name->is_string()) {
    return Status::InvalidArgument("field 'name': missing or not a string");
  }
  p.name = name->get<std::string>();
  if (Status s = CheckMetricName(p.name); !s.ok()) {
    return Status::InvalidArgument("field 'name': " + s.message());
  }
  auto value = j.find("value");
  if (value == j.end() || !value->is_number()) {
    return Status::InvalidArgument("field 'value' of metric '" + p.name +
                                   "': missing or not a number");
  }
  p.value = value->get<double>();
  if (!std::isfinite(p.value)) {
    return Status::InvalidArgument("field 'value' of metric '" + p.name + "': not finite");
  }
  if (auto step = j.find("step"); step != j.end() && !step->is_null()) {
    if (!step->is_number_integer() || step->get<int64_t>() < 0) {
      return Status::InvalidArgument("field 'step' of metric '" + p.name +
                                     "': must be a non-negative integer (got " + step->dump() +
                                     ")");
    }
    p.step = step->get<int64_t>();
  }
  return p;
}

std::string MetricLine(const std::string& name, double value, std::optional<int64_t> step) {
  nlohmann::json j = {{"name", name}, {"value", value}};
  if (step) j["step"] = *step;
  return j.dump();
}

}  // namespace allot
