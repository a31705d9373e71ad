#include "study/sobol_sequence.h"

#include <bit>

namespace allot {
namespace {

// Joe-Kuo new-joe-kuo-6.21201, dimensions 2..32: degree s, coefficients a, initial m_1..m_s.
struct Primitive {
  int s;
  uint32_t a;
  uint32_t m[8];
};
constexpr Primitive kJoeKuo[SobolSequence::kMaxDimensions - 1] = {
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},
};

constexpr int kBits = 32;

}  // namespace

SobolSequence::SobolSequence(int dimensions)
    : dimensions_(dimensions), state_(dimensions, 0), direction_(dimensions) {
  for (int d = 0; d < dimensions_; ++d) {
    std::vector<uint32_t>& v = direction_[d];
    v.assign(kBits + 1, 0);  // v[1..32]; v[i] = m_i * 2^(32 - i)
    if (d == 0) {
      for (int i = 1; i <= kBits; ++i) v[i] = uint32_t{1} << (kBits - i);
      continue;
    }
    const Primitive& p = kJoeKuo[d - 1];
    for (int i = 1; i <= p.s && i <= kBits; ++i) v[i] = p.m[i - 1] << (kBits - i);
    for (int i = p.s + 1; i <= kBits; ++i) {
      v[i] = v[i - p.s] ^ (v[i - p.s] >> p.s);
      for (int k = 1; k < p.s; ++k) {
        if ((p.a >> (p.s - 1 - k)) & 1) v[i] ^= v[i - k];
      }
    }
  }
}

void SobolSequence::NextBits(std::vector<uint32_t>* point) {
  // Gray code: point n differs from point n - 1 by the direction number of the lowest zero bit
  // of n - 1.
  const int c = std::countr_one(index_) + 1;
  ++index_;
  point->resize(dimensions_);
  for (int d = 0; d < dimensions_; ++d) {
    state_[d] ^= direction_[d][c];
    (*point)[d] = state_[d];
  }
}

void SobolSequence::Next(std::vector<double>* point) {
  std::vector<uint32_t> bits;
  NextBits(&bits);
  point->resize(dimensions_);
  for (int d = 0; d < dimensions_; ++d) (*point)[d] = bits[d] * 0x1.0p-32;
}

}  // namespace allot
