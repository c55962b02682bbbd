#pragma once
// <dir>/journal.tsv: one line per finished run, appended as it finishes, so that a sweep can be
// resumed. A header line "# caremarket sweep journal v1", then tab-separated lines: run index,
// "done" or "failed", the error, the final-week outcomes and the last-year outcomes (17 digits).
// The last line of a run wins; a run cancelled in flight has no line.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <vector>

#include "sweeps/run_record.hpp"
#include "sweeps/sweep.hpp"

namespace cm::sweeps {

// The records of the runs of a design as the journal and the files in `dir` say (pending when unknown).
// Neither is trusted: a journal line with an unparsable or non-finite value, and a run marked done
// whose file is missing, incomplete, not caremarket output, or of another run (seed, replicate or
// resolved config differ from the design's), leave the run pending. With `report`, each such run is
// named on stderr.
std::vector<RunRecord> read_state(const Design& design, const std::filesystem::path& dir, bool report = true);
// Appends one finished run to <dir>/journal.tsv (one line, flushed; safe across processes on one machine).
void append_journal(const std::filesystem::path& dir, std::int32_t index, const RunRecord& record);

namespace detail {

// The runs a sweep still has to do, and the bookkeeping of each as it finishes, from any thread:
// its journal line (flushed), its record in `records`, and (unless quiet) a progress line on stderr.
// Holds the journal open for appending; a last line cut by a crash is ended first.
class Ledger {
 public:
  Ledger(const Design& design, const std::filesystem::path& dir, bool quiet, std::vector<RunRecord>& records);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  const std::vector<std::int32_t>& work() const noexcept { return work_; }  // the runs not done, in order
  std::int64_t total() const noexcept { return static_cast<std::int64_t>(design_.runs.size()); }
  std::int64_t skipped() const noexcept { return total() - static_cast<std::int64_t>(work_.size()); }

  // Records a finished run; a pending record (cancelled in flight) is not finished and is ignored.
  void finished(std::int32_t index, const RunRecord& record);

 private:
  const Design& design_;
  bool quiet_;
  std::vector<RunRecord>& records_;
  std::vector<std::int32_t> work_;
  std::int64_t finished_;
  std::FILE* file_;
  std::mutex mutex_;
};

}  // namespace detail
}  // namespace cm::sweeps
