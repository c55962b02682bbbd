#pragma once
// MPI for a sweep started by mpirun/srun: whether the process is one of several ranks, and the
// MPI lifetime of the process (initialised when a session starts, finalised when it ends).
namespace cm::sweeps {

// Is this process one of several MPI ranks (mpirun/srun)? Decided from the launcher's environment.
bool launched_under_mpi();
// Initialises and finalises MPI when launched under it (no-op otherwise, or without MPI support).
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

 private:
  int rank_ = 0, size_ = 1;
  bool initialised_ = false;
};

namespace detail {

// This process's rank and the number of ranks: {0, 1} unless MPI has been initialised.
struct World {
  int rank = 0, size = 1;
};
World mpi_world();

}  // namespace detail
}  // namespace cm::sweeps
