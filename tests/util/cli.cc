#include "tests/util/cli.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace coda::test {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::map<long long, std::string> rows_by_first_column(const std::string& csv) {
  std::map<long long, std::string> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) rows[std::stoll(line.substr(0, line.find(',')))] = line;
  return rows;
}

int spawn_coda(const std::string& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string cmd = "exec " + std::string(CODA_BINARY) + " " + args + " > /dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

void wait_for_file(const std::string& path) {
  std::error_code ec;
  for (int i = 0; i < 1000; ++i) {
    if (std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0) return;
    usleep(10000);
  }
}

std::string temp_dir(const std::string& tag) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("coda_test_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

CliResult run_coda(const std::string& args) {
  const std::string dir = temp_dir("cli");
  const std::string out = dir + "/out", err = dir + "/err";
  const std::string cmd = std::string(CODA_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace coda::test
