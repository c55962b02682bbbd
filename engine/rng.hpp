#pragma once
// Counter-based random streams.
//
// Every draw is a pure function of (seed, replicate, step, agent, purpose, n), where n counts the
// draws taken from one stream. No generator is shared: a parallel loop builds the stream it needs
// from the key, so results cannot depend on which thread runs which agent. A stream satisfies
// UniformRandomBitGenerator, so Boost.Random distributions work on top of it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace engine {

// SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Folds one more key component into a hash; each component goes through the mixer on its own
// first, so (a, b) and (b, a) give unrelated keys.
constexpr std::uint64_t fold_key(std::uint64_t hash, std::uint64_t component) noexcept {
  return mix64(hash ^ (mix64(component + 0x9e3779b97f4a7c15ULL) + 0x632be59bd9b4e019ULL + (hash << 6) + (hash >> 2)));
}

class Stream {
 public:
  using result_type = std::uint64_t;

  constexpr Stream(std::uint64_t seed, std::uint64_t replicate, std::uint64_t step, std::uint64_t agent,
                   std::uint64_t purpose) noexcept
      : Stream(step_key(seed, replicate, step), agent, purpose) {}

  // The key of (seed, replicate, step), from which every agent's stream of that step is folded:
  // computing it once per step saves three of the five folds per stream.
  static constexpr std::uint64_t step_key(std::uint64_t seed, std::uint64_t replicate, std::uint64_t step) noexcept {
    return fold_key(fold_key(fold_key(0x5ca1ab1e0ddba11ULL, seed), replicate), step);
  }
  constexpr Stream(std::uint64_t step_key_value, std::uint64_t agent, std::uint64_t purpose) noexcept
      : key_(fold_key(fold_key(step_key_value, agent), purpose)) {}

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  // Draw n of this stream: two rounds of mixing over (key, n) so neighbouring keys and counters
  // do not give correlated outputs.
  constexpr result_type operator()() noexcept {
    ++counter_;
    return mix64(mix64(key_ + counter_ * 0x9e3779b97f4a7c15ULL) ^ key_);
  }

  // Uniform on [0, 1) with 53 random bits.
  constexpr double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1]: safe to take the logarithm of.
  constexpr double open_uniform() noexcept { return 1.0 - uniform(); }
  constexpr bool bernoulli(double p) noexcept { return uniform() < p; }
  // Uniform integer in [0, n) by Lemire's multiply-shift (bias below 2^-32 for n < 2^32).
  constexpr std::uint32_t below(std::uint32_t n) noexcept {
    return static_cast<std::uint32_t>((((*this)() >> 32) * static_cast<std::uint64_t>(n)) >> 32);
  }

 private:
  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

// The number of independent trials, each a success with chance p, up to and including the first
// success (geometric on 1, 2, ...): 1 + floor(ln v / ln(1 - p)) for v uniform on (0, 1]
// (Stream::open_uniform). log_fail is ln(1 - p), which callers with a fixed p compute once. Returns
// 1 when p >= 1, and `never` when p <= 0 or the count would exceed it.
inline double trials_to_first_success(double p, double log_fail, double v, double never) noexcept {
  if (p >= 1) return 1;
  if (!(p > 0)) return never;
  return std::min(never, 1 + std::floor(std::log(v) / log_fail));
}

// The root of all streams of one run: binds seed and replicate once.
class RngRoot {
 public:
  constexpr RngRoot(std::uint64_t seed, std::uint64_t replicate) noexcept : seed_(seed), replicate_(replicate) {}
  constexpr Stream stream(std::uint64_t step, std::uint64_t agent, std::uint64_t purpose) const noexcept {
    return Stream(seed_, replicate_, step, agent, purpose);
  }
  // All streams of one step, for loops over many agents (the same streams as stream()).
  class StepStreams {
   public:
    constexpr explicit StepStreams(std::uint64_t key) noexcept : key_(key) {}
    constexpr Stream stream(std::uint64_t agent, std::uint64_t purpose) const noexcept {
      return Stream(key_, agent, purpose);
    }

   private:
    std::uint64_t key_;
  };
  constexpr StepStreams at_step(std::uint64_t step) const noexcept {
    return StepStreams(Stream::step_key(seed_, replicate_, step));
  }
  constexpr std::uint64_t seed() const noexcept { return seed_; }
  constexpr std::uint64_t replicate() const noexcept { return replicate_; }

 private:
  std::uint64_t seed_;
  std::uint64_t replicate_;
};

}  // namespace engine
