#include "sweeps/folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

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

void check_same_design(const Design& design, const std::filesystem::path& dir) {
  std::uint64_t h = 0xcafef00dULL;
  auto add = [&](const std::string& s) {
    for (unsigned char ch : s) h = engine::fold_key(h, ch);
    h = engine::fold_key(h, 0xff);
  };
  for (const auto& r : design.runs) {
    add(r.file);
    h = engine::fold_key(h, r.seed);
    for (const auto& p : r.policies)
      add(std::filesystem::absolute(p.path).lexically_normal().string() +
          (p.from ? "@" + engine::iso_date(*p.from) : ""));
    for (const auto& a : r.assignments) add(a);
  }
  char text[32];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  const auto path = dir / "design.txt";
  std::ifstream in(path);
  std::string old;
  if (in >> old) {
    if (old != text)
      throw std::runtime_error(dir.string() + " holds the runs of a different sweep (design " + old + ", this one " +
                               text + "); use another output folder, or delete it to start again");
    return;
  }
  std::ofstream(path) << text << "\n";
}

void remove_unfinished_files(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir / "runs"))
    if (const auto name = entry.path().filename().string();
        name.find(".h5.tmp-") != std::string::npos || name.find(".checkpoint.tmp-") != std::string::npos)
      std::filesystem::remove(entry.path());
}

}  // namespace detail
}  // namespace cm::sweeps
