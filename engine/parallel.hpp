#pragma once
// Parallel loops and reductions whose results do not depend on the thread count.
#include <cstddef>
#include <memory>

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/partitioner.h>

namespace engine {

// Caps the number of worker threads for its lifetime (0 = all cores).
class ThreadLimit {
 public:
  explicit ThreadLimit(int threads);
  ~ThreadLimit();
  ThreadLimit(const ThreadLimit&) = delete;
  ThreadLimit& operator=(const ThreadLimit&) = delete;
  int threads() const noexcept { return threads_; }

 private:
  int threads_;
  std::unique_ptr<tbb::global_control> control_;
};

int hardware_threads();

// Calls body(i) for i in [0, n). Bodies must write only to row i (or other disjoint places).
template <class Body>
void parallel_for_rows(std::size_t n, Body&& body, std::size_t grain = 1024) {
  if (n == 0) return;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain), [&](const tbb::blocked_range<std::size_t>& r) {
    for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
  });
}

// Sum of value(i) over [0, n), split and merged in the same order whatever the thread count,
// so floating-point results are bit-identical across runs.
template <class T, class Value>
T deterministic_sum(std::size_t n, Value&& value, std::size_t grain = 4096) {
  return tbb::parallel_deterministic_reduce(
      tbb::blocked_range<std::size_t>(0, n, grain), T{},
      [&](const tbb::blocked_range<std::size_t>& r, T acc) {
        for (std::size_t i = r.begin(); i != r.end(); ++i) acc += value(i);
        return acc;
      },
      [](T a, const T& b) { return a += b; }, tbb::simple_partitioner());
}

}  // namespace engine
