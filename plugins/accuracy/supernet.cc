#include "plugins/accuracy/supernet.h"

#include "core/error.h"

namespace coda::accuracy {
namespace {

std::string shape_text(const network::Shape& s) {
  return std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

network::Shape output_shape(const network::Network& net) {
  return net.layer(net.outputs().at(0)).out_shape;
}

}  // namespace

Supernet::Supernet(const space::NasSpace& space) : space_(space) {
  const std::vector<int> base(space_.decisions().size(), 0);
  const auto parts = space_.parts(base);
  stem_ = register_module("stem", std::make_shared<TorchNet>(parts.front().net));
  init_weights(*stem_);
  for (std::size_t l = 0; l < space_.layer_count(); ++l) {
    combos_.push_back(space_.layer_combinations(l));
    const auto& decisions = space_.layer_decisions(l);
    std::vector<std::shared_ptr<TorchNet>> branches;
    network::Shape out{};
    std::string first;
    for (std::size_t c = 0; c < combos_[l].size(); ++c) {
      std::vector<int> choices = base;
      for (std::size_t j = 0; j < decisions.size(); ++j) choices[decisions[j]] = combos_[l][c][j];
      const network::Network net = space_.parts(choices).at(l + 1).net;
      std::string label;
      for (std::size_t j = 0; j < decisions.size(); ++j) {
        const auto& d = space_.decisions()[decisions[j]];
        label += (j ? ", " : "") + d.name + " = " + d.label(combos_[l][c][j]);
      }
      const network::Shape s = output_shape(net);
      if (c == 0) {
        out = s;
        first = label;
      } else if (s.c != out.c || s.h != out.h || s.w != out.w) {
        throw InputError({}, "network_space",
                         "space '" + space_.name() + "', layer '" + space_.layer_name(l) +
                             "': with " + first + " it gives " + shape_text(out) + ", with " +
                             label + " " + shape_text(s) +
                             "; a weight-sharing supernet needs every choice of a layer to keep "
                             "its output shape");
      }
      auto t = std::make_shared<TorchNet>(net);
      init_weights(*t);
      branches.push_back(
          register_module("layer" + std::to_string(l) + "_branch" + std::to_string(c), t));
    }
    branches_.push_back(std::move(branches));
  }
  tail_ = register_module("tail", std::make_shared<TorchNet>(parts.back().net));
  init_weights(*tail_);
}

std::size_t Supernet::branch_of(std::size_t layer, const std::vector<int>& choices) const {
  const auto& decisions = space_.layer_decisions(layer);
  std::size_t index = 0;
  for (std::size_t d : decisions) {
    index = index * static_cast<std::size_t>(space_.decisions()[d].size()) +
            static_cast<std::size_t>(choices.at(d));
  }
  return index;  // layer_combinations() varies the last decision fastest
}

torch::Tensor Supernet::forward(const torch::Tensor& x, const std::vector<int>& choices) {
  if (choices.size() != space_.decisions().size()) {
    throw InputError({}, "candidate",
                     "expected " + std::to_string(space_.decisions().size()) + " choices, got " +
                         std::to_string(choices.size()));
  }
  torch::Tensor h = stem_->forward_features(x);
  for (std::size_t l = 0; l < branches_.size(); ++l) {
    h = branches_[l][branch_of(l, choices)]->forward_features(h);
  }
  return tail_->forward(h);
}

torch::Tensor Supernet::forward(const torch::Tensor& x, const std::vector<torch::Tensor>& weights) {
  if (weights.size() != space_.decisions().size()) {
    throw InputError({}, "weights",
                     "expected weights for " + std::to_string(space_.decisions().size()) +
                         " decisions, got " + std::to_string(weights.size()));
  }
  torch::Tensor h = stem_->forward_features(x);
  for (std::size_t l = 0; l < branches_.size(); ++l) {
    const auto& decisions = space_.layer_decisions(l);
    if (branches_[l].size() == 1) {
      h = branches_[l][0]->forward_features(h);
      continue;
    }
    torch::Tensor sum;
    for (std::size_t c = 0; c < branches_[l].size(); ++c) {
      torch::Tensor w = torch::ones({}, weights[decisions[0]].options());
      for (std::size_t j = 0; j < decisions.size(); ++j)
        w = w * weights[decisions[j]][combos_[l][c][j]];
      const torch::Tensor y = w * branches_[l][c]->forward_features(h);
      sum = sum.defined() ? sum + y : y;
    }
    h = sum;
  }
  return tail_->forward(h);
}

std::int64_t Supernet::path_parameters(const std::vector<int>& choices) const {
  auto count = [](const TorchNet& t) {
    std::int64_t n = 0;
    for (const auto& p : t.parameters()) n += p.numel();
    return n;
  };
  std::int64_t n = count(*stem_) + count(*tail_);
  for (std::size_t l = 0; l < branches_.size(); ++l)
    n += count(*branches_[l][branch_of(l, choices)]);
  return n;
}

}  // namespace coda::accuracy
