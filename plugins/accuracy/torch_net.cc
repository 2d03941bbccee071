#include "plugins/accuracy/torch_net.h"

#include <limits>
#include <utility>
#include <vector>

#include "core/error.h"

namespace coda::accuracy {
using network::Activation;
using network::Op;

torch::Tensor quantize_activation(const torch::Tensor& a, int a_int, int a_frac) {
  const double dq = std::ldexp(1.0, -a_frac);
  const double b = std::ldexp(1.0, a_int);
  return torch::clamp(torch::round(a / dq) * dq, 0.0, b - dq);
}

torch::Tensor quantize_weight(const torch::Tensor& w, int w_int, int w_frac) {
  const double dq = std::ldexp(1.0, -w_frac);
  const double b = std::ldexp(1.0, w_int - 1);
  return torch::clamp(torch::round(w / dq) * dq, -b, b - dq);
}

namespace {

// Straight-through estimator: the quantized value forward, identity backward.
torch::Tensor ste(const torch::Tensor& x, const torch::Tensor& q) {
  return x + (q - x).detach();
}

torch::Tensor activate(Activation a, const torch::Tensor& x) {
  switch (a) {
    case Activation::kNone:
      return x;
    case Activation::kRelu:
      return torch::relu(x);
    case Activation::kRelu6:
      return torch::clamp(x, 0.0, 6.0);
    case Activation::kSigmoid:
      return torch::sigmoid(x);
    case Activation::kSwish:
      return x * torch::sigmoid(x);
    case Activation::kHardswish:
      return x * torch::clamp(x + 3.0, 0.0, 6.0) / 6.0;
    case Activation::kHardsigmoid:
      return torch::clamp(x + 3.0, 0.0, 6.0) / 6.0;
  }
  return x;
}

// The input of a windowed layer and the padding left to the op: asymmetric
// padding (ONNX `pads`) is applied here with `fill`, symmetric padding by the op.
std::pair<torch::Tensor, std::vector<std::int64_t>> padded(const torch::Tensor& x,
                                                           const network::Layer& l, double fill) {
  if (l.symmetric_pad()) return {x, {l.effective_pad_h(), l.effective_pad_w()}};
  const auto p = torch::constant_pad_nd(
      x,
      {l.effective_pad_w(), l.effective_pad_w_end(), l.effective_pad_h(), l.effective_pad_h_end()},
      fill);
  return {p, {0, 0}};
}

std::string module_name(const std::string& layer) {
  std::string s = layer;
  for (char& c : s) {
    if (c == '.') c = '_';
  }
  return s;
}

}  // namespace

TorchNet::TorchNet(const network::Network& net) : ir_(net) {
  for (auto id : ir_.topological_order()) {
    const network::Layer& l = ir_.layer(id);
    Step s;
    s.layer = l;
    for (const auto& in : l.inputs) s.inputs.push_back(index_.at(in));
    const std::string mod = module_name(l.name);
    switch (l.op) {
      case Op::kConv2d: {
        const auto in_c = l.in_shapes.at(0).c;
        auto opts = torch::nn::Conv2dOptions(in_c, l.effective_out_channels(),
                                             {l.effective_kernel_h(), l.effective_kernel_w()})
                        .stride({l.stride_h, l.stride_w})
                        .padding({l.effective_pad_h(), l.effective_pad_w()})
                        .dilation({l.dilation_h, l.dilation_w})
                        .groups(l.effective_groups())
                        .bias(l.bias);
        s.conv = register_module(mod, torch::nn::Conv2d(opts));
        break;
      }
      case Op::kLinear:
        s.linear = register_module(
            mod, torch::nn::Linear(
                     torch::nn::LinearOptions(l.in_shapes.at(0).c, l.out_channels).bias(l.bias)));
        break;
      case Op::kInput:
      case Op::kMaxPool:
      case Op::kAvgPool:
      case Op::kAdaptiveAvgPool:
      case Op::kGlobalAvgPool:
      case Op::kAdd:
      case Op::kMul:
      case Op::kConcat:
      case Op::kChannelShuffle:
      case Op::kSlice:
      case Op::kFlatten:
      case Op::kActivation:
        break;
      default:
        throw InputError(ir_.location(id), "op",
                         "layer '" + l.name + "': op " + network::op_name(l.op) +
                             " has no LibTorch equivalent in coda's builder");
    }
    if (l.batch_norm) {
      s.bn = register_module(mod + "_bn", torch::nn::BatchNorm2d(l.out_shape.c));
    }
    index_[l.name] = static_cast<int>(steps_.size());
    steps_.push_back(std::move(s));
  }
  for (auto id : ir_.outputs()) outputs_.push_back(index_.at(ir_.layer(id).name));
}

torch::Tensor TorchNet::forward(torch::Tensor x) {
  return forward_features(std::move(x)).flatten(1);
}

torch::Tensor TorchNet::forward_features(torch::Tensor x) {
  std::vector<torch::Tensor> out(steps_.size());
  const auto n = x.size(0);
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    Step& s = steps_[i];
    const network::Layer& l = s.layer;
    auto in = [&](std::size_t k) -> const torch::Tensor& { return out[s.inputs.at(k)]; };
    torch::Tensor y;
    switch (l.op) {
      case Op::kInput:
        y = x;
        break;
      case Op::kConv2d: {
        torch::Tensor w = s.conv->weight;
        if (s.mask.defined()) w = w * s.mask;
        if (l.quant) w = ste(w, quantize_weight(w, l.quant->w_int, l.quant->w_frac));
        const auto [x_in, pad] = padded(in(0), l, 0.0);
        y = torch::conv2d(x_in, w, s.conv->bias, {l.stride_h, l.stride_w}, pad,
                          {l.dilation_h, l.dilation_w}, l.effective_groups());
        break;
      }
      case Op::kLinear: {
        torch::Tensor w = s.linear->weight;
        if (l.quant) w = ste(w, quantize_weight(w, l.quant->w_int, l.quant->w_frac));
        y = torch::linear(in(0).flatten(1), w, s.linear->bias).view({n, -1, 1, 1});
        break;
      }
      case Op::kMaxPool: {
        const auto [x_in, pad] = padded(in(0), l, -std::numeric_limits<double>::infinity());
        y = torch::max_pool2d(x_in, {l.kernel_h, l.kernel_w}, {l.stride_h, l.stride_w}, pad,
                              {l.dilation_h, l.dilation_w}, l.ceil_mode);
        break;
      }
      case Op::kAvgPool: {
        const auto [x_in, pad] = padded(in(0), l, 0.0);
        y = torch::avg_pool2d(x_in, {l.kernel_h, l.kernel_w}, {l.stride_h, l.stride_w}, pad,
                              l.ceil_mode);
        break;
      }
      case Op::kAdaptiveAvgPool:
        y = torch::adaptive_avg_pool2d(in(0), {l.out_h, l.out_w});
        break;
      case Op::kGlobalAvgPool:
        y = torch::adaptive_avg_pool2d(in(0), {1, 1});
        break;
      case Op::kAdd:
        y = in(0);
        for (std::size_t k = 1; k < s.inputs.size(); ++k) y = y + in(k);
        break;
      case Op::kMul:
        y = in(0);
        for (std::size_t k = 1; k < s.inputs.size(); ++k) y = y * in(k);
        break;
      case Op::kConcat: {
        std::vector<torch::Tensor> parts;
        for (std::size_t k = 0; k < s.inputs.size(); ++k) parts.push_back(in(k));
        y = torch::cat(parts, 1);
        break;
      }
      case Op::kChannelShuffle: {
        const auto& t = in(0);
        const auto c = t.size(1), h = t.size(2), w = t.size(3);
        y = t.view({n, l.groups, c / l.groups, h, w}).transpose(1, 2).reshape({n, c, h, w});
        break;
      }
      case Op::kSlice:
        y = in(0).narrow(1, l.offset, l.out_channels);
        break;
      case Op::kFlatten:
        y = in(0).reshape({n, -1, 1, 1});
        break;
      case Op::kActivation:
        y = in(0);
        break;
    }
    if (s.bn) y = s.bn->forward(y);
    if (l.activation != Activation::kNone) {
      if (on_activation) on_activation(l.name, y);
      if (!linear_activations) y = activate(l.activation, y);
    }
    if (l.quant && l.quant->quantizes_activations() && l.op != Op::kInput) {
      y = ste(y, quantize_activation(y, l.quant->a_int, l.quant->a_frac));
    }
    out[i] = y;
  }
  return out[outputs_.at(0)];
}

const TorchNet::Step& TorchNet::step(const std::string& layer) const {
  auto it = index_.find(layer);
  if (it == index_.end()) throw InputError({}, "layer", "no layer named '" + layer + "'");
  return steps_[it->second];
}

torch::nn::Conv2d TorchNet::conv(const std::string& layer) const {
  return step(layer).conv;
}
torch::nn::Linear TorchNet::linear(const std::string& layer) const {
  return step(layer).linear;
}
torch::nn::BatchNorm2d TorchNet::batch_norm(const std::string& layer) const {
  return step(layer).bn;
}

void TorchNet::set_mask(const std::string& layer, torch::Tensor mask) {
  Step& s = steps_[index_.at(step(layer).layer.name)];
  if (!s.conv || !mask.sizes().equals(s.conv->weight.sizes())) {
    throw InputError({}, "pattern", "layer '" + layer + "': a mask needs a conv weight's shape");
  }
  s.mask = mask.to(torch::kFloat);
  torch::NoGradGuard g;
  s.conv->weight.mul_(s.mask);
}

torch::Tensor TorchNet::mask(const std::string& layer) const {
  return step(layer).mask;
}

void TorchNet::apply_masks() {
  torch::NoGradGuard g;
  for (auto& s : steps_) {
    if (s.mask.defined()) s.conv->weight.mul_(s.mask);
  }
}

std::int64_t TorchNet::effective_params() const {
  std::int64_t total = 0;
  for (const auto& p : parameters()) total += p.numel();
  for (const auto& s : steps_) {
    if (s.mask.defined()) total -= (s.mask == 0).sum().item<std::int64_t>();
  }
  return total;
}

void init_weights(TorchNet& net) {
  torch::NoGradGuard g;
  for (auto& m : net.modules(false)) {
    if (auto* c = m->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
      if (c->bias.defined()) c->bias.zero_();
    } else if (auto* l = m->as<torch::nn::Linear>()) {
      torch::nn::init::normal_(l->weight, 0.0, 0.01);
      if (l->bias.defined()) l->bias.zero_();
    } else if (auto* b = m->as<torch::nn::BatchNorm2d>()) {
      b->weight.fill_(1.0);
      b->bias.zero_();
    }
  }
}

}  // namespace coda::accuracy
