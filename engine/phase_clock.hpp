#pragma once
// Where a step's time goes, phase by phase: a build configured with CAREMARKET_PHASE_TIMING=ON
// (it defines ENGINE_PHASE_TIMING) has Schedule::run record, for each phase of the declared step,
//   wall   the wall time of a step phase, or of the parallel region a group or row phase opens
//          (the region runs every phase up to the next step phase);
//   cpu    the time threads spent in a group phase, or in a row phase's begin, rows and end (a
//          fused block's loop over a table is counted to the first hook on that table);
// summed over the run and printed to stderr at exit as one table. Any other build compiles the
// records away (kPhaseTiming is false), so the timing costs nothing unless asked for. The clock
// reads twice per phase and group, never per row: the numbers are the week's own.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

namespace engine {

#ifdef ENGINE_PHASE_TIMING
inline constexpr bool kPhaseTiming = true;
#else
inline constexpr bool kPhaseTiming = false;
#endif

class PhaseClock {
 public:
  enum Part : std::size_t { kWall, kGroup, kBegin, kRows, kEnd, kParts };
  static constexpr std::size_t kMaxPhases = 64;

  static PhaseClock& instance() {
    static PhaseClock clock;
    return clock;
  }
  static std::int64_t now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void name(std::size_t phase, std::string_view name) {
    if (phase < kMaxPhases) names_[phase] = name;
  }
  // Adds the time since `since` to a part of a phase; returns now, the start of what follows.
  std::int64_t add(std::size_t phase, Part part, std::int64_t since) {
    const std::int64_t t = now();
    if (phase < kMaxPhases) ns_[phase][part].fetch_add(t - since, std::memory_order_relaxed);
    return t;
  }

  PhaseClock(const PhaseClock&) = delete;
  PhaseClock& operator=(const PhaseClock&) = delete;
  ~PhaseClock() {
    std::fprintf(stderr, "%-5s %-36s %9s %9s %9s %9s %9s\n", "phase", "name", "wall s", "group s", "begin s", "rows s",
                 "end s");
    for (std::size_t p = 0; p < kMaxPhases; ++p) {
      if (names_[p].empty()) continue;
      std::fprintf(stderr, "%5zu %-36.*s", p, static_cast<int>(names_[p].size()), names_[p].data());
      for (std::size_t part = 0; part < kParts; ++part)
        std::fprintf(stderr, " %9.3f", static_cast<double>(ns_[p][part].load()) * 1e-9);
      std::fprintf(stderr, "\n");
    }
  }

 private:
  PhaseClock() = default;
  std::array<std::array<std::atomic<std::int64_t>, kParts>, kMaxPhases> ns_{};
  std::array<std::string_view, kMaxPhases> names_{};
};

}  // namespace engine
