// The IR -> torch::nn builder: one module per network, executing the layers
// in topological order. Every op of the IR is expressed; batch-norm flags
// become BatchNorm2d after the op, so parameter counts equal the IR's.
// A layer's `quant` makes the forward pass fake-quantize its weights (Lu et
// al. eq. 2) and its output activations (eq. 1) with a straight-through
// gradient; a pattern mask multiplies the weights, so pruned positions stay
// zero through fine-tuning.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "models/network/network.h"

namespace coda::accuracy {

// Lu et al. eq. 1: unsigned, B = 2^a_int, dq = 2^-a_frac.
torch::Tensor quantize_activation(const torch::Tensor& a, int a_int, int a_frac);
// Lu et al. eq. 2: signed, B = 2^(w_int - 1), dq = 2^-w_frac.
torch::Tensor quantize_weight(const torch::Tensor& w, int w_int, int w_frac);

class TorchNet : public torch::nn::Module {
 public:
  // Throws InputError naming the layer when an op cannot be expressed.
  explicit TorchNet(const network::Network& net);

  torch::Tensor forward(torch::Tensor x);  // [N, C, H, W] -> logits [N, classes]
  // The output layer's tensor as it is ([N, C, H, W] for a network that ends
  // in a feature map: a supernet's stem or branch).
  torch::Tensor forward_features(torch::Tensor x);

  const network::Network& ir() const { return ir_; }
  // Conv, linear and batch-norm modules by IR layer name (null when absent).
  torch::nn::Conv2d conv(const std::string& layer) const;
  torch::nn::Linear linear(const std::string& layer) const;
  torch::nn::BatchNorm2d batch_norm(const std::string& layer) const;
  // A {0,1} mask with the conv weight's shape (pattern pruning).
  void set_mask(const std::string& layer, torch::Tensor mask);
  torch::Tensor mask(const std::string& layer) const;
  // Zeroes the masked weights again (after an optimizer step: weight decay
  // would otherwise move them, although the forward pass ignores them).
  void apply_masks();
  // Parameters that can be non-zero (masked weights excluded).
  std::int64_t effective_params() const;

  // Activations become the identity (synflow's linearised network: with
  // positive weights and inputs ReLU is the identity; bounded ones such as
  // ReLU6 or sigmoid gates would otherwise saturate and hide every layer
  // below them).
  bool linear_activations = false;
  // Called with each activation's input (pre-activation) in forward (NASWOT).
  std::function<void(const std::string& layer, const torch::Tensor& pre)> on_activation;

 private:
  struct Step {
    network::Layer layer;
    std::vector<int> inputs;  // indices into the step list
    torch::nn::Conv2d conv{nullptr};
    torch::nn::Linear linear{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
    torch::Tensor mask;
  };
  const Step& step(const std::string& layer) const;
  network::Network ir_;
  std::vector<Step> steps_;
  std::map<std::string, int> index_;
  std::vector<int> outputs_;
};

// Kaiming-normal convs, N(0, 0.01) linears, unit batch-norm (torchvision's).
void init_weights(TorchNet& net);

}  // namespace coda::accuracy
