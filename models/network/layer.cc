#include "models/network/layer.h"

#include <array>
#include <string>
#include <utility>

namespace coda::network {

std::string Quant::fault(bool activations) const {
  const auto check = [](const char* i, int ib, const char* f, int fb) -> std::string {
    if (ib >= 1 && fb >= 0 && ib + fb <= 32) return "";
    return std::string(i) + " " + std::to_string(ib) + " (>= 1, includes the sign) and " + f + " " +
           std::to_string(fb) + " (>= 0) give " + std::to_string(ib + fb) + " bits; allowed 1-32";
  };
  std::string w = check("w_int", w_int, "w_frac", w_frac);
  if (!w.empty() || !activations || !quantizes_activations()) return w;
  return check("a_int", a_int, "a_frac", a_frac);
}

namespace {

constexpr std::array<std::pair<Op, const char*>, 14> kOps{{
    {Op::kInput, "input"},
    {Op::kConv2d, "conv2d"},
    {Op::kLinear, "linear"},
    {Op::kMaxPool, "max_pool"},
    {Op::kAvgPool, "avg_pool"},
    {Op::kAdaptiveAvgPool, "adaptive_avg_pool"},
    {Op::kGlobalAvgPool, "global_avg_pool"},
    {Op::kAdd, "add"},
    {Op::kMul, "mul"},
    {Op::kConcat, "concat"},
    {Op::kChannelShuffle, "channel_shuffle"},
    {Op::kSlice, "slice"},
    {Op::kFlatten, "flatten"},
    {Op::kActivation, "activation"},
}};

constexpr std::array<std::pair<Activation, const char*>, 7> kActs{{
    {Activation::kNone, "none"},
    {Activation::kRelu, "relu"},
    {Activation::kRelu6, "relu6"},
    {Activation::kSigmoid, "sigmoid"},
    {Activation::kSwish, "swish"},
    {Activation::kHardswish, "hardswish"},
    {Activation::kHardsigmoid, "hardsigmoid"},
}};

}  // namespace

const char* op_name(Op op) {
  for (const auto& [o, n] : kOps)
    if (o == op) return n;
  return "?";
}

const char* activation_name(Activation act) {
  for (const auto& [a, n] : kActs)
    if (a == act) return n;
  return "?";
}

std::optional<Op> op_from_name(const std::string& name) {
  for (const auto& [o, n] : kOps)
    if (name == n) return o;
  return std::nullopt;
}

std::optional<Activation> activation_from_name(const std::string& name) {
  for (const auto& [a, n] : kActs)
    if (name == n) return a;
  return std::nullopt;
}

std::vector<std::string> all_op_names() {
  std::vector<std::string> out;
  for (const auto& [o, n] : kOps) out.emplace_back(n);
  return out;
}

std::vector<std::string> all_activation_names() {
  std::vector<std::string> out;
  for (const auto& [a, n] : kActs) out.emplace_back(n);
  return out;
}

std::string Shape::str() const {
  return "[" + std::to_string(c) + "," + std::to_string(h) + "," + std::to_string(w) + "]";
}

bool Layer::same_definition(const Layer& o) const {
  return name == o.name && op == o.op && inputs == o.inputs && out_channels == o.out_channels &&
         kernel_h == o.kernel_h && kernel_w == o.kernel_w && stride_h == o.stride_h &&
         stride_w == o.stride_w && pad_h == o.pad_h && pad_w == o.pad_w &&
         pad_h_end == o.pad_h_end && pad_w_end == o.pad_w_end && offset == o.offset &&
         dilation_h == o.dilation_h && dilation_w == o.dilation_w && groups == o.groups &&
         bias == o.bias && batch_norm == o.batch_norm && ceil_mode == o.ceil_mode &&
         out_h == o.out_h && out_w == o.out_w && activation == o.activation && quant == o.quant &&
         compression == o.compression;
}

}  // namespace coda::network
