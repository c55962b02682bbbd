#pragma once
// A sweep's output folder: who may work in it (an flock(2) lock), which paths can be one, and
// which sweep it holds (the design's fingerprint in <dir>/design.txt).
#include <filesystem>
#include <string>

#include "engine/files.hpp"
#include "sweeps/sweep.hpp"

namespace cm::sweeps {

// Bad input that is not a configuration: an output path that cannot be a sweep folder, a folder in
// use by another sweep. The CLI exits 2 on it (nothing was run).
using InputError = engine::BadOutputPath;

// An exclusive lock on a sweep folder: an flock(2) on <dir>/.lock, which holds the holder's pid.
// The kernel drops it when the holder dies, however it dies, so a killed sweep never blocks a
// rerun. Locks taken again by the same process on the same folder share one descriptor (flock
// locks of two descriptors conflict even within a process). Throws InputError naming the folder
// and the holder's pid when another process holds it.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  std::string key_;
};

// Refuses (InputError) an output folder path that is empty or exists and is not a directory.
void check_output_folder(const std::filesystem::path& dir);
// For the command line's -o: "" is an error, not the default (the message when empty, else "").
std::string non_empty_path(std::string& value);

namespace detail {

// A folder holds one sweep: its design's fingerprint (every run's file, seed, policies and
// overrides) is kept in <dir>/design.txt, and a different sweep is refused (InputError) rather than
// mixed with old runs. The same design with more replicates a point is the folder growing: its
// journal is re-keyed to the new run indices and the runs already done are kept. The first sweep
// in a folder writes the fingerprint.
void check_same_design(const Design& design, const std::filesystem::path& dir);

// Removes the temporary files of runs killed in flight (SIGKILL, a lost node) from <dir>/runs:
// with the folder locked they are debris, and those runs are redone.
void remove_unfinished_files(const std::filesystem::path& dir);

}  // namespace detail
}  // namespace cm::sweeps
