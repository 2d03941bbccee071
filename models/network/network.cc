#include "models/network/network.h"

#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <iterator>

namespace coda::network {
namespace {

std::string describe(const Layer& l) {
  return "layer '" + l.name + "' (" + op_name(l.op) + ")";
}

// Output extent of a sliding window, as torch.nn.Conv2d / MaxPool2d compute it.
std::int64_t window_out(std::int64_t in, int kernel, int stride, int pad, int pad_end, int dilation,
                        bool ceil_mode) {
  const std::int64_t span =
      in + pad + pad_end - static_cast<std::int64_t>(dilation) * (kernel - 1) - 1;
  if (span < 0) return 0;
  std::int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // torch: the last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

}  // namespace

Network::LayerId Network::add(Layer layer, SourceLocation where) {
  if (layer.name.empty()) throw InputError(where, "name", "a layer has no name");
  if (index_.count(layer.name)) {
    throw InputError(where, "name", "duplicate layer name '" + layer.name + "'");
  }
  if (layer.inputs.empty() && layer.op != Op::kInput) {
    if (size() == 0) throw InputError(where, "inputs", describe(layer) + " has no input");
    layer.inputs.push_back(graph_[size() - 1].name);
  }
  std::vector<LayerId> producers;
  for (const auto& in : layer.inputs) {
    auto it = index_.find(in);
    if (it == index_.end()) {
      throw InputError(
          where, "inputs",
          describe(layer) + " reads '" + in + "', which is not a layer defined before it");
    }
    producers.push_back(it->second);
  }
  const LayerId id = boost::add_vertex(std::move(layer), graph_);
  index_[graph_[id].name] = id;
  if (!where.file.empty() || where.line) locations_[id] = std::move(where);
  for (auto p : producers) boost::add_edge(p, id, graph_);
  try {
    infer(id);
  } catch (...) {
    // Leave the network as it was: the failed layer is not part of it.
    boost::clear_vertex(id, graph_);
    index_.erase(graph_[id].name);
    locations_.erase(id);
    boost::remove_vertex(id, graph_);
    throw;
  }
  return id;
}

Network::LayerId Network::id(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw InputError({}, "name", "no layer named '" + name + "'");
  return it->second;
}

SourceLocation Network::location(LayerId id) const {
  auto it = locations_.find(id);
  return it == locations_.end() ? SourceLocation{} : it->second;
}

void Network::infer_shapes() {
  for (auto id : topological_order()) infer(id);
}

std::vector<Network::LayerId> Network::layers() const {
  std::vector<LayerId> out(size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

std::vector<Network::LayerId> Network::topological_order() const {
  std::vector<LayerId> reversed;
  boost::topological_sort(graph_, std::back_inserter(reversed));
  return {reversed.rbegin(), reversed.rend()};
}

std::vector<Network::LayerId> Network::outputs() const {
  std::vector<LayerId> out;
  for (auto id : layers())
    if (boost::out_degree(id, graph_) == 0) out.push_back(id);
  return out;
}

Shape Network::input_shape() const {
  for (auto id : layers())
    if (graph_[id].op == Op::kInput) return graph_[id].out_shape;
  return {};
}

std::int64_t Network::params() const {
  std::int64_t total = 0;
  for (auto id : layers()) total += layer_params(graph_[id]);
  return total;
}

std::int64_t Network::macs() const {
  std::int64_t total = 0;
  for (auto id : layers()) total += layer_macs(graph_[id]);
  return total;
}

void Network::infer(LayerId id) {
  Layer& l = graph_[id];
  const SourceLocation where = location(id);
  auto fail = [&](const std::string& field, const std::string& msg) {
    throw ShapeError(where, field, describe(l) + ": " + msg);
  };
  auto positive = [&](const std::string& field, std::int64_t v) {
    if (v <= 0) fail(field, "must be positive, got " + std::to_string(v));
  };
  auto non_negative = [&](const std::string& field, std::int64_t v) {
    if (v < 0) fail(field, "must not be negative, got " + std::to_string(v));
  };

  l.in_shapes.clear();
  for (const auto& in : l.inputs) l.in_shapes.push_back(graph_[index_.at(in)].out_shape);
  const std::size_t n_in = l.in_shapes.size();
  auto arity = [&](std::size_t lo, std::size_t hi) {
    if (n_in < lo || n_in > hi) {
      fail("inputs",
           "takes " +
               (lo == hi ? std::to_string(lo)
                         : std::to_string(lo) + "-" +
                               (hi == SIZE_MAX ? std::string("many") : std::to_string(hi))) +
               " input(s), got " + std::to_string(n_in));
    }
  };
  const Shape in = n_in ? l.in_shapes[0] : Shape{};
  // Conv and pooling share the window checks and torch's output arithmetic.
  auto window = [&](int kh, int kw, int ph, int pw, int ph_end, int pw_end, bool ceil_mode,
                    const char* what) {
    positive("kernel", l.kernel_h);
    positive("kernel", l.kernel_w);
    positive("stride", l.stride_h);
    positive("stride", l.stride_w);
    positive("dilation", l.dilation_h);
    positive("dilation", l.dilation_w);
    non_negative("pad", l.pad_h);
    non_negative("pad", l.pad_w);
    if (!l.symmetric_pad()) {
      non_negative("pad", l.pad_h_end);
      non_negative("pad", l.pad_w_end);
    }
    const std::int64_t oh = window_out(in.h, kh, l.stride_h, ph, ph_end, l.dilation_h, ceil_mode);
    const std::int64_t ow = window_out(in.w, kw, l.stride_w, pw, pw_end, l.dilation_w, ceil_mode);
    if (oh <= 0 || ow <= 0) {
      fail("kernel", "a " + std::to_string(kh) + "x" + std::to_string(kw) + " " + what +
                         " does not fit input shape " + in.str());
    }
    return std::make_pair(oh, ow);
  };

  const Compression& cz = l.compression;
  non_negative("pattern_zeros", cz.pattern_zeros);
  non_negative("patterns", cz.patterns);
  non_negative("channel_cut", cz.channel_cut);
  non_negative("kernel_expand", cz.kernel_expand);
  if (cz.any() && l.op != Op::kConv2d) fail("compression", "compression applies to conv2d only");
  if (l.quant) {
    // Lu et al. eq. 1-2: B = 2^(w_int - 1) for weights (w_int counts the
    // sign; 0 is a range of +-0.5) and 2^a_int for activations; a value needs
    // at least one bit.
    non_negative("w_int", l.quant->w_int);
    non_negative("w_frac", l.quant->w_frac);
    non_negative("a_int", l.quant->a_int);
    non_negative("a_frac", l.quant->a_frac);
    if (l.quant->weight_bits() < 1) fail("w_frac", "w_int + w_frac must be at least 1 bit");
    if (l.quant->quantizes_activations() && l.quant->activation_bits() < 1)
      fail("a_frac", "a_int + a_frac must be at least 1 bit");
  }

  switch (l.op) {
    case Op::kInput:
      arity(0, 0);
      positive("channels", l.out_channels);
      positive("height", l.out_h);
      positive("width", l.out_w);
      l.out_shape = {l.out_channels, l.out_h, l.out_w};
      break;

    case Op::kConv2d: {
      arity(1, 1);
      positive("out_channels", l.out_channels);
      positive("groups", l.groups);
      const std::int64_t out_c = l.effective_out_channels();
      if (cz.channel_cut >= l.out_channels) {
        fail("channel_cut", "cut " + std::to_string(cz.channel_cut) +
                                " must be below out_channels " + std::to_string(l.out_channels));
      }
      const int area = l.kernel_h * l.kernel_w;
      if (cz.pattern_zeros > 0 && area == 1) fail("pattern_zeros", "a 1x1 kernel has no pattern");
      if (cz.pattern_zeros >= area) {
        fail("pattern_zeros", std::to_string(cz.pattern_zeros) + " zeros leave nothing of a " +
                                  std::to_string(l.kernel_h) + "x" + std::to_string(l.kernel_w) +
                                  " kernel (allowed 0-" + std::to_string(area - 1) + ")");
      }
      const std::int64_t g = l.effective_groups();
      if (in.c % g != 0 || out_c % g != 0) {
        fail("groups", "groups " + std::to_string(g) + " must divide input channels of shape " +
                           in.str() + " and output channels " + std::to_string(out_c));
      }
      const auto [oh, ow] = window(
          l.effective_kernel_h(), l.effective_kernel_w(), l.effective_pad_h(), l.effective_pad_w(),
          l.effective_pad_h_end(), l.effective_pad_w_end(), false, "kernel");
      l.out_shape = {out_c, oh, ow};
      break;
    }

    case Op::kLinear:
      arity(1, 1);
      positive("out_channels", l.out_channels);
      if (in.h != 1 || in.w != 1) {
        fail("inputs", "expects a flattened input [C,1,1], got shape " + in.str() +
                           " (add a flatten or global_avg_pool layer)");
      }
      l.out_shape = {l.out_channels, 1, 1};
      break;

    case Op::kMaxPool:
    case Op::kAvgPool: {
      arity(1, 1);
      if (2 * std::max(l.pad_h, l.effective_pad_h_end()) > l.kernel_h ||
          2 * std::max(l.pad_w, l.effective_pad_w_end()) > l.kernel_w) {
        fail("pad", "padding must be at most half the kernel");
      }
      const auto [oh, ow] =
          window(l.kernel_h, l.kernel_w, l.pad_h, l.pad_w, l.effective_pad_h_end(),
                 l.effective_pad_w_end(), l.ceil_mode, "window");
      l.out_shape = {in.c, oh, ow};
      break;
    }

    case Op::kAdaptiveAvgPool:
      arity(1, 1);
      positive("output_size", l.out_h);
      positive("output_size", l.out_w);
      l.out_shape = {in.c, l.out_h, l.out_w};
      break;

    case Op::kGlobalAvgPool:
      arity(1, 1);
      l.out_shape = {in.c, 1, 1};
      break;

    case Op::kAdd:
      arity(2, SIZE_MAX);
      for (std::size_t i = 1; i < n_in; ++i) {
        if (l.in_shapes[i] != in) {
          fail("inputs", "input '" + l.inputs[0] + "' has shape " + in.str() + " but input '" +
                             l.inputs[i] + "' has shape " + l.in_shapes[i].str());
        }
      }
      l.out_shape = in;
      break;

    case Op::kMul: {
      arity(2, 2);
      const Shape& s = l.in_shapes[1];
      const bool broadcast = s.c == in.c && s.h == 1 && s.w == 1;
      if (s != in && !broadcast) {
        fail("inputs", "input '" + l.inputs[0] + "' has shape " + in.str() + " but input '" +
                           l.inputs[1] + "' has shape " + s.str() + " (must match or be [" +
                           std::to_string(in.c) + ",1,1])");
      }
      l.out_shape = in;
      break;
    }

    case Op::kConcat: {
      arity(1, SIZE_MAX);
      std::int64_t c = 0;
      for (std::size_t i = 0; i < n_in; ++i) {
        const Shape& s = l.in_shapes[i];
        if (s.h != in.h || s.w != in.w) {
          fail("inputs", "input '" + l.inputs[0] + "' has shape " + in.str() + " but input '" +
                             l.inputs[i] + "' has shape " + s.str() + " (spatial sizes differ)");
        }
        c += s.c;
      }
      l.out_shape = {c, in.h, in.w};
      break;
    }

    case Op::kChannelShuffle:
      arity(1, 1);
      positive("groups", l.groups);
      if (in.c % l.groups != 0) {
        fail("groups",
             "groups " + std::to_string(l.groups) + " must divide the channels of " + in.str());
      }
      l.out_shape = in;
      break;

    case Op::kSlice:
      arity(1, 1);
      positive("out_channels", l.out_channels);
      non_negative("offset", l.offset);
      if (l.offset + l.out_channels > in.c) {
        fail("offset", "channels [" + std::to_string(l.offset) + ", " +
                           std::to_string(l.offset + l.out_channels) + ") do not fit input shape " +
                           in.str());
      }
      l.out_shape = {l.out_channels, in.h, in.w};
      break;

    case Op::kFlatten:
      arity(1, 1);
      l.out_shape = {in.elements(), 1, 1};
      break;

    case Op::kActivation:
      arity(1, 1);
      if (l.activation == Activation::kNone)
        fail("activation", "an activation layer needs a function");
      l.out_shape = in;
      break;
  }
  // Counts stay exact in 64 bits, and simulations stay finite: a feature map
  // of more than 2^40 values or a layer of more than 10^17 MACs is a typo,
  // not a network. Long double, so the check itself cannot overflow.
  const auto& o = l.out_shape;
  const long double values = static_cast<long double>(o.c) * o.h * o.w;
  if (values > 1099511627776.0L) {
    fail("shape", "its output " + o.str() + " holds more than 2^40 values");
  }
  long double macs = 0;
  if (l.op == Op::kConv2d) {
    macs = values * static_cast<long double>(in.c) /
           std::max<std::int64_t>(1, l.effective_groups()) * l.kernel_h * l.kernel_w;
  } else if (l.op == Op::kLinear) {
    macs = static_cast<long double>(o.c) * in.elements();
  }
  if (macs > 1e17L) fail("shape", "it needs more than 10^17 multiply-accumulates");
}

std::int64_t layer_weights(const Layer& l) {
  if (l.op == Op::kLinear) return l.in_shapes.at(0).c * l.out_channels;
  if (l.op != Op::kConv2d) return 0;
  const std::int64_t in_c = l.in_shapes.at(0).c;
  const std::int64_t taps =
      static_cast<std::int64_t>(l.effective_kernel_h()) * l.effective_kernel_w() -
      l.compression.pattern_zeros;
  return l.effective_out_channels() * (in_c / l.effective_groups()) * taps;
}

std::int64_t layer_params(const Layer& l) {
  std::int64_t p = layer_weights(l);
  const std::int64_t c = l.out_shape.c;
  if (l.bias && (l.op == Op::kConv2d || l.op == Op::kLinear)) p += c;
  if (l.batch_norm) p += 2 * c;
  return p;
}

std::int64_t layer_macs(const Layer& l) {
  if (l.op == Op::kLinear) return layer_weights(l);
  if (l.op == Op::kConv2d) return layer_weights(l) * l.out_shape.h * l.out_shape.w;
  return 0;
}

}  // namespace coda::network
