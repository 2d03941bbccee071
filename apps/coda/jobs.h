// The long jobs behind `coda dataset` and `coda train`, callable from other
// commands (`coda run` builds its cost model with them).
#pragma once

#include <string>

#include "models/cost/mlp.h"

namespace coda::app {

struct DatasetJob {
  std::string arch, space, out;
  long long samples = 0;
  int workers = 1;
  unsigned long long seed = 1;
  bool resume = false;
};
// Simulates the samples missing from `out` (all of them unless resuming).
void run_dataset_job(const DatasetJob& job);

// Decodes and featurizes a dataset directory for cost::train_mlp.
cost::TrainData load_train_data(const std::string& dir);

}  // namespace coda::app
