// Output conventions shared by every reporting command: `--json FILE` writes
// JSON to FILE, and `-` means stdout (then the readable table is not printed).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace coda {

// Writes `doc` to `path` ("-" = stdout), pretty-printed.
void write_json(const nlohmann::json& doc, const std::string& path);

// Writes text to `path` ("-" or empty = stdout).
void write_text(const std::string& text, const std::string& path);

// 1234567 -> "1,234,567"
std::string grouped(long long value);

// A progress bar with rate and ETA on stderr: redrawn in place on a terminal,
// one line per 10% otherwise (CI logs).
class Progress {
 public:
  Progress(long long total, long long already);
  void tick();
  // Sets the count (and a note drawn after the bar, e.g. the best so far).
  void advance(long long done, const std::string& note);
  double rate() const;  // items per second in this run

 private:
  void draw();
  long long total_, done_, start_done_;
  std::string note_;
  bool tty_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace coda
