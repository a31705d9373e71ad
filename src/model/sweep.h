// Sweeps: one task template expanded over parameter values.
//
//   sweep:
//     grid: {energy: [1, 5, 10], seed: [1, 2]}   # cartesian product, first key slowest
//     zip:  {geometry: [a, b], field: [1.5, 3]}   # lists of equal length, taken together
//
// With both, every grid combination is combined with every zip row (grid outer, zip inner).
// Values are scalars and are substituted as text: integers as digits, floats in their
// shortest round-trip form, booleans as true/false.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/diagnostic_sink.h"
#include "model/source_doc.h"

namespace allot {

struct SweepParameter {
  std::string name;
  std::vector<std::string> values;
  int line = 0;
};

struct Sweep {
  static constexpr size_t kMaxRows = 10'000'000;

  std::vector<SweepParameter> grid;
  std::vector<SweepParameter> zip;  // all the same length
  int line = 0;

  // Grid parameters, then zip parameters: the order RowValues uses.
  std::vector<std::string> ParameterNames() const;
  size_t RowCount() const;
  // REQUIRES: row < RowCount(); values->size() == grid.size() + zip.size().
  void RowValues(size_t row, std::vector<const std::string*>* values) const;
};

// Reads the value of a `sweep` field. Reports every problem to `sink` (naming `task_id` and
// field "sweep...") and returns false when there was one.
bool ParseSweep(const SourceValue& value, const std::string& task_id, DiagnosticSink* sink,
                Sweep* sweep);

}  // namespace allot
