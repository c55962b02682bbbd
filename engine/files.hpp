#pragma once
// Output files a user names: checked before anything is written, and moved into place durably.
//
// Every output is written under a temporary name beside its target and renamed onto the target
// when complete, so the target holds either its earlier content or the whole new file. A rename
// replaces whatever the name points at, so the target must be a regular file (or not exist): a
// device, a FIFO, a socket or a folder under that name is refused, and so is a symbolic link
// (renaming onto it would replace the link, not write through it, which a user would not expect).
#include <filesystem>
#include <stdexcept>
#include <string>

namespace engine {

// A bad output path given by the user: the command line reports it as bad input (exit 2).
class BadOutputPath : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A failure while writing an output file (disk full, I/O error): a runtime failure (exit 1).
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws BadOutputPath when `path` is empty, is a symbolic link, or exists and is not a regular
// file. `what` names the option in messages, e.g. "output file".
void check_output_path(const std::filesystem::path& path, const std::string& what = "output file");

// Throws BadOutputPath when `path` is empty, or exists and is not a folder (a symbolic link to a
// folder is a folder: nothing replaces a folder, files are written inside it).
void check_output_folder(const std::filesystem::path& path, const std::string& what = "output folder");

// Makes the contents of `file` durable (fsync), renames it onto `target`, then makes the rename
// durable (fsync of the folder), so that after a crash or a power loss `target` holds either its
// earlier content or all of `file`. Checks `target` with check_output_path first.
void durable_rename(const std::filesystem::path& file, const std::filesystem::path& target);

// Writes `text` to `file` whole or not at all: a temporary beside it, then durable_rename. `what`
// names the file in messages (check_output_path).
void write_text_file(const std::filesystem::path& file, const std::string& text,
                     const std::string& what = "output file");

// Removes the temporary files (`<target>.tmp-<pid>`) left beside `target` by writers whose process
// has ended (killed, or crashed): what a run stopped by `kill -9` leaves. A temporary file of a
// process still running is kept.
void remove_stale_temporaries(const std::filesystem::path& target);

// The message of an error number while writing `file`: "no space left writing FILE" for ENOSPC
// and EDQUOT (a full disk or quota), "cannot write FILE: <strerror>" otherwise.
std::string write_error_message(int error_number, const std::filesystem::path& file);

}  // namespace engine
