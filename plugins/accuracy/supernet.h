// A weight-sharing supernet over a NAS space (NAHAS §3.5.2 after TuNAS and
// ProxylessNAS; FBNet's DNAS): every combination of a searchable layer's
// decisions is a branch with weights of its own, built by the same block
// builders as a decoded candidate (NasSpace::parts), so a path through the
// supernet is the candidate's network, parameter for parameter. Two modes:
//  - single path: one branch per layer, given by a candidate's choices
//    (TuNAS, the REINFORCE controller samples it);
//  - whole supernet: every branch, summed with weights; a branch's weight is
//    the product of its decisions' weights (FBNet's Gumbel-softmax mixture).
// Shared weights need every branch of a layer to take and give the same
// shapes: spaces whose choices change a layer's output (nahas_evolved's
// `filters`, Lu et al.'s `channels`, `pool` and strides) are refused with the
// layer and decision named.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "models/space/nas_space.h"
#include "plugins/accuracy/torch_net.h"

namespace coda::accuracy {

class Supernet : public torch::nn::Module {
 public:
  // `space` at the shape it trains at (NasSpace::adapted to the dataset).
  explicit Supernet(const space::NasSpace& space);

  const space::NasSpace& space() const { return space_; }
  std::size_t layers() const { return branches_.size(); }
  std::size_t branches(std::size_t layer) const { return branches_.at(layer).size(); }

  // Single path: one choice per decision of the space.
  torch::Tensor forward(const torch::Tensor& x, const std::vector<int>& choices);
  // Whole supernet: per decision, weights over its choices ([size] each).
  torch::Tensor forward(const torch::Tensor& x, const std::vector<torch::Tensor>& weights);
  // Parameters on the path of `choices` (equal to the decoded network's).
  std::int64_t path_parameters(const std::vector<int>& choices) const;

 private:
  std::size_t branch_of(std::size_t layer, const std::vector<int>& choices) const;
  space::NasSpace space_;
  std::shared_ptr<TorchNet> stem_, tail_;
  std::vector<std::vector<std::shared_ptr<TorchNet>>> branches_;
  std::vector<std::vector<std::vector<int>>> combos_;  // per layer, per branch: its choices
};

}  // namespace coda::accuracy
