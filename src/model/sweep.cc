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
  SweepReader(const LineMap& lines, const std::string& task_id, DiagnosticSink* sink)
      : lines_(lines), task_id_(task_id), sink_(sink) {}

  void Error(const std::string& path, const std::string& field, const std::string& message) {
    sink_->Add(lines_.Find(path), task_id_, field, message);
    ok_ = false;
  }

  // grid or zip: {name: [values]}.
  void ReadGroup(const OrderedJson& group, const std::string& path, const std::string& field,
                 std::vector<SweepParameter>* out) {
    if (!group.is_object() || group.empty()) {
      Error(path, field,
            "must be a mapping of parameter names to lists of values, like {energy: [1, 5]} "
            "(got " + DescribeValue(group) + ")");
      return;
    }
    for (auto it = group.begin(); it != group.end(); ++it) {
      const std::string& name = it.key();
      std::string value_path = ChildPath(path, name);
      std::string value_field = field + "." + name;
      if (name.empty() || name.find_first_of("{}") != std::string::npos) {
        Error(value_path, value_field, "a parameter name must be non-empty and without braces");
        continue;
      }
      if (!names_.insert(name).second) {
        Error(value_path, value_field, "parameter '" + name + "' is defined twice");
        continue;
      }
      if (!it->is_array() || it->empty()) {
        Error(value_path, value_field,
              "must be a non-empty list of values (got " + DescribeValue(*it) + ")");
        continue;
      }
      SweepParameter param;
      param.name = name;
      param.line = lines_.Find(value_path);
      size_t index = 0;
      for (const OrderedJson& v : *it) {
        Result<std::string> text = ReadText(v);
        if (!text.ok()) {
          Error(ChildPath(value_path, index), value_field, text.status().message());
        } else {
          param.values.push_back(std::move(*text));
        }
        ++index;
      }
      out->push_back(std::move(param));
    }
  }

  bool ok() const { return ok_; }

 private:
  const LineMap& lines_;
  const std::string& task_id_;
  DiagnosticSink* sink_;
  std::set<std::string> names_;
  bool ok_ = true;
};

}  // namespace

bool ParseSweep(const OrderedJson& value, const std::string& path, const LineMap& lines,
                const std::string& task_id, DiagnosticSink* sink, Sweep* sweep) {
  SweepReader reader(lines, task_id, sink);
  sweep->line = lines.Find(path);
  if (!value.is_object() || (!value.contains("grid") && !value.contains("zip"))) {
    reader.Error(path, "sweep",
                 "must be a mapping with 'grid' and/or 'zip', like {grid: {energy: [1, 5]}} "
                 "(got " + DescribeValue(value) + ")");
  }
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      std::string child = ChildPath(path, it.key());
      if (it.key() == "grid") {
        reader.ReadGroup(*it, child, "sweep.grid", &sweep->grid);
      } else if (it.key() == "zip") {
        reader.ReadGroup(*it, child, "sweep.zip", &sweep->zip);
      } else {
        std::string hint = DidYouMean(it.key(), {"grid", "zip"});
        reader.Error(child, "sweep." + it.key(),
                     "unknown sweep key; expected 'grid' or 'zip'" +
                         (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
  }
  for (const SweepParameter& p : sweep->zip) {
    const SweepParameter& first = sweep->zip.front();
    if (p.values.size() != first.values.size()) {
      reader.Error(ChildPath(ChildPath(path, "zip"), p.name), "sweep.zip",
                   "zip lists must have equal lengths: '" + first.name + "' has " +
                       std::to_string(first.values.size()) + " values, '" + p.name + "' has " +
                       std::to_string(p.values.size()));
    }
  }
  if (reader.ok()) {
    double rows = 1;
    for (const SweepParameter& p : sweep->grid) rows *= static_cast<double>(p.values.size());
    if (!sweep->zip.empty()) rows *= static_cast<double>(sweep->zip.front().values.size());
    if (rows > static_cast<double>(Sweep::kMaxRows)) {
      reader.Error(path, "sweep",
                   "expands to " + std::to_string(static_cast<long long>(rows)) +
                       " tasks; at most " + std::to_string(Sweep::kMaxRows) + " are allowed");
    }
  }
  return reader.ok();
}

}  // namespace allot
