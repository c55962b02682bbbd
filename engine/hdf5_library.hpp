#pragma once
// Process-wide set-up of the HDF5 library, shared by the writer and the readers.

namespace engine::detail {

// Call before any other HDF5 call of the process (every entry point into HDF5 calls it).
// HDF5's clean-up at exit crashes on a file whose closing failed (a full disk keeps it on the
// library's list of open files), so it is turned off: every file is closed, or given up,
// explicitly.
void prepare_hdf5() noexcept;

}  // namespace engine::detail
