#include "sweeps/mpi_protocol.hpp"

#include <csignal>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "engine/parallel.hpp"
#include "sweeps/journal.hpp"

#ifdef CAREMARKET_HAVE_MPI
#include <mpi.h>
#endif

namespace cm::sweeps::detail {

#ifdef CAREMARKET_HAVE_MPI
namespace {

enum Tag : int { kReady = 1, kResult = 2, kTask = 3, kStop = 4 };

// A result message: the run's record, and the signal that stopped the sending rank (0: none).
struct Result {
  std::int32_t index = -1;
  RunRecord record;
  std::int32_t signal = 0;
};

std::vector<char> pack(std::int32_t index, const RunRecord& r, std::int32_t signal) {
  std::vector<char> buf;
  auto put = [&](const void* p, std::size_t n) {
    buf.insert(buf.end(), static_cast<const char*>(p), static_cast<const char*>(p) + n);
  };
  const std::int32_t status = static_cast<std::int32_t>(r.status);
  const std::int32_t n1 = static_cast<std::int32_t>(r.final_outcomes.size()),
                     n2 = static_cast<std::int32_t>(r.last_year_outcomes.size());
  const std::int32_t n3 = static_cast<std::int32_t>(r.yearly.rows.size()), first_year = r.yearly.first_year;
  put(&index, 4);
  put(&status, 4);
  put(&signal, 4);
  put(&n1, 4);
  put(&n2, 4);
  put(&n3, 4);
  put(&first_year, 4);
  put(r.final_outcomes.data(), sizeof(double) * static_cast<std::size_t>(n1));
  put(r.last_year_outcomes.data(), sizeof(double) * static_cast<std::size_t>(n2));
  put(r.yearly.rows.data(), sizeof(double) * static_cast<std::size_t>(n3));
  put(r.error.data(), r.error.size());
  return buf;
}

Result unpack(const std::vector<char>& buf) {
  std::size_t at = 0;
  auto get = [&](void* p, std::size_t n) {
    std::memcpy(p, buf.data() + at, n);
    at += n;
  };
  std::int32_t index, status, signal, n1, n2, n3, first_year;
  get(&index, 4);
  get(&status, 4);
  get(&signal, 4);
  get(&n1, 4);
  get(&n2, 4);
  get(&n3, 4);
  get(&first_year, 4);
  RunRecord r;
  r.status = static_cast<RunStatus>(status);
  r.final_outcomes.resize(static_cast<std::size_t>(n1));
  r.last_year_outcomes.resize(static_cast<std::size_t>(n2));
  get(r.final_outcomes.data(), sizeof(double) * static_cast<std::size_t>(n1));
  get(r.last_year_outcomes.data(), sizeof(double) * static_cast<std::size_t>(n2));
  r.yearly.first_year = first_year;
  r.yearly.rows.resize(static_cast<std::size_t>(n3));
  get(r.yearly.rows.data(), sizeof(double) * static_cast<std::size_t>(n3));
  r.error.assign(buf.data() + at, buf.size() - at);
  return {index, r, signal};
}

// The next message to rank 0 from any rank, whatever its tag and size.
struct Message {
  int source = 0, tag = 0;
  std::vector<char> body;
};

Message receive_any() {
  MPI_Status st;
  MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
  int count = 0;
  MPI_Get_count(&st, MPI_BYTE, &count);
  Message m{st.MPI_SOURCE, st.MPI_TAG, std::vector<char>(static_cast<std::size_t>(count))};
  MPI_Recv(m.body.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return m;
}

void send_stop(int rank) { MPI_Send(nullptr, 0, MPI_BYTE, rank, kStop, MPI_COMM_WORLD); }

// The signal a rank was stopped by, as sent to the coordinator (SIGINT when cancelled otherwise).
std::int32_t stop_signal(const engine::CancelFlag& cancel) {
  return cancel.requested() ? (cancel.signal() > 0 ? cancel.signal() : SIGINT) : 0;
}

}  // namespace

// A signal to any rank stops the handing out: rank 0 sees its own, and a worker's comes with its
// next message (a worker that was signalled runs nothing more and says so). Every worker is then
// sent kStop as it asks.
SweepSummary coordinate(const Design& design, const SweepOptions& options, const engine::CancelFlag& cancel,
                        std::vector<RunRecord>& records, int size) {
  Ledger ledger(design, options.dir, options.quiet, records);
  SweepSummary summary;
  summary.total = ledger.total();
  summary.skipped = ledger.skipped();
  const auto& work = ledger.work();
  std::size_t next = 0;
  std::int32_t worker_signal = 0;
  int active = size - 1;
  while (active > 0) {
    const auto message = receive_any();
    if (message.tag == kResult) {
      const auto result = unpack(message.body);
      if (result.signal != 0 && worker_signal == 0) worker_signal = result.signal;
      ledger.finished(result.index, result.record);
    }
    if (next < work.size() && !cancel.requested() && worker_signal == 0) {
      const std::int32_t index = work[next++];
      MPI_Send(&index, 1, MPI_INT32_T, message.source, kTask, MPI_COMM_WORLD);
    } else {
      send_stop(message.source);
      --active;
    }
  }
  summary.cancelled = cancel.requested() || worker_signal != 0;
  summary.signal = cancel.signal() > 0 ? cancel.signal() : worker_signal;
  return summary;
}

void release_workers(int size) {
  for (int left = size - 1; left > 0; --left) send_stop(receive_any().source);
}

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

#else  // without MPI there is never more than one rank, and none of these is called

namespace {
[[noreturn]] void no_mpi() { throw std::logic_error("caremarket was built without MPI"); }
}  // namespace

SweepSummary coordinate(const Design&, const SweepOptions&, const engine::CancelFlag&, std::vector<RunRecord>&, int) {
  no_mpi();
}
void release_workers(int) { no_mpi(); }
void serve(const SweepSpec&, const Design&, const SweepOptions&, const engine::CancelFlag&) { no_mpi(); }

#endif

}  // namespace cm::sweeps::detail
