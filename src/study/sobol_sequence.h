// SobolSequence: the Sobol low-discrepancy sequence in up to kMaxDimensions dimensions, with the
// direction numbers of Joe and Kuo (new-joe-kuo-6.21201: S. Joe and F. Y. Kuo, "Constructing
// Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30, 2008),
// generated in Gray-code order with 32-bit precision (Antonov-Saleev), as SciPy's
// qmc.Sobol(scramble=False) does.
//
// The sequence's point 0 is all zeros; Next() starts after it, at point 1 (0.5, 0.5, ...), then
// (0.75, 0.25, 0.25), (0.25, 0.75, 0.75), (0.375, 0.375, 0.625), ... Every coordinate is in
// [0, 1). At most 2^32 - 1 points. Not thread-safe; no I/O.
#pragma once

#include <cstdint>
#include <vector>

namespace allot {

class SobolSequence {
 public:
  static constexpr int kMaxDimensions = 32;

  // REQUIRES: 1 <= dimensions <= kMaxDimensions.
  explicit SobolSequence(int dimensions);

  int dimensions() const { return dimensions_; }
  // The next point's coordinates as 32-bit fractions (x / 2^32), and as doubles.
  void NextBits(std::vector<uint32_t>* point);
  void Next(std::vector<double>* point);

 private:
  int dimensions_;
  uint32_t index_ = 0;  // of the last point returned
  std::vector<uint32_t> state_;               // per dimension: the last point's bits
  std::vector<std::vector<uint32_t>> direction_;  // per dimension: 32 direction numbers
};

}  // namespace allot
