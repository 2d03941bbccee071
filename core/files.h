// Small file helpers shared by caches, journals and strategy states.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace coda {

// Writes `text` to `path` through a temporary file and a rename, so a killed
// process leaves either the old file or the new one. False when it cannot.
bool write_file_atomic(const std::string& path, const std::string& text);

// The text of an input file (a config, a network, a space, a SCALE-Sim
// file), read whole. Throws InputError naming the path when it cannot be
// opened or holds more than `limit` bytes (64 MiB: far above any config,
// and it stops /dev/zero or a mistaken binary from being read forever).
std::string read_text_file(const std::string& path, const std::string& what,
                           std::size_t limit = std::size_t{64} << 20);

// Checks, before a long job starts, that its output file `path` can be
// created: its directory exists and the path is not a directory. Throws an
// InputError naming the path and `field` (e.g. "--out") otherwise.
void check_output_file(const std::string& path, const std::string& field);

// A file that a long job appends to line by line (a journal, a dataset
// shard, a sweep CSV). Every line reaches the OS before append() returns, and
// a short or failed write (a full disk, /dev/full) is an InputError naming
// the path and the OS error, so no job reports success over a truncated file.
class AppendFile {
 public:
  // `truncate` starts the file empty; otherwise lines go after what is there.
  explicit AppendFile(const std::string& path, bool truncate = false);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Writes `text` (one or more complete lines) in one piece.
  void append(const std::string& text);
  // Forces what was appended to the disk; an error there is an InputError.
  void sync();
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& action, int error) const;
  std::string path_;
  int fd_ = -1;
};

// An exclusive lock on an output directory, held for the object's lifetime
// (flock on <dir>/.coda.lock, so the OS releases it when the process dies,
// however it dies). A second job on the same directory is an InputError
// naming the holder's PID. Worker processes forked while it is held share it.
class DirectoryLock {
 public:
  static constexpr const char* kFile = ".coda.lock";
  explicit DirectoryLock(const std::string& dir);
  // The same lock for an output that is one file (a sweep's CSV): it is
  // taken on .<name>.lock beside that file.
  struct File {};
  DirectoryLock(const std::string& file, File);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  void lock(const std::string& lock_file, const std::string& target);
  int fd_ = -1;
};

// The cache directory for `what` ("mlp", "accuracy"): $CODA_CACHE_DIR/what,
// else $HOME/.cache/coda/what, else .coda-cache/what. Tests point
// CODA_CACHE_DIR at a temporary directory.
std::string cache_dir(const std::string& what);

// The shipped configs/ directory (hardware presets, spaces, accuracy tables).
std::string config_dir();

// FNV-1a, 64 bits: stable content hashes for cache keys and seeds.
std::uint64_t fnv1a64(const std::string& text, std::uint64_t basis = 1469598103934665603ull);

}  // namespace coda
