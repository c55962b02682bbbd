#include "sweeps/folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "engine/files.hpp"
#include "engine/rng.hpp"

namespace cm::sweeps {
namespace {

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

namespace detail {

namespace {

// The fingerprint of the design's runs of replicate < `replicates` (every run's file, seed, policies
// and overrides, in run order). Runs are point-major and a run does not depend on how many
// replicates there are, so a design of R replicates and the same design grown to R' > R have the
// same fingerprint over their first R replicates.
std::string fingerprint(const Design& design, std::size_t replicates) {
  std::uint64_t h = 0xcafef00dULL;
  auto add = [&](const std::string& s) {
    for (unsigned char ch : s) h = engine::fold_key(h, ch);
    h = engine::fold_key(h, 0xff);
  };
  for (const auto& r : design.runs) {
    if (static_cast<std::size_t>(r.replicate) >= replicates) continue;
    add(r.file);
    h = engine::fold_key(h, r.seed);
    for (const auto& p : r.policies)
      add(std::filesystem::absolute(p.path).lexically_normal().string() +
          (p.from ? "@" + engine::iso_date(*p.from) : ""));
    for (const auto& a : r.assignments) add(a);
  }
  char text[32];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

// The journal's header starts so (sweeps/journal.cpp); a re-keyed journal's next line says its count.
constexpr const char* kJournalHeaderStart = "# caremarket sweep journal";
constexpr const char* kReplicatesLine = "# replicates ";

// The replicates a point the journal's run indices are keyed to, when it says (a journal re-keyed
// by a growth); nothing otherwise (then they are design.txt's).
std::optional<std::size_t> journal_replicates(const std::filesystem::path& dir) {
  std::ifstream in(dir / "journal.tsv");
  for (std::string line; std::getline(in, line) && !line.empty() && line[0] == '#';)
    if (line.rfind(kReplicatesLine, 0) == 0)
      return std::strtoull(line.c_str() + std::strlen(kReplicatesLine), nullptr, 10);
  return std::nullopt;
}

// Re-keys the journal from `from` to `to` replicates a point: run index i of the old keying is
// point i / from, replicate i % from, which is run (i / from) * to + i % from now (a replicate that
// is no longer in the design, when `to` is smaller, loses its line: that run is redone if the folder
// grows again). The journal is rewritten whole (a temporary renamed over it), its first lines
// saying the replicates it is keyed to: design.txt is written after it, and every start reads that
// line first, so a stop between the two re-keys nothing twice.
void rekey_journal(const std::filesystem::path& dir, std::size_t from, std::size_t to) {
  const auto path = dir / "journal.tsv";
  std::ifstream in(path);
  if (!in || from == to || from == 0) return;  // no run finished yet, or nothing to do
  std::string header = std::string(kJournalHeaderStart) + " v2\n", text;
  for (std::string line; std::getline(in, line);) {
    if (in.eof()) break;  // a last line cut by a crash: that run is redone
    if (line.rfind(kReplicatesLine, 0) == 0) continue;
    if (line.rfind(kJournalHeaderStart, 0) == 0) {
      header = line + "\n";
      continue;
    }
    char* end = nullptr;
    const unsigned long long old_index = std::strtoull(line.c_str(), &end, 10);
    if (line.empty() || line[0] == '#' || end == line.c_str()) {  // not a run's line: kept for read_state
      text += line + "\n";
      continue;
    }
    if (old_index % from >= to) continue;
    text += std::to_string(old_index / from * to + old_index % from) + std::string(end) + "\n";
  }
  engine::write_text_file(path, header + kReplicatesLine + std::to_string(to) + "\n" + text, "journal");
}

}  // namespace

void check_same_design(const Design& design, const std::filesystem::path& dir) {
  const std::size_t replicates = design.points > 0 ? design.runs.size() / static_cast<std::size_t>(design.points) : 0;
  const auto text = fingerprint(design, replicates);
  const auto path = dir / "design.txt";
  const auto record = text + " " + std::to_string(replicates) + "\n";  // the count: no search for it
  std::ifstream in(path);
  std::string old;
  if (!(in >> old)) {
    engine::write_text_file(path, record, "design fingerprint");
    return;
  }
  std::size_t old_replicates = 0;  // 0: a design.txt from before the count was kept
  in >> old_replicates;
  // A growth stopped after its journal was re-keyed and before design.txt was written: the
  // journal's own count holds.
  const auto keyed = journal_replicates(dir);
  if (old == text) {
    if (keyed && *keyed != replicates) rekey_journal(dir, *keyed, replicates);
    if (old_replicates != replicates) engine::write_text_file(path, record, "design fingerprint");
    return;
  }
  // The same design with fewer replicates: the folder grows, its runs kept.
  std::size_t fewer = 0;
  if (old_replicates > 0 && old_replicates < replicates && old == fingerprint(design, old_replicates))
    fewer = old_replicates;
  for (std::size_t k = 1; old_replicates == 0 && fewer == 0 && k < replicates; ++k)
    if (old == fingerprint(design, k)) fewer = k;
  if (fewer > 0) {
    rekey_journal(dir, keyed.value_or(fewer), replicates);
    engine::write_text_file(path, record, "design fingerprint");
    std::fprintf(stderr, "caremarket: %s: adding replicates %zu to %zu of each point to the %zu already there\n",
                 dir.c_str(), fewer + 1, replicates, fewer);
    return;
  }
  throw InputError(dir.string() + " holds the runs of a different sweep (design " + old + ", this one " + text +
                   "); only the number of replicates may grow between runs into one folder (the same scenario, "
                   "policies, overrides, seed, steps and design otherwise); use another output folder, or delete "
                   "it to start again");
}

void remove_unfinished_files(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir / "runs"))
    if (const auto name = entry.path().filename().string();
        name.find(".h5.tmp-") != std::string::npos || name.find(".checkpoint.tmp-") != std::string::npos)
      std::filesystem::remove(entry.path());
}

}  // namespace detail
}  // namespace cm::sweeps
