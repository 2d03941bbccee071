#include "core/report.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "core/files.h"

namespace coda {

void write_text(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::cout << text;
    std::cout.flush();
    if (!std::cout) throw InputError({"<stdout>", 0, 0}, "", "cannot write to standard output");
    return;
  }
  // A regular file (or a new one) is replaced atomically; a device or a pipe
  // (/dev/stderr, a fifo) is written in place. Either way a failed write is
  // an error, not a silently short file.
  std::error_code ec;
  const bool special =
      std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec);
  errno = 0;
  bool ok;
  if (special) {
    std::ofstream out(path);
    out << text;
    out.close();
    ok = static_cast<bool>(out);
  } else {
    ok = write_file_atomic(path, text);
  }
  if (!ok) {
    throw InputError(
        {path, 0, 0}, "",
        std::string("cannot write file: ") + (errno ? std::strerror(errno) : "write failed"));
  }
}

void write_json(const nlohmann::json& doc, const std::string& path) {
  write_text(doc.dump(2) + "\n", path);
}

std::string grouped(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

Progress::Progress(long long total, long long already)
    : total_(total), done_(already), start_done_(already), tty_(::isatty(2)) {}

void Progress::tick() {
  advance(done_ + 1, note_);
}

void Progress::advance(long long done, const std::string& note) {
  const long long before = done_;
  done_ = done;
  note_ = note;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  const long long t = std::max(1LL, total_);
  const bool step = !tty_ && done_ * 10 / t != before * 10 / t;
  if ((tty_ && since > 0.2) || step || done_ == total_) {
    last_ = now;
    draw();
  }
}

double Progress::rate() const {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return s > 0 ? static_cast<double>(done_ - start_done_) / s : 0;
}

void Progress::draw() {
  const double r = rate();
  const double eta = r > 0 ? static_cast<double>(total_ - done_) / r : 0;
  const int width = 30;
  const int filled = static_cast<int>(width * done_ / std::max(1LL, total_));
  std::fprintf(stderr, "%s[%s%s] %lld/%lld  %.1f/s  ETA %dm%02ds%s%s", tty_ ? "\r" : "",
               std::string(static_cast<std::size_t>(filled), '=').c_str(),
               std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), done_, total_, r,
               static_cast<int>(eta) / 60, static_cast<int>(eta) % 60, note_.c_str(),
               tty_ && done_ < total_ ? "" : "\n");
}

}  // namespace coda
