// Small file helpers shared by caches, journals and strategy states.
#pragma once

#include <cstdint>
#include <string>

namespace coda {

// Writes `text` to `path` through a temporary file and a rename, so a killed
// process leaves either the old file or the new one. False when it cannot.
bool write_file_atomic(const std::string& path, const std::string& text);

// FNV-1a, 64 bits: stable content hashes for cache keys and seeds.
std::uint64_t fnv1a64(const std::string& text, std::uint64_t basis = 1469598103934665603ull);

}  // namespace coda
