#include "sweeps/journal.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "agents/metrics.hpp"
#include "agents/parameters.hpp"
#include "sweeps/run_file.hpp"

namespace cm::sweeps {
namespace {

constexpr const char* kJournalHeader = "# caremarket sweep journal v2";

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
  if (r.status == RunStatus::done) {  // then the first financial year, the years, and a row per year
    os << '\t' << r.yearly.first_year << '\t' << r.yearly.years();
    for (double v : r.yearly.rows) os << '\t' << v;
  }
  return os.str();
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

}  // namespace

void append_journal(const std::filesystem::path& dir, std::int32_t index, const RunRecord& record) {
  if (record.status == RunStatus::pending) return;  // cancelled in flight: nothing finished
  // One write(2) of a whole line in append mode: lines from several processes do not interleave.
  const bool fresh = !std::filesystem::exists(dir / "journal.tsv");
  const std::string line =
      (fresh ? std::string(kJournalHeader) + "\n" : std::string()) + journal_line(index, record) + "\n";
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
      distrusted[index] = where + ": run " + std::to_string(index) + " (runs/" +
                          design.runs[static_cast<std::size_t>(index)].file + "): " + why +
                          "; the run will be run again";
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
    // A done run's line ends with its yearly outcomes: first year, years, then the rows.
    std::size_t years = 0;
    const bool has_yearly = r.status == RunStatus::done && fields.size() >= 5 + 2 * n;
    if (has_yearly) {
      const auto first = finite_number(fields[3 + 2 * n]), count = finite_number(fields[4 + 2 * n]);
      if (!first || !count || *count < 0 || *count > 1000 || *count != std::floor(*count)) {
        bad("its yearly outcomes do not say their first year and number of years");
        continue;
      }
      r.yearly.first_year = static_cast<std::int32_t>(*first);
      years = static_cast<std::size_t>(*count);
    }
    const std::size_t expected = 3 + 2 * n + (has_yearly ? 2 + years * yearly_row_width() : 0);
    if ((r.status == RunStatus::done && (!has_yearly || fields.size() != expected)) ||
        (r.status == RunStatus::failed && fields.size() != 3 && fields.size() != 3 + 2 * n)) {
      bad(r.status == RunStatus::done && !has_yearly
              ? std::string("a done record without its yearly outcomes (written by an older build)")
              : std::to_string(fields.size() - 3) + " outcome values instead of " + std::to_string(expected - 3));
      continue;
    }
    std::optional<std::string> invalid;
    for (std::size_t k = 3; k < std::min(fields.size(), 3 + 2 * n) && !invalid; ++k) {
      const auto v = finite_number(fields[k]);
      if (!v)
        invalid = fields[k];
      else
        (k < 3 + n ? r.final_outcomes : r.last_year_outcomes).push_back(*v);
    }
    for (std::size_t k = 5 + 2 * n; k < fields.size() && !invalid; ++k) {
      const auto v = finite_number(fields[k]);
      if (!v)
        invalid = fields[k];
      else
        r.yearly.rows.push_back(*v);
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
    const auto why = detail::file_mismatch(dir / "runs" / plan.file, plan, [&]() -> std::optional<std::string> {
      if (design.scenario.empty()) return std::nullopt;
      if (config_point != plan.point) {
        config_point = plan.point;
        config.reset();
        try {
          config = run_scenario(design, plan).resolved_toml;
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

namespace detail {

Ledger::Ledger(const Design& design, const std::filesystem::path& dir, bool quiet, std::vector<RunRecord>& records)
    : design_(design), quiet_(quiet), records_(records) {
  for (std::size_t i = 0; i < records.size(); ++i)
    if (records[i].status != RunStatus::done) work_.push_back(static_cast<std::int32_t>(i));
  finished_ = skipped();
  const auto path = dir / "journal.tsv";
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

Ledger::~Ledger() { std::fclose(file_); }

void Ledger::finished(std::int32_t index, const RunRecord& r) {
  if (r.status == RunStatus::pending) return;
  std::lock_guard lock(mutex_);
  const auto line = journal_line(index, r);
  std::fprintf(file_, "%s\n", line.c_str());
  std::fflush(file_);
  records_[static_cast<std::size_t>(index)] = r;
  ++finished_;
  if (quiet_) return;
  std::fprintf(stderr, "[%lld/%lld] %s %s%s%s\n", static_cast<long long>(finished_), static_cast<long long>(total()),
               design_.runs[static_cast<std::size_t>(index)].file.c_str(),
               r.status == RunStatus::done ? "done" : "FAILED", r.error.empty() ? "" : ": ", r.error.c_str());
}

}  // namespace detail
}  // namespace cm::sweeps
