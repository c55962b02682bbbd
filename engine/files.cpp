#include "engine/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csignal>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace engine {
namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// fsync of an open descriptor; throws OutputError naming `file` on failure.
void sync_path(const std::filesystem::path& file, int flags) {
  const int fd = ::open(file.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw OutputError(write_error_message(errno, file));
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  // A folder on some file systems cannot be synced (EINVAL): its rename is as durable as it gets.
  if (status != 0 && !(flags & O_DIRECTORY && (error == EINVAL || error == EBADF)))
    throw OutputError(write_error_message(error, file));
}

}  // namespace

void check_output_path(const std::filesystem::path& path, const std::string& what) {
  if (path.empty()) throw BadOutputPath("the " + what + " name is empty");
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;  // does not exist yet (or its folder does not: created later)
  if (S_ISLNK(st.st_mode))
    throw BadOutputPath(path.string() + " is a symbolic link; give the " + what +
                        "'s own path (the link would be replaced, "
                        "not written through)");
  if (!S_ISREG(st.st_mode))
    throw BadOutputPath(path.string() + " exists and is " + kind_of(st.st_mode) +
                        ", not a regular file; choose another " + what + " name");
}

void check_output_folder(const std::filesystem::path& path, const std::string& what) {
  if (path.empty()) throw BadOutputPath("the " + what + " name is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // does not exist yet: created later
  if (!S_ISDIR(st.st_mode))
    throw BadOutputPath(path.string() + " exists and is " +
                        (S_ISREG(st.st_mode) ? "a regular file" : kind_of(st.st_mode)) +
                        ", not a folder; choose another " + what);
}

void remove_stale_temporaries(const std::filesystem::path& target) {
  const auto folder = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !entry.is_regular_file(ec)) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
    const auto pid = static_cast<pid_t>(std::stol(digits));
    if (::kill(pid, 0) != 0 && errno == ESRCH) std::filesystem::remove(entry.path(), ec);
  }
}

void write_text_file(const std::filesystem::path& file, const std::string& text, const std::string& what) {
  check_output_path(file, what);
  const auto temporary = std::filesystem::path(file.string() + ".tmp-" + std::to_string(::getpid()));
  // O_NOFOLLOW and O_TRUNC on a name of our own: a stale temporary is replaced, a planted link refused.
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw OutputError(write_error_message(errno, file));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw OutputError(write_error_message(error, file));
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
  durable_rename(temporary, file);
}

void durable_rename(const std::filesystem::path& file, const std::filesystem::path& target) {
  check_output_path(target);
  sync_path(file, O_RDONLY);
  if (::rename(file.c_str(), target.c_str()) != 0) throw OutputError(write_error_message(errno, target));
  const auto folder = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  sync_path(folder, O_RDONLY | O_DIRECTORY);
}

std::string write_error_message(int error_number, const std::filesystem::path& file) {
  if (error_number == ENOSPC || error_number == EDQUOT) return "no space left writing " + file.string();
  return "cannot write " + file.string() + ": " + std::strerror(error_number);
}

}  // namespace engine
