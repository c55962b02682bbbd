#include "engine/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace engine {

bool ProgressBar::stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(long total, std::string label, bool enabled)
    : total_(std::max(total, 1L)),
      label_(std::move(label)),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(long done) {
  last_done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
  last_draw_ = now;
  draw(done, false);
}

void ProgressBar::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  draw(last_done_, true);
}

void ProgressBar::draw(long done, bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double left = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
  constexpr int width = 30;
  const int filled = static_cast<int>(width * std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)));
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r%s [%s] %ld/%ld  %.0f steps/s  %s %.0fs ", label_.c_str(), bar.c_str(), done, total_, rate,
               final_line ? "took" : "left", final_line ? elapsed : std::ceil(left));
  if (final_line) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace engine
