// Runs the built `coda` binary in a shell and captures its exit code, stdout
// and stderr: the one helper every end-to-end CLI test uses.
#pragma once

#include <map>
#include <string>

namespace coda::test {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};

// `args` is appended to the binary path as shell words.
CliResult run_coda(const std::string& args);

// `coda args` in a background child process whose PID is coda's (the shell
// execs it), its output discarded; reap it with waitpid().
int spawn_coda(const std::string& args);

// Waits (up to 10 s) until `path` exists and is not empty.
void wait_for_file(const std::string& path);

// A fresh empty directory under the system temp dir.
std::string temp_dir(const std::string& tag);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// The data lines of a CSV (header skipped), keyed by their first column.
std::map<long long, std::string> rows_by_first_column(const std::string& csv);

}  // namespace coda::test
