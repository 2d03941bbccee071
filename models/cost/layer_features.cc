#include "models/cost/layer_features.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "models/cost/featurizer.h"

namespace coda::cost {
namespace {

using network::Activation;
using network::Op;

float log2p(double x) {
  return static_cast<float>(std::log2(1.0 + std::max(0.0, x)));
}

// Activations by what evaluating them takes, not by name, so a family's
// ReLU and another's ReLU6 are the same input: a comparison (clamp), a
// transcendental function (smooth) or a piecewise-linear one (hard).
enum ActClass { kClamp, kSmooth, kHard, kActClasses };
int act_class(Activation a) {
  switch (a) {
    case Activation::kRelu:
    case Activation::kRelu6:
      return kClamp;
    case Activation::kSigmoid:
    case Activation::kSwish:
      return kSmooth;
    case Activation::kHardswish:
    case Activation::kHardsigmoid:
      return kHard;
    case Activation::kNone:
      break;
  }
  return -1;
}

const std::vector<std::string> kLayer = {
    "log2_in_c",     "log2_out_c",       "log2_in_h",        "log2_in_w",       "log2_out_h",
    "log2_out_w",    "kernel_h",         "kernel_w",         "stride",          "log2_groups",
    "depthwise",     "w_bits",           "a_bits",           "log2_macs",       "log2_weights",
    "log2_in_elems", "log2_out_elems",   "inputs",           "batch_norm",      "act_clamp",
    "act_smooth",    "act_hard",         "after_conv",       "producer_shared", "first",
    "last",          "net.log2_weights", "net.log2_max_act", "net.log2_image"};

const std::vector<std::string> kNet = {"log2_weights", "log2_macs",    "log2_image",
                                       "log2_output",  "log2_max_act", "cost_layers"};

bool skipped(const network::Layer& l) {
  return l.op == Op::kInput || l.op == Op::kFlatten || l.op == Op::kChannelShuffle ||
         l.op == Op::kSlice;
}

}  // namespace

LayerFeaturizer::LayerFeaturizer(const std::vector<ParamDecl>& hw_decls, sim::Accelerator* twin)
    : hw_(&hw_decls), twin_(twin) {
  layer_names_ = kLayer;
  for (const auto& op : network::all_op_names()) layer_names_.push_back("op_" + op);
  for (const auto& d : hw_decls) layer_names_.push_back("hw." + d.name);
  net_names_ = kNet;
  for (const auto& d : hw_decls) net_names_.push_back("hw." + d.name);
  if (twin_) {
    for (const char* f : {"twin.log2_ns", "twin.reported"}) layer_names_.push_back(f);
    for (const char* f : {"twin.log2_ns", "twin.log2_nj", "twin.log2_area_um2", "twin.feasible"})
      net_names_.push_back(f);
  }
}

LayerRows LayerFeaturizer::rows(const network::Network& net, const ParamSet& hw) const {
  const auto order = net.topological_order();
  const auto& g = net.graph();
  // Network context: the weights the design must hold or stream, the
  // largest activation it must keep, the image it loads.
  double weights = 0, max_act = 0, output = 0;
  std::vector<std::size_t> cost_rows;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const network::Layer& l = net.layer(order[i]);
    weights += static_cast<double>(network::layer_weights(l));
    max_act = std::max(max_act, static_cast<double>(l.out_shape.elements()));
    if (!skipped(l)) cost_rows.push_back(i);
  }
  for (auto id : net.outputs()) output += static_cast<double>(net.layer(id).out_shape.elements());
  const double image = static_cast<double>(net.input_shape().elements());
  std::vector<float> knobs;
  for (const auto& d : *hw_) knobs.push_back(normalise_knob(d, hw.get(d.name)));

  // The twin's estimates by topological position (its groups are named by
  // their first layer, as the simulator's are).
  std::vector<double> twin_ns(order.size(), 0.0);
  double twin_total_ns = 0, twin_nj = 0, twin_um2 = 0;
  bool twin_feasible = false;
  if (twin_) {
    const sim::SimResult t = twin_->analytical(net, hw);
    twin_feasible = t.feasible;
    twin_total_ns = t.latency_s * 1e9;
    twin_nj = t.energy_j * 1e9;
    twin_um2 = t.area_mm2 * 1e6;
    std::unordered_map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < order.size(); ++i) position.emplace(net.layer(order[i]).name, i);
    for (const auto& l : t.layers) {
      if (const auto it = position.find(l.name); it != position.end())
        twin_ns[it->second] += l.latency_s * 1e9;
    }
  }
  LayerRows r;
  const std::size_t width = layer_size();
  const std::size_t ops_at = kLayer.size(), hw_at = ops_at + network::all_op_names().size();
  r.layer.assign(cost_rows.size() * width, 0.0f);
  for (std::size_t k = 0; k < cost_rows.size(); ++k) {
    const auto id = order[cost_rows[k]];
    const network::Layer& l = net.layer(id);
    float* x = r.layer.data() + k * width;
    const auto& in = l.in_shapes.empty() ? l.out_shape : l.in_shapes[0];
    const bool conv = l.op == Op::kConv2d;
    const bool pool = l.op == Op::kMaxPool || l.op == Op::kAvgPool;
    x[0] = log2p(static_cast<double>(in.c));
    x[1] = log2p(static_cast<double>(l.out_shape.c));
    x[2] = log2p(static_cast<double>(in.h));
    x[3] = log2p(static_cast<double>(in.w));
    x[4] = log2p(static_cast<double>(l.out_shape.h));
    x[5] = log2p(static_cast<double>(l.out_shape.w));
    x[6] = conv || pool ? static_cast<float>(l.effective_kernel_h()) : 0;
    x[7] = conv || pool ? static_cast<float>(l.effective_kernel_w()) : 0;
    x[8] = static_cast<float>(l.stride_h);
    x[9] = conv ? log2p(static_cast<double>(l.effective_groups())) : 0;
    x[10] = conv && l.is_depthwise() ? 1 : 0;
    x[11] = l.quant ? static_cast<float>(l.quant->weight_bits()) / 8 : 1;
    x[12] = l.quant && l.quant->quantizes_activations()
                ? static_cast<float>(l.quant->activation_bits()) / 8
                : 1;
    x[13] = log2p(static_cast<double>(network::layer_macs(l)));
    x[14] = log2p(static_cast<double>(network::layer_weights(l)));
    double in_elems = 0;
    for (const auto& s : l.in_shapes) in_elems += static_cast<double>(s.elements());
    x[15] = log2p(in_elems);
    x[16] = log2p(static_cast<double>(l.out_shape.elements()));
    x[17] = static_cast<float>(l.in_shapes.size());
    x[18] = l.batch_norm ? 1 : 0;
    if (const int a = act_class(l.activation); a >= 0) x[19 + a] = 1;
    // Fusion: a layer whose first producer is a convolution consumed by it
    // alone may run inside that convolution on families that fuse.
    if (boost::in_degree(id, g) > 0) {
      const auto producer = !l.inputs.empty() && net.contains(l.inputs[0])
                                ? net.id(l.inputs[0])
                                : boost::source(*boost::in_edges(id, g).first, g);
      x[22] = net.layer(producer).op == Op::kConv2d ? 1 : 0;
      x[23] = boost::out_degree(producer, g) > 1 ? 1 : 0;
    }
    x[24] = k == 0 ? 1 : 0;
    x[25] = k + 1 == cost_rows.size() ? 1 : 0;
    x[26] = log2p(weights);
    x[27] = log2p(max_act);
    x[28] = log2p(image);
    x[ops_at + static_cast<std::size_t>(l.op)] = 1;
    std::copy(knobs.begin(), knobs.end(), x + hw_at);
    if (twin_) {
      const double ns = twin_ns[cost_rows[k]];
      x[hw_at + knobs.size()] = log2p(ns);
      x[hw_at + knobs.size() + 1] = ns > 0 ? 1 : 0;
    }
    r.position.push_back(static_cast<int>(cost_rows[k]));
  }
  const double macs = static_cast<double>(net.macs());
  r.net = {log2p(weights), log2p(macs),    log2p(image),
           log2p(output),  log2p(max_act), static_cast<float>(cost_rows.size()) / 64};
  r.net.insert(r.net.end(), knobs.begin(), knobs.end());
  if (twin_) {
    r.net.insert(r.net.end(), {log2p(twin_total_ns), log2p(twin_nj), log2p(twin_um2),
                               twin_feasible ? 1.0f : 0.0f});
  }
  return r;
}

}  // namespace coda::cost
