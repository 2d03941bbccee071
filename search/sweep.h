// A hardware sweep (`coda sweep`): every point (or a sample) of a hardware
// space for one network, over worker processes or MPI ranks, into an
// append-only CSV that --resume continues; then the fastest feasible design
// and the latency-area Pareto front (CSV and PNG beside the CSV).
#pragma once

#include <string>

#include "sim/accelerator.h"

namespace coda::search {

struct SweepJob {
  std::string arch, space, network, out;
  sim::ModelChoice model;
  long long samples = 0;  // random points instead of the full grid (0: the grid)
  int workers = 1;
  unsigned long long seed = 1;
  bool resume = false;
};

// Prints the sweep's summary lines on stdout; under mpirun, ranks other than
// 0 only simulate.
void run_sweep(const SweepJob& job);

}  // namespace coda::search
