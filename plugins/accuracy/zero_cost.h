// Zero-cost proxy scores (see zero_cost.cc for the definitions).
#pragma once

#include "plugins/accuracy/evaluators.h"
#include "plugins/accuracy/torch_net.h"

namespace coda::accuracy {

double naswot_score(TorchNet& net, const torch::Tensor& batch);
// Modifies the network's weights (|theta|); build a fresh one afterwards.
double synflow_score(TorchNet& net, const network::Shape& input);

struct ZeroCostScores {
  double naswot = 0;
  double synflow = 0;
};
// The scores for `net` adapted to the dataset, initialised with the seed, on
// one training batch of budget.batch images drawn with the seed; `only`
// ("naswot" or "synflow") skips the other proxy.
ZeroCostScores zero_cost_scores(const network::Network& net, const DatasetSpec& dataset,
                                const Budget& budget, const std::string& only = "");

}  // namespace coda::accuracy
