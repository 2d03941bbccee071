#include "models/network/builder.h"

namespace coda::network {
namespace {

Layer make(const std::string& name, Op op, std::vector<std::string> inputs) {
  Layer l;
  l.name = name;
  l.op = op;
  l.inputs = std::move(inputs);
  return l;
}

}  // namespace

Builder::Builder(std::string net_name, Shape input) : net_(std::move(net_name)) {
  Layer l = make(input_, Op::kInput, {});
  l.out_channels = input.c;
  l.out_h = static_cast<int>(input.h);
  l.out_w = static_cast<int>(input.w);
  net_.add(std::move(l));
}

std::string Builder::conv(const std::string& name, const std::string& x, const ConvSpec& s) {
  Layer l = make(name, Op::kConv2d, {x});
  l.out_channels = s.out;
  l.kernel_h = s.kernel_h;
  l.kernel_w = s.kernel_w;
  l.stride_h = s.stride_h;
  l.stride_w = s.stride_w;
  l.pad_h = s.pad_h >= 0 ? s.pad_h : (s.kernel_h - 1) / 2 * s.dilation;
  l.pad_w = s.pad_w >= 0 ? s.pad_w : (s.kernel_w - 1) / 2 * s.dilation;
  l.dilation_h = l.dilation_w = s.dilation;
  l.groups = s.groups;
  l.bias = s.bias;
  l.batch_norm = s.batch_norm;
  l.activation = s.act;
  net_.add(std::move(l));
  return name;
}

std::string Builder::linear(const std::string& name, const std::string& x, std::int64_t out,
                            bool bias, Activation act) {
  Layer l = make(name, Op::kLinear, {x});
  l.out_channels = out;
  l.bias = bias;
  l.activation = act;
  net_.add(std::move(l));
  return name;
}

std::string Builder::pool(Op op, const std::string& name, const std::string& x, int k, int stride,
                          int pad, bool ceil_mode) {
  Layer l = make(name, op, {x});
  l.kernel_h = l.kernel_w = k;
  l.stride_h = l.stride_w = stride;
  l.pad_h = l.pad_w = pad;
  l.ceil_mode = ceil_mode;
  net_.add(std::move(l));
  return name;
}

std::string Builder::max_pool(const std::string& name, const std::string& x, int k, int stride,
                              int pad, bool ceil_mode) {
  return pool(Op::kMaxPool, name, x, k, stride, pad, ceil_mode);
}

std::string Builder::avg_pool(const std::string& name, const std::string& x, int k, int stride,
                              int pad, bool ceil_mode) {
  return pool(Op::kAvgPool, name, x, k, stride, pad, ceil_mode);
}

std::string Builder::adaptive_avg_pool(const std::string& name, const std::string& x, int out_h,
                                       int out_w) {
  Layer l = make(name, Op::kAdaptiveAvgPool, {x});
  l.out_h = out_h;
  l.out_w = out_w;
  net_.add(std::move(l));
  return name;
}

std::string Builder::global_avg_pool(const std::string& name, const std::string& x) {
  Layer l = make(name, Op::kGlobalAvgPool, {x});
  net_.add(std::move(l));
  return name;
}

std::string Builder::add(const std::string& name, const std::vector<std::string>& xs,
                         Activation act) {
  Layer l = make(name, Op::kAdd, xs);
  l.activation = act;
  net_.add(std::move(l));
  return name;
}

std::string Builder::mul(const std::string& name, const std::string& x, const std::string& gate) {
  Layer l = make(name, Op::kMul, {x, gate});
  net_.add(std::move(l));
  return name;
}

std::string Builder::concat(const std::string& name, const std::vector<std::string>& xs,
                            bool batch_norm, Activation act) {
  Layer l = make(name, Op::kConcat, xs);
  l.batch_norm = batch_norm;
  l.activation = act;
  net_.add(std::move(l));
  return name;
}

std::string Builder::shuffle(const std::string& name, const std::string& x, std::int64_t groups) {
  Layer l = make(name, Op::kChannelShuffle, {x});
  l.groups = groups;
  net_.add(std::move(l));
  return name;
}

std::string Builder::slice(const std::string& name, const std::string& x, std::int64_t offset,
                           std::int64_t count) {
  Layer l = make(name, Op::kSlice, {x});
  l.offset = offset;
  l.out_channels = count;
  net_.add(std::move(l));
  return name;
}

std::string Builder::flatten(const std::string& name, const std::string& x) {
  Layer l = make(name, Op::kFlatten, {x});
  net_.add(std::move(l));
  return name;
}

std::string Builder::activation(const std::string& name, const std::string& x, Activation act) {
  Layer l = make(name, Op::kActivation, {x});
  l.activation = act;
  net_.add(std::move(l));
  return name;
}

}  // namespace coda::network
