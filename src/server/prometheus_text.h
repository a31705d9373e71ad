// Writing the Prometheus text exposition format (version 0.0.4): HELP/TYPE headers, samples
// with escaped label values, and histograms with cumulative buckets. Conventions followed by
// the callers: base units (seconds, bytes), `_total` for counters, low-cardinality labels.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace allot {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A histogram over fixed upper bounds (ascending; +Inf is implicit).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  const std::vector<uint64_t>& counts() const { return counts_; }  // per bucket, not cumulative
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // bounds_.size() + 1 (the last is +Inf)
  uint64_t count_ = 0;
  double sum_ = 0;
};

class PrometheusText {
 public:
  // "# HELP name help" and "# TYPE name type" (gauge, counter, histogram).
  void Header(const std::string& name, const std::string& type, const std::string& help);
  void Sample(const std::string& name, const Labels& labels, double value);
  // name_bucket{le=...}, name_sum, name_count, after a Header(name, "histogram", ...).
  void HistogramSamples(const std::string& name, const Labels& labels, const Histogram& h);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace allot
