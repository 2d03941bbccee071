#include "models/edge/mapper.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "models/edge/coefficients.h"

namespace coda::edge {
namespace {

using network::Activation;
using network::Layer;
using network::Op;

double ceil_div(double a, double b) {
  return std::ceil(a / b);
}

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

double act_bytes_per_element(const Layer& l, const EdgeConfig& hw) {
  return l.quant && l.quant->quantizes_activations() ? l.quant->activation_bits() / 8.0
                                                     : hw.bytes_per_element();
}

double weight_bytes(const Layer& l, const EdgeConfig& hw) {
  const double bytes = l.quant ? l.quant->weight_bits() / 8.0 : hw.bytes_per_element();
  return static_cast<double>(network::layer_params(l)) * bytes;
}

bool needs_nlu(Activation a) {
  return a == Activation::kSigmoid || a == Activation::kSwish || a == Activation::kHardswish ||
         a == Activation::kHardsigmoid;
}

double nlu_rate(Activation a) {
  return (a == Activation::kHardswish || a == Activation::kHardsigmoid)
             ? coef::kNluPiecewisePerCyclePerPe
             : coef::kNluTranscendentalPerCyclePerPe;
}

bool is_free(const Layer& l) {
  // A slice reads a channel range of its producer's buffer: an address offset.
  return l.op == Op::kInput || l.op == Op::kFlatten || l.op == Op::kChannelShuffle ||
         l.op == Op::kSlice ||
         (l.op == Op::kConcat && !l.batch_norm && l.activation == Activation::kNone);
}

// Conv/linear on the PE array. Each of the four parallel levels (pes_x,
// pes_y, lanes, SIMD units) is bound to output channels (O) or output pixels
// (P); the reduction over input channels runs `ways` wide inside a SIMD unit
// and over the kernel taps in time. The mapper keeps the binding with the
// least time, as the compiler would.
void map_matrix(const Layer& l, const EdgeConfig& hw, LayerPlan& p, std::string* infeasible) {
  const auto& in = l.in_shapes.at(0);
  const double co = static_cast<double>(l.out_shape.c);
  const double pixels = static_cast<double>(l.out_shape.h * l.out_shape.w);
  const double kh = l.op == Op::kConv2d ? l.effective_kernel_h() : 1;
  const double kw = l.op == Op::kConv2d ? l.effective_kernel_w() : 1;
  const double cin_g = l.op == Op::kConv2d ? static_cast<double>(in.c / l.effective_groups())
                                           : static_cast<double>(in.c);
  const double ways = hw.ways();
  const double bpe = hw.bytes_per_element();

  // Register file: each lane double-buffers one reduction step, the kernel
  // window of `ways` channels for each SIMD unit plus the shared operand.
  const double window = kh * kw * ways * bpe;
  const double max_simd = std::floor(hw.register_file_bytes() / (2 * window)) - 1;
  if (max_simd < 1) {
    *infeasible = "layer '" + l.name + "': a " + std::to_string(static_cast<int>(kh)) + "x" +
                  std::to_string(static_cast<int>(kw)) + " kernel tile needs " +
                  std::to_string(static_cast<long long>(4 * window)) +
                  " bytes of register file, the design has " +
                  std::to_string(static_cast<long long>(hw.register_file_bytes()));
    return;
  }
  const double simd = std::min<double>(hw.simd_units, max_simd);
  const double levels[4] = {static_cast<double>(hw.pes_x), static_cast<double>(hw.pes_y),
                            static_cast<double>(hw.compute_lanes), simd};
  const char* names[4] = {"pes_x", "pes_y", "lanes", "simd"};
  const double in_bytes = static_cast<double>(in.elements()) * act_bytes_per_element(l, hw);
  const double out_bytes =
      static_cast<double>(l.out_shape.elements()) * act_bytes_per_element(l, hw);
  const double groups = l.op == Op::kConv2d ? static_cast<double>(l.effective_groups()) : 1;
  const double lm_rate = coef::kLocalMemBytesPerCyclePerPe * hw.pes();
  double best = -1;
  int best_mask = 0;
  for (int mask = 0; mask < 16; ++mask) {
    double o_par = 1, p_par = 1;
    for (int i = 0; i < 4; ++i) (mask & (1 << i) ? o_par : p_par) *= levels[i];
    const double cycles =
        ceil_div(co, o_par) * ceil_div(pixels, p_par) * ceil_div(cin_g, ways) * kh * kw;
    // Inputs are re-read for every pass over output channels (a grouped conv
    // only reads its own groups' inputs), weights for every pass over pixels.
    const double lm_bytes = in_bytes * std::max(1.0, ceil_div(co, o_par) / groups) +
                            p.weight_bytes * ceil_div(pixels, p_par) + out_bytes;
    const double cost = std::max(cycles, lm_bytes / lm_rate);
    if (best < 0 || cost < best) {
      best = cost;
      best_mask = mask;
      p.compute_cycles = cycles;
      p.lm_bytes = lm_bytes;
    }
  }
  std::string o, pp;
  for (int i = 0; i < 4; ++i) {
    std::string& s = (best_mask & (1 << i)) ? o : pp;
    s += (s.empty() ? "" : ",") + std::string(names[i]);
  }
  p.mapping = "O[" + o + "] P[" + pp + "]";
  p.rf_bytes = 2.0 * static_cast<double>(p.macs) * bpe + p.lm_bytes;
}

}  // namespace

LayerPlan map_layer(const Layer& l, const EdgeConfig& hw, std::string* infeasible) {
  LayerPlan p;
  p.name = l.name;
  p.op = network::op_name(l.op);
  p.macs = network::layer_macs(l);
  p.weight_bytes = weight_bytes(l, hw);
  const double lm_rate = coef::kLocalMemBytesPerCyclePerPe * hw.pes();
  const double vector_rate = static_cast<double>(hw.lanes()) * hw.simd_units * hw.ways();
  const double out_elems = static_cast<double>(l.out_shape.elements());
  const double abpe = act_bytes_per_element(l, hw);
  if (is_free(l)) {
    p.unit = Unit::kFree;
    return p;
  }
  if (l.op == Op::kConv2d || l.op == Op::kLinear) {
    p.unit = Unit::kArray;
    map_matrix(l, hw, p, infeasible);
    if (!infeasible->empty()) return p;
  } else {
    // Element-wise, pooling and standalone activations run on the SIMD lanes
    // as vector operations, `ways` elements per unit per cycle.
    p.unit = Unit::kVector;
    double in_elems = 0;
    for (const auto& s : l.in_shapes) in_elems += static_cast<double>(s.elements());
    double ops = out_elems;
    if (l.op == Op::kMaxPool || l.op == Op::kAvgPool) ops = out_elems * l.kernel_h * l.kernel_w;
    if (l.op == Op::kGlobalAvgPool || l.op == Op::kAdaptiveAvgPool) ops = in_elems;
    if (l.op == Op::kAdd) ops = out_elems * static_cast<double>(l.inputs.size() - 1);
    p.compute_cycles = std::ceil(ops / vector_rate);
    p.lm_bytes = (in_elems + out_elems) * abpe;
    p.rf_bytes = p.lm_bytes;
    p.mapping = "vector";
  }
  p.lm_cycles = p.lm_bytes / lm_rate;
  if (needs_nlu(l.activation)) {
    p.nlu_elements = out_elems;
    p.nlu_cycles = std::ceil(out_elems / (hw.pes() * nlu_rate(l.activation)));
  }
  p.setup_cycles = coef::kLayerSetupCycles;
  const double peak = static_cast<double>(hw.macs_per_cycle());
  if (p.unit == Unit::kArray && p.compute_cycles > 0) {
    p.array_utilization = static_cast<double>(p.macs) / (p.compute_cycles * peak);
  }
  return p;
}

NetworkPlan plan_network(const network::Network& net, const EdgeConfig& hw) {
  NetworkPlan plan;
  const auto order = net.topological_order();
  std::map<network::Network::LayerId, std::size_t> pos;
  for (std::size_t i = 0; i < order.size(); ++i) pos[order[i]] = i;

  // Activation liveness. Free layers (concat, flatten, shuffle) alias their
  // inputs, so a read of an alias keeps the aliased tensors alive.
  std::vector<std::size_t> last_use(order.size(), 0);
  const auto& g = net.graph();
  for (std::size_t i = order.size(); i-- > 0;) {
    last_use[i] = i;
    for (auto e : boost::make_iterator_range(boost::out_edges(order[i], g))) {
      const std::size_t c = pos[boost::target(e, g)];
      last_use[i] = std::max(last_use[i], is_free(net.layer(order[c])) ? last_use[c] : c);
    }
  }
  // Storage sizes are final once aliases have extended every lifetime.
  std::vector<double> size(order.size(), 0);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Layer& l = net.layer(order[i]);
    if (!is_free(l) || l.op == Op::kInput) {
      size[i] = static_cast<double>(l.out_shape.elements()) * act_bytes_per_element(l, hw);
    }
  }
  double max_live = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    double live = 0;
    for (std::size_t j = 0; j <= i; ++j)
      if (last_use[j] >= i) live += size[j];
    if (live > max_live) {
      max_live = live;
      plan.max_live_layer = net.layer(order[i]).name;
    }
  }
  plan.max_live_bytes_per_pe = max_live / hw.pes();

  double max_layer_weights = 0;
  for (auto id : order) {
    const Layer& l = net.layer(id);
    if (l.op == Op::kInput) continue;
    std::string infeasible;
    LayerPlan p = map_layer(l, hw, &infeasible);
    if (!infeasible.empty()) {
      plan.feasible = false;
      plan.reason = infeasible;
      return plan;
    }
    plan.total_weight_bytes += p.weight_bytes;
    max_layer_weights = std::max(max_layer_weights, p.weight_bytes);
    plan.layers.push_back(std::move(p));
  }

  const double lm = hw.local_memory_bytes();
  if (plan.max_live_bytes_per_pe > lm) {
    plan.feasible = false;
    plan.reason = "activations live at layer '" + plan.max_live_layer + "' need " +
                  mib(plan.max_live_bytes_per_pe) + " per PE; local memory is " + mib(lm) +
                  " per PE";
    return plan;
  }
  plan.weights_resident = plan.total_weight_bytes + plan.max_live_bytes_per_pe <= lm;
  if (!plan.weights_resident) {
    // Double-buffered weight tiles take what the activations leave, at most
    // a quarter of local memory each.
    // A tile needs 4 KiB (one DMA burst's worth, so streaming is not all
    // overhead), or the largest layer's weights when those are smaller.
    const double room = (lm - plan.max_live_bytes_per_pe) / 2;
    const double needed = std::min(4096.0, max_layer_weights);
    plan.weight_tile_bytes = std::min({max_layer_weights, lm / 4, room});
    if (plan.weight_tile_bytes < needed) {
      plan.feasible = false;
      plan.reason = "weights must stream, but activations at layer '" + plan.max_live_layer +
                    "' leave " + mib(2 * room) + " per PE for weight buffers (need at least " +
                    mib(2 * needed) + ")";
      return plan;
    }
  }
  for (auto& p : plan.layers) {
    if (!plan.weights_resident && p.weight_bytes > 0) {
      p.dram_read_bytes += p.weight_bytes;
      p.tiles = static_cast<int>(std::ceil(p.weight_bytes / plan.weight_tile_bytes));
    }
  }
  // The image comes in from off-chip before the first layer, the result goes
  // out after the last.
  if (!plan.layers.empty()) {
    plan.layers.front().dram_read_bytes +=
        static_cast<double>(net.input_shape().elements()) * hw.bytes_per_element();
    const Layer& last = net.layer(order.back());
    plan.layers.back().dram_write_bytes +=
        static_cast<double>(last.out_shape.elements()) * act_bytes_per_element(last, hw);
  }
  return plan;
}

}  // namespace coda::edge
