// Zeng et al.'s black-box search-space profiling (ASP-DAC'20 §III-B,
// `coda profile --experiment profile.yaml`). For every candidate NAS space:
// the search-space base networks (SSBNs) of its specified network, each
// measured on the black box (any cost model, batched and spread over
// workers) and scored for accuracy (the specified network trained for a
// proxy budget, every base network fine-tuned from it for `fine_tune`
// batches, or any accuracy evaluator directly); the cost of each network
// (the objective's -reward, eq. 6 by default) and of each space (eq. 3); and
// Algorithm 1, which keeps the first space to place more than `threshold`
// networks among the cheapest and writes it, with only the choices those
// networks use at each layer, as a NAS-space file `coda search` loads.
//
//   name: zeng_profile
//   arch: dpu
//   hardware: ../hardware/dpu/zeng_b4096.yaml
//   spaces: [{space: zeng_res}, {space: zeng_mobile}, {space: zeng_vgg}]
//   specified: {zeng_res: basic_k3}   # a block label at every layer (default: first choices)
//   cost_model: simulator             # the black box
//   accuracy: {evaluator: train, epochs: 1, subset: 6000}   # the specified networks' budget
//   fine_tune: 20                     # batches per base network (0: evaluate each directly)
//   objective: {name: zeng, thres: 0.85, scale: 2, lambda: 0.1}
//   lambdas: [0.01, 0.1, 1]           # also report the space Algorithm 1 picks at these
//   threshold: 60                     # Thr
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace coda::search {

struct ProfileRun {
  std::string experiment;  // the profile YAML
  std::string out;         // output directory
  bool resume = false;
};

// Runs the profiling, writes pool.csv, spaces.csv, profile.json and the
// selected space (<name>-selected.yaml) into `out`, prints the tables and
// returns profile.json's content.
nlohmann::json run_profile(const ProfileRun& run);

// Algorithm 1 over the basenet pool: (space, cost) per network. The pool is
// ranked by cost (ties in pool order); the first space to place more than
// `threshold` networks is returned with those networks (indices into the
// pool, cheapest first). When no space gets there, the one with the lowest
// Cost(SS) (eq. 3) is returned with all its networks.
std::pair<std::string, std::vector<std::size_t>> select_space(
    const std::vector<std::pair<std::string, double>>& pool, long long threshold);

// Eq. 3: the mean cost of a space's base networks.
double space_cost(const std::vector<double>& costs);

}  // namespace coda::search
