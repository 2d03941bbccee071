#include "models/cost/featurizer.h"

#include <cmath>

namespace coda::cost {
namespace {

using network::Op;

const std::vector<std::string> kPerLayer = {"mask",       "log2_in_c", "log2_out_c", "log2_out_h",
                                            "log2_out_w", "kernel",    "stride",     "log2_groups",
                                            "depthwise",  "w_bits",    "a_bits",     "log10_macs"};

float log2p(double x) {
  return static_cast<float>(std::log2(1.0 + std::max(0.0, x)));
}

bool skipped(const network::Layer& l) {
  return l.op == Op::kInput || l.op == Op::kFlatten || l.op == Op::kChannelShuffle ||
         l.op == Op::kSlice;
}

}  // namespace

float normalise_knob(const ParamDecl& d, double v) {
  if (!d.labels.empty()) return static_cast<float>(v / std::max<double>(1, d.labels.size() - 1));
  if (d.min > 0 && d.max / d.min > 10) {
    return static_cast<float>((std::log(v) - std::log(d.min)) /
                              (std::log(d.max) - std::log(d.min)));
  }
  return static_cast<float>((v - d.min) / (d.max - d.min));
}

int Featurizer::per_layer() {
  return static_cast<int>(kPerLayer.size() + network::all_op_names().size() +
                          network::all_activation_names().size());
}

Featurizer::Featurizer(const std::vector<ParamDecl>& hw_decls, int max_layers)
    : hw_(&hw_decls), max_layers_(max_layers) {
  for (int i = 0; i < max_layers_; ++i) {
    const std::string p = "l" + std::to_string(i) + ".";
    for (const auto& f : kPerLayer) names_.push_back(p + f);
    for (const auto& op : network::all_op_names()) names_.push_back(p + "op_" + op);
    for (const auto& a : network::all_activation_names()) names_.push_back(p + "act_" + a);
  }
  for (const char* a : {"net.log10_macs", "net.log10_params", "net.depth", "net.log2_input_hw"})
    names_.push_back(a);
  for (const auto& d : *hw_) names_.push_back("hw." + d.name);
}

std::vector<float> Featurizer::features(const network::Network& net, const ParamSet& hw) const {
  std::vector<float> f(names_.size(), 0.0f);
  const std::size_t stride = static_cast<std::size_t>(per_layer());
  const auto ops = network::all_op_names();
  const auto acts = network::all_activation_names();
  int slot = 0, depth = 0;
  for (auto id : net.topological_order()) {
    const network::Layer& l = net.layer(id);
    if (skipped(l)) continue;
    ++depth;
    if (slot >= max_layers_) continue;
    float* x = f.data() + static_cast<std::size_t>(slot) * stride;
    const auto& in = l.in_shapes.empty() ? l.out_shape : l.in_shapes[0];
    const bool conv = l.op == Op::kConv2d;
    x[0] = 1;
    x[1] = log2p(static_cast<double>(in.c));
    x[2] = log2p(static_cast<double>(l.out_shape.c));
    x[3] = log2p(static_cast<double>(l.out_shape.h));
    x[4] = log2p(static_cast<double>(l.out_shape.w));
    x[5] = conv || l.op == Op::kMaxPool || l.op == Op::kAvgPool
               ? static_cast<float>(l.effective_kernel_h())
               : 0;
    x[6] = static_cast<float>(l.stride_h);
    x[7] = conv ? log2p(static_cast<double>(l.effective_groups())) : 0;
    x[8] = conv && l.is_depthwise() ? 1 : 0;
    x[9] = l.quant ? static_cast<float>(l.quant->weight_bits()) : 8;
    x[10] = l.quant ? static_cast<float>(l.quant->activation_bits()) : 8;
    x[11] = static_cast<float>(std::log10(1.0 + static_cast<double>(network::layer_macs(l))));
    const std::size_t base = kPerLayer.size();
    x[base + static_cast<std::size_t>(l.op)] = 1;
    x[base + ops.size() + static_cast<std::size_t>(l.activation)] = 1;
    ++slot;
  }
  std::size_t k = static_cast<std::size_t>(max_layers_) * stride;
  f[k++] = static_cast<float>(std::log10(1.0 + static_cast<double>(net.macs())));
  f[k++] = static_cast<float>(std::log10(1.0 + static_cast<double>(net.params())));
  f[k++] = static_cast<float>(depth);
  f[k++] = log2p(static_cast<double>(net.input_shape().h));
  for (const auto& d : *hw_) f[k++] = normalise_knob(d, hw.get(d.name));
  return f;
}

}  // namespace coda::cost
