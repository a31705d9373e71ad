// Rng: injected randomness, so every randomized decision and test is reproducible from a seed.
// Not thread-safe.
#pragma once

#include <cstdint>

namespace allot {

class Rng {
 public:
  virtual ~Rng() = default;
  virtual uint64_t Next() = 0;
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) { return Next() % n; }
  // Uniform in [0, 1).
  double UniformDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
};

// SplitMix64: small, fast, good enough for scheduling jitter and tests.
class SplitMixRng final : public Rng {
 public:
  explicit SplitMixRng(uint64_t seed) : state_(seed) {}
  uint64_t Next() override {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

}  // namespace allot
