// The long jobs of the cost-model pipeline behind `coda dataset` and `coda
// train`; the MLP cost model builds its own training data with them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "models/network/network.h"
#include "sim/accelerator.h"

namespace coda::cost {

// Features and targets, row-major: x is n x f, targets n x 3 (latency_s,
// energy_j, area_mm2; ignored where infeasible).
struct TrainData {
  std::size_t n = 0, f = 0;
  std::vector<float> x;
  std::vector<double> targets;
  std::vector<float> feasible;
  std::vector<std::string> feature_names;
  int featurizer_version = 0;
};

struct DatasetJob {
  std::string arch, space, out;
  long long samples = 0;
  int workers = 1;
  unsigned long long seed = 1;
  bool resume = false;
};
// Simulates the samples missing from `out` (all of them unless resuming).
void run_dataset_job(const DatasetJob& job);

// A sample's hardware config from its values in `acc`'s declaration order.
ParamSet hw_from_values(const sim::Accelerator& acc, const std::vector<double>& values);

// The (topological position, latency_s) of every layer group `r` reports
// with a latency, the group named by its first layer; empty when infeasible.
std::vector<std::pair<int, double>> layer_latencies(const network::Network& net,
                                                    const sim::SimResult& r);

// Decodes and featurizes a dataset directory for train_mlp.
TrainData load_train_data(const std::string& dir);

}  // namespace coda::cost
