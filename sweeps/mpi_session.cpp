#include "sweeps/mpi_session.hpp"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#ifdef CAREMARKET_HAVE_MPI
#include <mpi.h>
#endif

namespace cm::sweeps {

bool launched_under_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_STEP_NUM_TASKS"}) {
    if (const char* v = std::getenv(var); v && std::atoi(v) > (std::strcmp(var, "PMIX_RANK") == 0 ? -1 : 1))
      return true;
  }
  return false;
}

MpiSession::MpiSession() {
#ifndef CAREMARKET_HAVE_MPI
  if (launched_under_mpi())
    throw std::runtime_error(
        "started by mpirun/srun, but this caremarket was built without MPI: every rank would run the "
        "whole sweep; install libopenmpi-dev and rebuild, or run without mpirun");
#endif
#ifdef CAREMARKET_HAVE_MPI
  if (!launched_under_mpi()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  initialised_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#endif
}

MpiSession::~MpiSession() {
#ifdef CAREMARKET_HAVE_MPI
  if (initialised_) MPI_Finalize();
#endif
}

namespace detail {

World mpi_world() {
  World world;
#ifdef CAREMARKET_HAVE_MPI
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised) {
    MPI_Comm_rank(MPI_COMM_WORLD, &world.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world.size);
  }
#endif
  return world;
}

}  // namespace detail
}  // namespace cm::sweeps
