#include "core/files.h"

#include <fcntl.h>
#include <sys/file.h>
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

void check_output_file(const std::string& path, const std::string& field) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    throw InputError({path, 0, 0}, field,
                     std::filesystem::exists(parent, ec) ? parent.string() + " is not a directory"
                                                         : "its directory does not exist");
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError({path, 0, 0}, field, "is a directory; give a file name");
  }
}

AppendFile::AppendFile(const std::string& path, bool truncate) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0),
               0644);
  if (fd_ < 0) fail("cannot open for writing", errno);
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendFile::append(const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write", n < 0 ? errno : ENOSPC);
    written += static_cast<std::size_t>(n);
  }
}

void AppendFile::sync() {
  if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) fail("cannot write", errno);
}

void AppendFile::fail(const std::string& action, int error) const {
  throw InputError({path_, 0, 0}, "", action + ": " + std::strerror(error));
}

DirectoryLock::DirectoryLock(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  lock((std::filesystem::path(dir) / kFile).string(), dir);
}

DirectoryLock::DirectoryLock(const std::string& file, File) {
  const std::filesystem::path p(file);
  lock((p.parent_path() / ("." + p.filename().string() + ".lock")).string(), file);
}

void DirectoryLock::lock(const std::string& path, const std::string& dir) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw InputError({dir, 0, 0}, "out",
                     std::string("cannot lock the output: ") + std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char buffer[32] = {};
    const ssize_t n = ::pread(fd_, buffer, sizeof buffer - 1, 0);
    ::close(fd_);
    fd_ = -1;
    const std::string holder = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "?";
    throw InputError({dir, 0, 0}, "out",
                     "is in use by another coda job (pid " +
                         holder.substr(0, holder.find_first_of("\n ")) +
                         "); wait for it to finish or use another --out");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the PID; only the message of a second job suffers.
  }
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);
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
