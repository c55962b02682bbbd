#include "sweeps/runner.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <tbb/task_arena.h>

#include "agents/metrics.hpp"
#include "agents/parameters.hpp"
#include "agents/run.hpp"
#include "engine/config.hpp"
#include "engine/hdf5_reader.hpp"
#include "engine/hdf5_writer.hpp"
#include "engine/parallel.hpp"
#include "engine/rng.hpp"

#ifdef CAREMARKET_HAVE_MPI
#include <mpi.h>
#endif

namespace cm::sweeps {
namespace {

constexpr const char* kJournalHeader = "# caremarket sweep journal v1";

std::string escape(const std::string& s) {
  std::string out;
  for (char ch : s) out += ch == '\t' || ch == '\n' || ch == '\r' ? ' ' : ch;
  return out;
}

// The journal records finished runs only: a pending record (cancelled in flight) has no line.
std::string journal_line(std::int32_t index, const RunRecord& r) {
  std::ostringstream os;
  os.precision(17);
  os << index << '\t' << (r.status == RunStatus::done ? "done" : "failed") << '\t' << escape(r.error);
  for (double v : r.final_outcomes) os << '\t' << v;
  for (double v : r.last_year_outcomes) os << '\t' << v;
  return os.str();
}

// Appends finished runs to the journal, flushed line by line, from any thread.
class Journal {
 public:
  explicit Journal(const std::filesystem::path& path) : path_(path) {
    const bool fresh = !std::filesystem::exists(path);
    bool cut = false;  // a last line cut by a crash is ended, so that the next line stands alone
    if (std::ifstream old(path, std::ios::binary); !fresh && old.seekg(0, std::ios::end) && old.tellg() > 0) {
      old.seekg(-1, std::ios::end);
      cut = old.get() != '\n';
    }
    file_ = std::fopen(path.c_str(), "a");
    if (!file_) throw std::runtime_error("cannot open sweep journal " + path.string());
    if (fresh) std::fprintf(file_, "%s\n", kJournalHeader);
    if (cut) std::fputc('\n', file_);
    std::fflush(file_);
  }
  ~Journal() { std::fclose(file_); }
  void append(std::int32_t index, const RunRecord& r) {
    if (r.status == RunStatus::pending) return;
    std::lock_guard lock(mutex_);
    const auto line = journal_line(index, r);
    std::fprintf(file_, "%s\n", line.c_str());
    std::fflush(file_);
  }

 private:
  std::filesystem::path path_;
  std::FILE* file_;
  std::mutex mutex_;
};

void report_progress(const SweepOptions& options, std::int64_t finished, std::int64_t total, const RunPlan& plan,
                     const RunRecord& r) {
  if (options.quiet) return;
  std::fprintf(stderr, "[%lld/%lld] %s %s%s%s\n", static_cast<long long>(finished), static_cast<long long>(total),
               plan.file.c_str(), r.status == RunStatus::done ? "done" : "FAILED", r.error.empty() ? "" : ": ",
               r.error.c_str());
}

std::vector<std::int32_t> todo(const std::vector<RunRecord>& records) {
  std::vector<std::int32_t> out;
  for (std::size_t i = 0; i < records.size(); ++i)
    if (records[i].status != RunStatus::done) out.push_back(static_cast<std::int32_t>(i));
  return out;
}

SweepSummary run_local(const SweepSpec& spec, const Design& design, const SweepOptions& options,
                       const engine::CancelFlag& cancel, std::vector<RunRecord>& records) {
  SweepSummary summary;
  summary.total = static_cast<std::int64_t>(design.runs.size());
  const auto work = todo(records);
  summary.skipped = summary.total - static_cast<std::int64_t>(work.size());
  Journal journal(options.dir / "journal.tsv");
  const int cores = engine::hardware_threads();
  const int workers = std::max(1, std::min<int>(options.workers > 0 ? options.workers : cores, static_cast<int>(work.size())));
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> finished{summary.skipped};
  std::mutex record_mutex;
  auto worker = [&] {
    // Each run is single-threaded in its own arena: `workers` runs at once use the cores without
    // oversubscribing them, and results do not depend on which worker runs which run.
    tbb::task_arena arena(1);
    for (std::size_t k = next++; k < work.size() && !cancel.requested(); k = next++) {
      const auto& plan = design.runs[static_cast<std::size_t>(work[k])];
      RunRecord r;
      arena.execute([&] { r = execute_run(spec, plan, options.dir / "runs" / plan.file, cancel); });
      if (r.status == RunStatus::pending) break;  // in flight when stopped: redo next time
      journal.append(plan.index, r);
      {
        std::lock_guard lock(record_mutex);
        records[static_cast<std::size_t>(plan.index)] = r;
        report_progress(options, ++finished, summary.total, plan, r);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < workers; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  summary.cancelled = cancel.requested();
  summary.signal = cancel.signal();
  return summary;
}

#ifdef CAREMARKET_HAVE_MPI
enum Tag : int { kReady = 1, kResult = 2, kTask = 3, kStop = 4 };

// A result message: the run's record, and the signal that stopped the sending rank (0: none).
struct Result {
  std::int32_t index = -1;
  RunRecord record;
  std::int32_t signal = 0;
};

std::vector<char> pack(std::int32_t index, const RunRecord& r, std::int32_t signal) {
  std::vector<char> buf;
  auto put = [&](const void* p, std::size_t n) { buf.insert(buf.end(), static_cast<const char*>(p), static_cast<const char*>(p) + n); };
  const std::int32_t status = static_cast<std::int32_t>(r.status);
  const std::int32_t n1 = static_cast<std::int32_t>(r.final_outcomes.size()), n2 = static_cast<std::int32_t>(r.last_year_outcomes.size());
  put(&index, 4); put(&status, 4); put(&signal, 4); put(&n1, 4); put(&n2, 4);
  put(r.final_outcomes.data(), sizeof(double) * static_cast<std::size_t>(n1));
  put(r.last_year_outcomes.data(), sizeof(double) * static_cast<std::size_t>(n2));
  put(r.error.data(), r.error.size());
  return buf;
}

Result unpack(const std::vector<char>& buf) {
  std::size_t at = 0;
  auto get = [&](void* p, std::size_t n) { std::memcpy(p, buf.data() + at, n); at += n; };
  std::int32_t index, status, signal, n1, n2;
  get(&index, 4); get(&status, 4); get(&signal, 4); get(&n1, 4); get(&n2, 4);
  RunRecord r;
  r.status = static_cast<RunStatus>(status);
  r.final_outcomes.resize(static_cast<std::size_t>(n1));
  r.last_year_outcomes.resize(static_cast<std::size_t>(n2));
  get(r.final_outcomes.data(), sizeof(double) * static_cast<std::size_t>(n1));
  get(r.last_year_outcomes.data(), sizeof(double) * static_cast<std::size_t>(n2));
  r.error.assign(buf.data() + at, buf.size() - at);
  return {index, r, signal};
}

// The signal a rank was stopped by, as sent to the coordinator (SIGINT when cancelled otherwise).
std::int32_t stop_signal(const engine::CancelFlag& cancel) {
  return cancel.requested() ? (cancel.signal() > 0 ? cancel.signal() : SIGINT) : 0;
}

// Rank 0: hands out run indices one at a time as ranks ask, and records the results. A signal to
// any rank stops the handing out: rank 0 sees its own, and a worker's comes with its next message
// (a worker that was signalled runs nothing more and says so). Runs cancelled in flight or never
// started stay pending; every worker is then sent kStop as it asks.
SweepSummary coordinate(const Design& design, const SweepOptions& options, const engine::CancelFlag& cancel,
                        std::vector<RunRecord>& records, int size) {
  SweepSummary summary;
  summary.total = static_cast<std::int64_t>(design.runs.size());
  const auto work = todo(records);
  summary.skipped = summary.total - static_cast<std::int64_t>(work.size());
  Journal journal(options.dir / "journal.tsv");
  std::size_t next = 0;
  std::int64_t finished = summary.skipped;
  std::int32_t worker_signal = 0;
  int active = size - 1;
  while (active > 0) {
    MPI_Status st;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    std::vector<char> buf(static_cast<std::size_t>(count));
    MPI_Recv(buf.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == kResult) {
      const auto result = unpack(buf);
      if (result.signal != 0 && worker_signal == 0) worker_signal = result.signal;
      if (result.record.status != RunStatus::pending) {
        journal.append(result.index, result.record);
        records[static_cast<std::size_t>(result.index)] = result.record;
        report_progress(options, ++finished, summary.total, design.runs[static_cast<std::size_t>(result.index)], result.record);
      }
    }
    if (next < work.size() && !cancel.requested() && worker_signal == 0) {
      const std::int32_t index = work[next++];
      MPI_Send(&index, 1, MPI_INT32_T, st.MPI_SOURCE, kTask, MPI_COMM_WORLD);
    } else {
      MPI_Send(nullptr, 0, MPI_BYTE, st.MPI_SOURCE, kStop, MPI_COMM_WORLD);
      --active;
    }
  }
  summary.cancelled = cancel.requested() || worker_signal != 0;
  summary.signal = cancel.signal() > 0 ? cancel.signal() : worker_signal;
  return summary;
}

// Rank 0 could not start the sweep (folder in use, another sweep's folder, ...): the workers are
// waiting for their first task; each is told to stop, so that the job ends instead of hanging.
void release_workers(int size) {
  for (int left = size - 1; left > 0; --left) {
    MPI_Status st;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    std::vector<char> buf(static_cast<std::size_t>(count));
    MPI_Recv(buf.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Send(nullptr, 0, MPI_BYTE, st.MPI_SOURCE, kStop, MPI_COMM_WORLD);
  }
}

// Other ranks: ask for a run, run it, send back its record; no rank keeps other runs' data.
void serve(const SweepSpec& spec, const Design& design, const SweepOptions& options, const engine::CancelFlag& cancel) {
  engine::ThreadLimit one(1);
  MPI_Send(nullptr, 0, MPI_BYTE, 0, kReady, MPI_COMM_WORLD);
  while (true) {
    MPI_Status st;
    std::int32_t index = -1;
    MPI_Recv(&index, 1, MPI_INT32_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    if (st.MPI_TAG == kStop) return;
    const auto& plan = design.runs[static_cast<std::size_t>(index)];
    // Once signalled, a rank starts nothing: the task goes back, pending, with the signal.
    RunRecord r;
    if (!cancel.requested()) r = execute_run(spec, plan, options.dir / "runs" / plan.file, cancel);
    const auto buf = pack(index, r, stop_signal(cancel));
    MPI_Send(buf.data(), static_cast<int>(buf.size()), MPI_BYTE, 0, kResult, MPI_COMM_WORLD);
  }
}
#endif

// A folder holds one sweep: its design's fingerprint (every run's file, seed, policies and overrides)
// is kept in <dir>/design.txt, and a different sweep is refused rather than mixed with old runs.
void check_same_design(const Design& design, const std::filesystem::path& dir) {
  std::uint64_t h = 0xcafef00dULL;
  auto add = [&](const std::string& s) {
    for (unsigned char ch : s) h = engine::fold_key(h, ch);
    h = engine::fold_key(h, 0xff);
  };
  for (const auto& r : design.runs) {
    add(r.file);
    h = engine::fold_key(h, r.seed);
    for (const auto& p : r.policies) add(std::filesystem::absolute(p).lexically_normal().string());
    for (const auto& a : r.assignments) add(a);
  }
  char text[32];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  const auto path = dir / "design.txt";
  std::ifstream in(path);
  std::string old;
  if (in >> old) {
    if (old != text)
      throw std::runtime_error(dir.string() + " holds the runs of a different sweep (design " + old + ", this one " + text +
                               "); use another output folder, or delete it to start again");
    return;
  }
  std::ofstream(path) << text << "\n";
}

// What a run's file says about itself (root attributes, docs/output-format.md), read without
// trusting it: whatever is missing or unreadable stays empty.
struct FileIdentity {
  bool hdf5 = false;
  std::optional<std::string> format_name, config;
  std::optional<std::int64_t> complete, seed, replicate;
};

FileIdentity read_identity(const std::filesystem::path& file) {
  FileIdentity id;
  id.hdf5 = engine::is_hdf5_file(file);
  if (!id.hdf5) return id;
  id.format_name = engine::read_root_text_attribute(file, "format_name");
  id.complete = engine::read_root_int_attribute(file, "complete");
  id.seed = engine::read_root_int_attribute(file, "seed");
  id.replicate = engine::read_root_int_attribute(file, "replicate");
  id.config = engine::read_root_text_attribute(file, "config");
  return id;
}

// Why a run's file is not the finished file of `plan` (empty when it is). `config` gives the
// resolved configuration the design asks for (computed once per point: replicates share it).
std::string file_mismatch(const std::filesystem::path& file, const RunPlan& plan,
                          const std::function<std::optional<std::string>()>& config) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return "its file is missing";
  const auto id = read_identity(file);
  if (!id.hdf5) return "its file is not an HDF5 file";
  if (id.format_name.value_or("") != kFormatName)
    return "its file is not caremarket run output (format_name \"" + id.format_name.value_or("") + "\")";
  if (id.complete.value_or(0) != 1) return "its file is incomplete";
  if (!id.seed || static_cast<std::uint64_t>(*id.seed) != plan.seed)
    return "its file has seed " + (id.seed ? std::to_string(*id.seed) : std::string("(none)")) + ", the sweep's run has " +
           std::to_string(plan.seed);
  if (!id.replicate || *id.replicate != plan.replicate)
    return "its file has replicate " + (id.replicate ? std::to_string(*id.replicate) : std::string("(none)")) +
           ", the sweep's run has " + std::to_string(plan.replicate);
  const auto expected = config();
  if (!expected) return "its configuration cannot be loaded to check the file";
  if (id.config.value_or("") != *expected) return "its file was run with another configuration than the sweep's run";
  return {};
}

// Warnings about the journal and the runs' files: a line each, up to a limit, then a count.
class Warnings {
 public:
  explicit Warnings(bool report) : report_(report) {}
  ~Warnings() {
    if (report_ && count_ > kShown)
      std::fprintf(stderr, "caremarket: warning: ... and %zu more such run(s)\n", count_ - kShown);
  }
  void operator()(const std::string& message) {
    if (report_ && count_++ < kShown) std::fprintf(stderr, "caremarket: warning: %s\n", message.c_str());
  }

 private:
  static constexpr std::size_t kShown = 20;
  bool report_;
  std::size_t count_ = 0;
};

// Parses a whole field as a finite number; nothing for "", "12abc", "nan", "1e999" (overflows to
// infinity), "-inf". (An underflow to a subnormal or zero is a finite value and is kept.)
std::optional<double> finite_number(const std::string& field) {
  if (field.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(field.c_str(), &end);
  if (end != field.c_str() + field.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// The folder locks this process holds, by folder (see FolderLock).
struct HeldLock {
  int fd = -1;
  int count = 0;
};
std::mutex& held_locks_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, HeldLock>& held_locks() {
  static std::map<std::string, HeldLock> locks;
  return locks;
}

}  // namespace

FolderLock::FolderLock(const std::filesystem::path& dir) {
  key_ = std::filesystem::weakly_canonical(std::filesystem::absolute(dir)).string();
  std::lock_guard guard(held_locks_mutex());
  if (auto it = held_locks().find(key_); it != held_locks().end()) {
    ++it->second.count;
    return;
  }
  const auto path = dir / ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    // The holder writes its pid just after it takes the lock: wait a moment for it.
    std::string holder;
    for (int attempt = 0; attempt < 20 && holder.empty(); ++attempt) {
      char buf[32] = {};
      const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
      holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      if (holder.empty()) ::usleep(10000);
    }
    ::close(fd);
    if (error == EWOULDBLOCK)
      throw InputError(dir.string() + " is in use by another sweep (pid " + (holder.empty() ? "unknown" : holder) +
                       "); wait for it or stop it");
    throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(error));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock is held all the same; only the message of a second sweep loses the pid.
  }
  held_locks()[key_] = {fd, 1};
}

FolderLock::~FolderLock() {
  std::lock_guard guard(held_locks_mutex());
  auto it = held_locks().find(key_);
  if (it == held_locks().end() || --it->second.count > 0) return;
  // No pid of a process that no longer holds the folder; the file stays, so that every process
  // locks the same inode.
  if (::ftruncate(it->second.fd, 0) != 0) {
  }
  ::close(it->second.fd);
  held_locks().erase(it);
}

std::string non_empty_path(std::string& value) {
  return value.empty() ? "an empty path is not an output; leave -o out for the default" : std::string();
}

void check_output_folder(const std::filesystem::path& dir) {
  engine::check_output_folder(dir);
  engine::check_output_folder(dir / "runs", "runs folder");
  engine::check_output_path(dir / "journal.tsv", "journal");
}

bool launched_under_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_STEP_NUM_TASKS"}) {
    if (const char* v = std::getenv(var); v && std::atoi(v) > (std::strcmp(var, "PMIX_RANK") == 0 ? -1 : 1)) return true;
  }
  return false;
}

MpiSession::MpiSession() {
#ifndef CAREMARKET_HAVE_MPI
  if (launched_under_mpi())
    throw std::runtime_error("started by mpirun/srun, but this caremarket was built without MPI: every rank would run the "
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

RunRecord execute_run(const SweepSpec& spec, const RunPlan& plan, const std::filesystem::path& file,
                      const engine::CancelFlag& cancel) {
  RunRecord r;
  try {
    RunRequest request;
    request.scenario = load_scenario(resolve_scenario(spec.scenario, spec.file.parent_path()), plan.policies, plan.assignments);
    request.seed = plan.seed;
    request.replicate = static_cast<std::uint64_t>(plan.replicate);
    request.threads = -1;
    request.output = file;
    std::filesystem::create_directories(file.parent_path());  // a worker rank's node may not have it yet
    const auto outcome = run_to_file(request, cancel, nullptr);
    if (outcome.reason != StopReason::completed) {
      r.status = RunStatus::pending;  // stopped, not failed: to be run again
      r.error = "cancelled after " + std::to_string(outcome.steps_done) + " weeks";
      return r;
    }
    r.status = RunStatus::done;
    r.final_outcomes = outcome.final_region;
    r.last_year_outcomes = outcome.last_year_region;
  } catch (const std::exception& e) {
    r.status = RunStatus::failed;
    r.error = e.what();
  }
  return r;
}

void append_journal(const std::filesystem::path& dir, std::int32_t index, const RunRecord& record) {
  if (record.status == RunStatus::pending) return;  // cancelled in flight: nothing finished
  // One write(2) of a whole line in append mode: lines from several processes do not interleave.
  const bool fresh = !std::filesystem::exists(dir / "journal.tsv");
  const std::string line = (fresh ? std::string(kJournalHeader) + "\n" : std::string()) + journal_line(index, record) + "\n";
  std::FILE* f = std::fopen((dir / "journal.tsv").c_str(), "a");
  if (!f) throw std::runtime_error("cannot open sweep journal in " + dir.string());
  std::setvbuf(f, nullptr, _IOFBF, line.size() + 1);
  std::fwrite(line.data(), 1, line.size(), f);
  std::fclose(f);
}

std::vector<RunRecord> read_state(const Design& design, const std::filesystem::path& dir, bool report) {
  std::vector<RunRecord> records(design.runs.size());
  Warnings warn(report);
  std::map<long, std::string> distrusted;  // runs whose last journal line is not believed, and why
  const auto journal = dir / "journal.tsv";
  std::ifstream in(journal);
  std::string line;
  for (std::int64_t number = 1; std::getline(in, line); ++number) {
    // A last line without its newline was cut by a crash while being written: the run is redone.
    if (in.eof()) break;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, '\t');) fields.push_back(f);
    const std::string where = journal.string() + " line " + std::to_string(number);
    char* end = nullptr;
    const long index = fields.empty() ? -1 : std::strtol(fields[0].c_str(), &end, 10);
    if (fields.empty() || fields[0].empty() || end != fields[0].c_str() + fields[0].size() || index < 0 ||
        static_cast<std::size_t>(index) >= records.size()) {
      warn(where + ": no run of this sweep; line ignored");
      continue;
    }
    auto bad = [&](const std::string& why) {
      distrusted[index] = where + ": run " + std::to_string(index) + " (runs/" + design.runs[static_cast<std::size_t>(index)].file +
                          "): " + why + "; the run will be run again";
      records[static_cast<std::size_t>(index)] = RunRecord{};  // the last line of a run wins
    };
    RunRecord r;
    if (fields.size() < 3 || (fields[1] != "done" && fields[1] != "failed")) {
      bad("not a done or failed record");
      continue;
    }
    r.status = fields[1] == "done" ? RunStatus::done : RunStatus::failed;
    r.error = fields[2];
    const std::size_t n = kMetricCount;
    if (fields.size() != 3 + 2 * n && !(r.status == RunStatus::failed && fields.size() == 3)) {
      bad(std::to_string(fields.size() - 3) + " outcome values instead of " + std::to_string(2 * n));
      continue;
    }
    std::optional<std::string> invalid;
    for (std::size_t k = 3; k < fields.size() && !invalid; ++k) {
      const auto v = finite_number(fields[k]);
      if (!v) invalid = fields[k];
      else (k < 3 + n ? r.final_outcomes : r.last_year_outcomes).push_back(*v);
    }
    if (invalid) {
      bad("outcome value \"" + *invalid + "\" is not a finite number");
      continue;
    }
    records[static_cast<std::size_t>(index)] = r;  // the last line of a run wins
    distrusted.erase(index);
  }
  for (const auto& [index, why] : distrusted) warn(why);
  // A run is done only while its file is there, complete, and the file of that run: not one
  // copied from another run, or left by another sweep.
  // Runs are in point order and a point's replicates share one configuration: one is kept at a time.
  std::int32_t config_point = -1;
  std::optional<std::string> config;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].status != RunStatus::done) continue;
    const auto& plan = design.runs[i];
    const auto why = file_mismatch(dir / "runs" / plan.file, plan, [&]() -> std::optional<std::string> {
      if (design.scenario.empty()) return std::nullopt;
      if (config_point != plan.point) {
        config_point = plan.point;
        config.reset();
        try {
          config = load_scenario(design.scenario, plan.policies, plan.assignments).resolved_toml;
        } catch (const std::exception&) {  // reported as "cannot be loaded"; the rerun says why
        }
      }
      return config;
    });
    if (why.empty()) continue;
    warn("run " + std::to_string(i) + " (runs/" + plan.file + ") is marked done in the journal, but " + why +
         "; the run will be run again");
    records[i] = RunRecord{};
  }
  return records;
}

void write_index(const SweepSpec& spec, const Design& design, const std::vector<RunRecord>& records,
                 const std::filesystem::path& dir) {
  engine::H5Writer w(dir / "index.h5", 4);
  const std::size_t n = design.runs.size();
  w.attribute("/", "format_name", std::string("caremarket-sweep-index"));
  w.attribute("/", "format_version", std::string("1.0"));
  w.attribute("/", "sweep", spec.name);
  w.attribute("/", "sweep_file", spec.file.string());
  w.attribute("/", "software_version", software_version());
  w.attribute("/", "root_seed", static_cast<std::int64_t>(spec.root_seed));
  w.attribute("/", "replicates", static_cast<std::int64_t>(spec.replicates));
  w.attribute("/", "points", static_cast<std::int64_t>(design.points));
  std::vector<std::int32_t> run(n), point(n), replicate(n);
  std::vector<std::int64_t> seed(n);
  std::vector<std::uint8_t> status(n);
  std::vector<std::string> error(n), file(n);
  for (std::size_t i = 0; i < n; ++i) {
    run[i] = design.runs[i].index;
    point[i] = design.runs[i].point;
    replicate[i] = design.runs[i].replicate;
    seed[i] = static_cast<std::int64_t>(design.runs[i].seed);
    status[i] = static_cast<std::uint8_t>(records[i].status);
    error[i] = records[i].error;
    file[i] = "runs/" + design.runs[i].file;
  }
  w.dimension("/", engine::ColumnView::of("run", run, "", "run index"));
  w.variable("/", engine::ColumnView::of("point", point, "", "design point"), {"run"});
  w.variable("/", engine::ColumnView::of("replicate", replicate, "", "replicate"), {"run"});
  w.variable("/", engine::ColumnView::of("seed", seed, "", "seed of the run"), {"run"});
  w.variable("/", engine::ColumnView::of("status", status, "", "0 pending, 1 done, 2 failed"), {"run"});
  w.attribute("/status", "flag_meanings", std::string("pending done failed"));
  w.text_variable("/", "error", error, "run", "error message of a failed run");
  w.text_variable("/", "file", file, "run", "the run's output file, relative to the sweep folder");
  for (std::size_t j = 0; j < design.axis_names.size(); ++j) {
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i) values[i] = design.runs[i].values[j];
    const std::string name = "param_" + [&] {
      std::string s = design.axis_names[j];
      for (auto& ch : s) ch = ch == '.' ? '_' : ch;
      return s;
    }();
    w.variable("/", engine::ColumnView::of(name, values, "", design.axis_names[j]), {"run"});
    w.attribute("/" + name, "parameter", design.axis_names[j]);
    if (design.axis_names[j] == "policy") {
      std::string names;
      for (const auto& a : spec.parameters)
        if (a.key == "policy")
          for (const auto& p : a.policies) names += (names.empty() ? "" : " ") + (p.empty() ? std::string("none") : p);
      w.attribute("/" + name, "flag_meanings", names);
    }
  }
  const auto& catalogue = metric_catalogue();
  for (std::size_t k = 0; k < kMetricCount; ++k) {
    for (const bool year : {false, true}) {
      std::vector<double> v(n, std::numeric_limits<double>::quiet_NaN());
      for (std::size_t i = 0; i < n; ++i) {
        const auto& src = year ? records[i].last_year_outcomes : records[i].final_outcomes;
        if (records[i].status == RunStatus::done && src.size() == kMetricCount) v[i] = src[k];
      }
      const std::string name = std::string(year ? "last_year_" : "final_") + catalogue[k].name;
      w.variable("/", engine::ColumnView::of(name, v, catalogue[k].units,
                                             std::string(catalogue[k].long_name) + (year ? " (mean of the last 52 weeks)" : " (final week)")),
                 {"run"});
    }
  }
  w.commit();
}

SweepSummary run_sweep(const SweepSpec& spec, const Design& design, const SweepOptions& options,
                       const engine::CancelFlag& cancel) {
  int rank = 0, size = 1;
#ifdef CAREMARKET_HAVE_MPI
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
#endif
  SweepSummary summary;
  if (size > 1 && rank != 0) {
#ifdef CAREMARKET_HAVE_MPI
    serve(spec, design, options, cancel);
#endif
    summary.coordinator = false;
    return summary;
  }
  // Only rank 0 touches the folder before the runs (ranks may be on other nodes); if it cannot
  // start, the workers are released rather than left waiting.
  std::optional<FolderLock> lock;
  std::vector<RunRecord> records;
  try {
    check_output_folder(options.dir);
    std::filesystem::create_directories(options.dir / "runs");
    lock.emplace(options.dir);
    // With the folder locked, temporary files of runs killed in flight (SIGKILL, a lost node) are
    // debris: those runs are redone.
    for (const auto& entry : std::filesystem::directory_iterator(options.dir / "runs"))
      if (entry.path().filename().string().find(".h5.tmp-") != std::string::npos) std::filesystem::remove(entry.path());
    check_same_design(design, options.dir);
    records = read_state(design, options.dir, true);
    write_index(spec, design, records, options.dir);  // every run has its row from the start
  } catch (...) {
#ifdef CAREMARKET_HAVE_MPI
    if (size > 1) release_workers(size);
#endif
    throw;
  }
#ifdef CAREMARKET_HAVE_MPI
  if (size > 1)
    summary = coordinate(design, options, cancel, records, size);
  else
#endif
    summary = run_local(spec, design, options, cancel, records);
  write_index(spec, design, records, options.dir);
  for (const auto& r : records) {
    summary.done += r.status == RunStatus::done;
    summary.failed += r.status == RunStatus::failed;
  }
  return summary;
}

}  // namespace cm::sweeps
