#include "core/files.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace coda {

bool write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp);
    if (!out) return false;
    out << text;
    out.close();  // the last buffer reaches the disk here, or fails
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  return !ec;
}

std::string read_text_file(const std::string& path, const std::string& what, std::size_t limit) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError({path, 0, 0}, "", "cannot read " + what + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError({path, 0, 0}, "",
                     "cannot open " + what + ": " + std::strerror(errno ? errno : ENOENT));
  }
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > limit) {
      throw InputError({path, 0, 0}, "",
                       what + " is larger than " + std::to_string(limit >> 20) +
                           " MiB; is this the right file?");
    }
  }
  return text;
}

std::string cache_dir(const std::string& what) {
  if (const char* d = std::getenv("CODA_CACHE_DIR"); d && *d) return std::string(d) + "/" + what;
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/coda/" + what;
  return ".coda-cache/" + what;
}

std::string config_dir() {
  return CODA_CONFIG_DIR;
}

std::uint64_t fnv1a64(const std::string& text, std::uint64_t basis) {
  std::uint64_t h = basis;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace coda
