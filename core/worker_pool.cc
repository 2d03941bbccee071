#include "core/worker_pool.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace coda {
namespace {

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) ::_exit(3);  // the parent is gone
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

void run_worker_pool(const std::vector<long long>& tasks, const WorkerPoolOptions& opts,
                     const std::function<std::string(long long)>& work,
                     const std::function<void(long long, const std::string&)>& done) {
  const int k = std::max(1, std::min<int>(opts.workers, static_cast<int>(tasks.size())));
  if (k <= 1) {
    for (long long t : tasks) done(t, work(t));
    return;
  }
  std::fflush(nullptr);
  struct Worker {
    pid_t pid;
    int fd;
    std::string buffer;
  };
  std::vector<Worker> workers;
  for (int w = 0; w < k; ++w) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      ::close(fds[0]);
      for (const auto& other : workers) ::close(other.fd);
      // Round-robin keeps every worker busy to the end on uniform tasks.
      try {
        for (std::size_t i = static_cast<std::size_t>(w); i < tasks.size();
             i += static_cast<std::size_t>(k)) {
          write_all(fds[1], std::to_string(tasks[i]) + "\t" + work(tasks[i]) + "\n");
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "coda: worker %d: %s\n", w, e.what());
        ::_exit(4);
      }
      ::close(fds[1]);
      std::fflush(nullptr);
      ::_exit(0);
    }
    ::close(fds[1]);
    workers.push_back({pid, fds[0], {}});
  }
  std::vector<pollfd> fds;
  for (const auto& w : workers) fds.push_back({w.fd, POLLIN, 0});
  std::size_t open = workers.size();
  char chunk[65536];
  while (open > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = ::read(fds[i].fd, chunk, sizeof chunk);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
        continue;
      }
      std::string& buf = workers[i].buffer;
      buf.append(chunk, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = buf.find('\n')) != std::string::npos) {
        const std::string line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        const auto tab = line.find('\t');
        done(std::stoll(line.substr(0, tab)), line.substr(tab + 1));
      }
    }
  }
  bool failed = false;
  for (const auto& w : workers) {
    int status = 0;
    ::waitpid(w.pid, &status, 0);
    failed = failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  }
  if (failed) throw std::runtime_error("a sweep worker process failed");
}

}  // namespace coda
