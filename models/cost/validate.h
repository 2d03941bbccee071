// How far a cost model is from simulation (`coda validate`): fresh samples
// of a joint space (or zoo networks outside it), each answered by the model
// and by the SystemC ground truth; per metric MAPE, RMSE, the share within
// 5% and 10%, Kendall's tau and Spearman's rho; the feasibility accuracy;
// and how much of the simulated Pareto front the model's predicted front
// recovers. Writes points.csv, metrics.json and a scatter PNG per metric.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace coda::cost {

struct ValidationJob {
  std::string cost_model;            // a spec: mlp:model.pt, lut:lut.json, analytical, simulator
  std::vector<std::string> options;  // the cost model's options, key=value
  std::string arch;
  // A joint space file; or, with `hw`, a NAS space (a registered name or a
  // file) on that fixed hardware config.
  std::string space;
  std::string hw;
  std::string out;  // directory
  long long samples = 1000;
  // random: the joint space; leave-family-out: zoo families outside it.
  std::string split = "random";
  unsigned long long seed = 20261129;
};

// Returns metrics.json's content.
nlohmann::json validate_cost_model(const ValidationJob& job);

}  // namespace coda::cost
