#include "models/pipelined/design.h"

#include <algorithm>
#include <limits>

#include "core/pareto.h"

namespace coda::pipelined {

std::vector<PipeLayer> pipe_layers(const network::Network& net, const PipelinedConfig& hw,
                                   std::string* why) {
  using network::Op;
  std::vector<PipeLayer> out;
  int prev_bits = hw.input_bits, prev_frac = hw.input_bits;
  for (auto id : net.topological_order()) {
    const network::Layer& l = net.layer(id);
    switch (l.op) {
      case Op::kInput:
      case Op::kMaxPool:  // pooling and ReLU fold into the engine's output stage
      case Op::kActivation:
      case Op::kFlatten:
      case Op::kLinear:  // the classifier is outside the hardware model (§4)
      case Op::kGlobalAvgPool:
      case Op::kAvgPool:
      case Op::kAdaptiveAvgPool:
        continue;
      case Op::kConv2d:
        break;
      default:
        if (why && why->empty()) {
          *why = "layer '" + l.name + "' (" + network::op_name(l.op) +
                 ") cannot run on the pipelined engines, which chain dense convolutions";
        }
        continue;
    }
    if (l.effective_groups() != 1 || l.dilation_h > 1 || l.dilation_w > 1) {
      if (why && why->empty()) {
        *why = "layer '" + l.name +
               "' is a grouped or dilated convolution; the pipelined "
               "engines run dense convolutions";
      }
      continue;
    }
    PipeLayer p;
    p.name = l.name;
    p.in_channels = l.in_shapes.at(0).c;
    p.out_channels = l.out_shape.c;
    p.rows = l.out_shape.h;
    p.cols = l.out_shape.w;
    p.fh = l.effective_kernel_h();
    p.fw = l.effective_kernel_w();
    const bool qa = l.quant && l.quant->quantizes_activations();
    const int a_int = qa ? l.quant->a_int : hw.act_int;
    const int a_frac = qa ? l.quant->a_frac : hw.act_frac;
    const int w_int = l.quant ? l.quant->w_int : hw.weight_int;
    const int w_frac = l.quant ? l.quant->w_frac : hw.weight_frac;
    p.bits = {prev_bits, a_int + a_frac, w_int + w_frac, prev_frac, a_frac, w_frac};
    p.weight_bits = network::layer_params(l) * (w_int + w_frac);
    p.macs = network::layer_macs(l);
    prev_bits = a_int + a_frac;
    prev_frac = a_frac;
    out.push_back(p);
  }
  return out;
}

long long layer_cycles(const PipeLayer& l, long long tm, long long tn) {
  const long long m_tiles = (l.in_channels + tm - 1) / tm;
  const long long n_tiles = (l.out_channels + tn - 1) / tn;
  return m_tiles * n_tiles * l.rows * l.cols * l.fh * l.fw;  // eq. 7
}

long long layer_luts(const PipeLayer& l, long long tm, long long tn) {
  return qce_luts(tm, tn, l.bits, l.in_channels * l.fh * l.fw);  // eq. 6
}

void evaluate_design(Design& d) {
  d.partition_luts.clear();
  d.partition_cycles.clear();
  for (std::size_t g = 0; g < d.partition_starts.size(); ++g) {
    const std::size_t end =
        g + 1 < d.partition_starts.size() ? d.partition_starts[g + 1] : d.tiles.size();
    long long luts = 0, cycles = 0;
    for (std::size_t i = d.partition_starts[g]; i < end; ++i) {
      luts += d.tiles[i].luts;  // eq. 8
      cycles = std::max(cycles, d.tiles[i].cycles);
    }
    d.partition_luts.push_back(luts);
    d.partition_cycles.push_back(cycles);
  }
  d.luts = d.partition_luts.empty()
               ? 0
               : *std::max_element(d.partition_luts.begin(), d.partition_luts.end());  // eq. 9
  d.cycles = 0;
  for (long long c : d.partition_cycles) d.cycles += c;
}

namespace {

// A partial solution over the first layers.
struct State {
  long long f1 = 0, f2 = 0, f3 = 0;  // last partition's LUTs, latency, latency before it
  Design design;
};

// The single-layer frontier on (LUTs, cycles) over every Tm in [1, M] and
// Tn in [1, N]; the constrained problem p_l^<rl, rt> keeps its points under
// both bounds (the bounds are on the same two quantities).
std::vector<Tile> layer_frontier(const PipeLayer& l) {
  std::vector<Tile> all;
  for (long long tm = 1; tm <= l.in_channels; ++tm) {
    for (long long tn = 1; tn <= l.out_channels; ++tn) {
      all.push_back({tm, tn, layer_luts(l, tm, tn), layer_cycles(l, tm, tn)});
    }
  }
  // Sort by LUTs then cycles; keep each point faster than every smaller one.
  std::sort(all.begin(), all.end(), [](const Tile& a, const Tile& b) {
    if (a.luts != b.luts) return a.luts < b.luts;
    if (a.cycles != b.cycles) return a.cycles < b.cycles;
    return a.tm * a.tn < b.tm * b.tn;
  });
  std::vector<Tile> front;
  long long best = std::numeric_limits<long long>::max();
  for (const Tile& t : all) {
    if (t.cycles < best) {
      front.push_back(t);
      best = t.cycles;
    }
  }
  return front;
}

}  // namespace

SearchResult search_hardware(const std::vector<PipeLayer>& layers, long long rl, double rt_fps,
                             double clock_hz) {
  SearchResult result;
  // The whole frame's latency budget in cycles: 1/rT seconds.
  const double budget = clock_hz / rt_fps;
  std::vector<State> states = {State{}};
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::vector<Tile> front = layer_frontier(layers[l]);
    std::vector<State> next;
    for (const State& s : states) {
      // Eq. 10: the layer joins the last partition.
      if (l > 0) {
        const long long rl1 = rl - s.f1;
        const double cycles1 = budget - static_cast<double>(s.f3);
        for (const Tile& t : front) {
          if (t.luts > rl1 || static_cast<double>(t.cycles) > cycles1) continue;
          State n = s;
          n.f1 = s.f1 + t.luts;
          n.f2 = s.f3 + std::max(s.f2 - s.f3, t.cycles);
          n.design.tiles.push_back(t);
          next.push_back(std::move(n));
        }
      }
      // Eq. 11: the layer starts a new partition.
      const double cycles2 = budget - static_cast<double>(s.f2);
      for (const Tile& t : front) {
        if (t.luts > rl || static_cast<double>(t.cycles) > cycles2) continue;
        State n = s;
        n.f1 = t.luts;
        n.f3 = s.f2;
        n.f2 = s.f2 + t.cycles;
        n.design.tiles.push_back(t);
        n.design.partition_starts.push_back(l);
        next.push_back(std::move(n));
      }
    }
    // Fr: keep the frontier on (f1, f2, f3).
    ParetoArchive archive({{"f1", false}, {"f2", false}, {"f3", false}});
    for (std::size_t i = 0; i < next.size(); ++i) {
      archive.insert(i, {static_cast<double>(next[i].f1), static_cast<double>(next[i].f2),
                         static_cast<double>(next[i].f3)});
    }
    std::vector<State> kept;
    for (std::size_t i : archive.front()) kept.push_back(std::move(next[i]));
    states = std::move(kept);
    result.states += static_cast<long long>(states.size());
    if (states.empty()) {
      result.failed_layer = static_cast<long long>(l);
      return result;
    }
  }
  result.exists = !layers.empty();
  for (State& s : states) {
    evaluate_design(s.design);
    result.frontier.push_back(s.design);
  }
  result.best = *std::min_element(result.frontier.begin(), result.frontier.end(),
                                  [](const Design& a, const Design& b) {
                                    if (a.cycles != b.cycles) return a.cycles < b.cycles;
                                    return a.luts < b.luts;
                                  });
  return result;
}

}  // namespace coda::pipelined
