// Runs independent tasks in K forked worker processes. Workers are forked
// before the parent touches SystemC, so each elaborates its own session.
// Every result is one line of text, handed to the parent's callback as soon
// as it arrives, so the caller can append it to a journal at once: a killed
// run loses only the tasks in flight.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace coda {

struct WorkerPoolOptions {
  int workers = 1;
};

// `work(task)` runs in a worker and returns one line (no '\n'); `done(task,
// line)` runs in the parent. With workers <= 1 everything runs in-process.
// Throws std::runtime_error when a worker dies.
void run_worker_pool(const std::vector<long long>& tasks, const WorkerPoolOptions& opts,
                     const std::function<std::string(long long)>& work,
                     const std::function<void(long long, const std::string&)>& done);

}  // namespace coda
