#include "model/sweep.h"

#include <set>

#include "model/did_you_mean.h"
#include "model/value_readers.h"

namespace allot {

std::vector<std::string> Sweep::ParameterNames() const {
  std::vector<std::string> names;
  for (const SweepParameter& p : grid) names.push_back(p.name);
  for (const SweepParameter& p : zip) names.push_back(p.name);
  return names;
}

size_t Sweep::RowCount() const {
  size_t rows = 1;
  for (const SweepParameter& p : grid) rows *= p.values.size();
  if (!zip.empty()) rows *= zip.front().values.size();
  return rows;
}

void Sweep::RowValues(size_t row, std::vector<const std::string*>* values) const {
  size_t zip_rows = zip.empty() ? 1 : zip.front().values.size();
  size_t zip_index = row % zip_rows;
  size_t grid_row = row / zip_rows;
  for (size_t i = grid.size(); i-- > 0;) {
    const std::vector<std::string>& v = grid[i].values;
    (*values)[i] = &v[grid_row % v.size()];
    grid_row /= v.size();
  }
  for (size_t i = 0; i < zip.size(); ++i) (*values)[grid.size() + i] = &zip[i].values[zip_index];
}

namespace {

class SweepReader {
 public:
  SweepReader(const std::string& task_id, DiagnosticSink* sink) : task_id_(task_id), sink_(sink) {}

  void Error(const SourceValue& at, const std::string& field, const std::string& message) {
    sink_->Add(at.line(), task_id_, field, message);
    ok_ = false;
  }

  // grid or zip: {name: [values]}.
  void ReadGroup(const SourceValue& group, const std::string& field,
                 std::vector<SweepParameter>* out) {
    if (!group.json().is_object() || group.json().empty()) {
      Error(group, field,
            "must be a mapping of parameter names to lists of values, like {energy: [1, 5]} "
            "(got " +
                DescribeValue(group.json()) + ")");
      return;
    }
    for (size_t i = 0; i < group.size(); ++i) {
      const std::string& name = group.KeyAt(i);
      SourceValue values = group.Child(i);
      std::string value_field = field + "." + name;
      if (name.empty() || name.find_first_of("{}") != std::string::npos) {
        Error(values, value_field, "a parameter name must be non-empty and without braces");
        continue;
      }
      if (!names_.insert(name).second) {
        Error(values, value_field, "parameter '" + name + "' is defined twice");
        continue;
      }
      if (!values.json().is_array() || values.json().empty()) {
        Error(values, value_field,
              "must be a non-empty list of values (got " + DescribeValue(values.json()) + ")");
        continue;
      }
      SweepParameter param;
      param.name = name;
      param.line = values.line();
      for (size_t k = 0; k < values.size(); ++k) {
        SourceValue v = values.Child(k);
        Result<std::string> text = ReadText(v.json());
        if (!text.ok()) {
          Error(v, value_field, text.status().message());
        } else {
          param.values.push_back(std::move(*text));
        }
      }
      out->push_back(std::move(param));
    }
  }

  bool ok() const { return ok_; }

 private:
  const std::string& task_id_;
  DiagnosticSink* sink_;
  std::set<std::string> names_;
  bool ok_ = true;
};

}  // namespace

bool ParseSweep(const SourceValue& value, const std::string& task_id, DiagnosticSink* sink,
                Sweep* sweep) {
  SweepReader reader(task_id, sink);
  sweep->line = value.line();
  const OrderedJson& j = value.json();
  if (!j.is_object() || (!j.contains("grid") && !j.contains("zip"))) {
    reader.Error(value, "sweep",
                 "must be a mapping with 'grid' and/or 'zip', like {grid: {energy: [1, 5]}} "
                 "(got " +
                     DescribeValue(j) + ")");
  }
  if (j.is_object()) {
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string& key = value.KeyAt(i);
      if (key == "grid") {
        reader.ReadGroup(value.Child(i), "sweep.grid", &sweep->grid);
      } else if (key == "zip") {
        reader.ReadGroup(value.Child(i), "sweep.zip", &sweep->zip);
      } else {
        std::string hint = DidYouMean(key, {"grid", "zip"});
        reader.Error(value.Child(i), "sweep." + key,
                     "unknown sweep key; expected 'grid' or 'zip'" +
                         (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
  }
  bool zip_ok = true;
  for (const SweepParameter& p : sweep->zip) {
    const SweepParameter& first = sweep->zip.front();
    if (p.values.size() != first.values.size()) {
      sink->Add(p.line, task_id, "sweep.zip",
                "zip lists must have equal lengths: '" + first.name + "' has " +
                    std::to_string(first.values.size()) + " values, '" + p.name + "' has " +
                    std::to_string(p.values.size()));
      zip_ok = false;
    }
  }
  if (!zip_ok) return false;
  if (reader.ok()) {
    double rows = 1;
    for (const SweepParameter& p : sweep->grid) rows *= static_cast<double>(p.values.size());
    if (!sweep->zip.empty()) rows *= static_cast<double>(sweep->zip.front().values.size());
    if (rows > static_cast<double>(Sweep::kMaxRows)) {
      reader.Error(value, "sweep",
                   "expands to " + std::to_string(static_cast<long long>(rows)) +
                       " tasks; at most " + std::to_string(Sweep::kMaxRows) + " are allowed");
    }
  }
  return reader.ok();
}

}  // namespace allot
