#pragma once
// Cooperative cancellation: SIGINT/SIGTERM set a flag that long loops check at step boundaries.
#include <atomic>

namespace engine {

class CancelFlag {
 public:
  bool requested() const noexcept { return flag_.load(std::memory_order_relaxed); }
  void request() noexcept { flag_.store(true, std::memory_order_relaxed); }
  void reset() noexcept { flag_.store(false, std::memory_order_relaxed); }
  int signal() const noexcept { return signal_.load(std::memory_order_relaxed); }
  void set_signal(int s) noexcept { signal_.store(s, std::memory_order_relaxed); }

 private:
  std::atomic<bool> flag_{false};
  std::atomic<int> signal_{0};
};

// The process-wide flag the signal handlers set.
CancelFlag& process_cancel_flag();

// Routes SIGINT and SIGTERM to process_cancel_flag() while alive; a second signal of the same
// kind falls back to the default action, so a stuck run can still be killed. Restores on exit.
class SignalGuard {
 public:
  SignalGuard();
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
};

}  // namespace engine
