#pragma once
// A one-line progress bar on stderr: step, steps per second, time left. Draws only on a terminal,
// at most ten times a second, so it costs nothing measurable in a run.
#include <chrono>
#include <cstdio>
#include <string>

namespace engine {

class ProgressBar {
 public:
  ProgressBar(long total, std::string label, bool enabled);
  ~ProgressBar();
  void update(long done);
  void finish();
  static bool stderr_is_terminal();

 private:
  void draw(long done, bool final_line);
  long total_;
  std::string label_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  long last_done_ = 0;
};

}  // namespace engine
