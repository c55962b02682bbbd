#include "engine/parallel.hpp"

#include <tbb/global_control.h>
#include <tbb/info.h>

namespace engine {

int hardware_threads() { return tbb::info::default_concurrency(); }

ThreadLimit::ThreadLimit(int threads) : threads_(threads > 0 ? threads : hardware_threads()) {
  control_ = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                   static_cast<std::size_t>(threads_));
}

ThreadLimit::~ThreadLimit() = default;

}  // namespace engine
