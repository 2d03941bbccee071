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

// An exclusive lock on an output directory, held for the object's lifetime
// (flock on <dir>/.coda.lock, so the OS releases it when the process dies,
// however it dies). A second job on the same directory is an InputError
// naming the holder's PID. Worker processes forked while it is held share it.
class DirectoryLock {
 public:
  static constexpr const char* kFile = ".coda.lock";
  explicit DirectoryLock(const std::string& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
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
