#include "models/fpga/idesign.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace coda::fpga {

using network::Layer;
using network::Op;

Scope parse_scope(const std::string& s) {
  if (s == "network") return Scope::kNetwork;
  if (s == "conv_only") return Scope::kConvOnly;
  throw InputError({}, "--scope", "unknown scope '" + s + "'; allowed: network, conv_only");
}

const char* scope_name(Scope s) {
  return s == Scope::kNetwork ? "network" : "conv_only";
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kConv:
      return "conv";
    case Kind::kDepthwise:
      return "depthwise";
    case Kind::kPool:
      return "pool";
    case Kind::kEltwise:
      return "eltwise";
  }
  return "?";
}

namespace {

long long cdiv(long long a, long long b) {
  return (a + b - 1) / b;
}

FpgaLayer conv_layer(const Layer& l, int data_bits) {
  FpgaLayer f;
  f.name = l.name;
  f.op = network::op_name(l.op);
  const network::Shape& in = l.in_shapes.at(0);
  f.h = in.h;
  f.w = in.w;
  f.r = l.out_shape.h;
  f.c = l.out_shape.w;
  f.kh = l.effective_kernel_h();
  f.kw = l.effective_kernel_w();
  f.sh = l.stride_h;
  f.sw = l.stride_w;
  f.ph = l.effective_pad_h();
  f.pw = l.effective_pad_w();
  f.kernel_ones = f.kh * f.kw - l.compression.pattern_zeros;
  f.weight_bits = l.quant ? l.quant->weight_bits() : data_bits;
  f.macs = network::layer_macs(l);
  const long long groups = l.effective_groups();
  if (l.is_depthwise()) {
    f.kind = Kind::kDepthwise;
    f.m = f.n = l.out_shape.c;
  } else {
    f.kind = Kind::kConv;
    f.groups = groups;
    f.m = l.out_shape.c / groups;
    f.n = in.c / groups;
  }
  return f;
}

}  // namespace

std::vector<FpgaLayer> engine_layers(const network::Network& net, Scope scope, int data_bits) {
  std::vector<FpgaLayer> out;
  for (const auto id : net.layers()) {
    const Layer& l = net.layer(id);
    if (l.op == Op::kConv2d) {
      if (l.dilation_h != 1 || l.dilation_w != 1) {
        throw InputError(net.location(id), "dilation",
                         fmt::format("layer '{}': the tiled FPGA engine runs dilation 1 only "
                                     "(got {}x{})",
                                     l.name, l.dilation_h, l.dilation_w));
      }
      out.push_back(conv_layer(l, data_bits));
      continue;
    }
    if (scope == Scope::kConvOnly) continue;
    FpgaLayer f;
    f.name = l.name;
    f.op = network::op_name(l.op);
    switch (l.op) {
      case Op::kInput:
      case Op::kConcat:
      case Op::kFlatten:
      case Op::kChannelShuffle:
      case Op::kSlice:
        continue;  // address remaps: producers write where consumers read
      case Op::kLinear: {
        // An FC layer is a 1x1 convolution over a 1x1 map.
        f.kind = Kind::kConv;
        f.n = l.in_shapes.at(0).elements();
        f.m = l.out_shape.c;
        f.h = f.w = f.r = f.c = 1;
        f.weight_bits = l.quant ? l.quant->weight_bits() : data_bits;
        f.macs = network::layer_macs(l);
        break;
      }
      case Op::kMaxPool:
      case Op::kAvgPool:
      case Op::kAdaptiveAvgPool:
      case Op::kGlobalAvgPool: {
        const network::Shape& in = l.in_shapes.at(0);
        f.kind = Kind::kPool;
        f.m = f.n = in.c;
        f.h = in.h;
        f.w = in.w;
        f.r = l.out_shape.h;
        f.c = l.out_shape.w;
        if (l.op == Op::kMaxPool || l.op == Op::kAvgPool) {
          f.kh = l.kernel_h;
          f.kw = l.kernel_w;
          f.sh = l.stride_h;
          f.sw = l.stride_w;
          f.ph = l.pad_h;
          f.pw = l.pad_w;
        } else {
          // Adaptive pooling: torch's window ceil(H / out), stride floor(H / out).
          f.kh = static_cast<int>(cdiv(in.h, f.r));
          f.kw = static_cast<int>(cdiv(in.w, f.c));
          f.sh = static_cast<int>(std::max<long long>(1, in.h / f.r));
          f.sw = static_cast<int>(std::max<long long>(1, in.w / f.c));
        }
        f.kernel_ones = f.kh * f.kw;
        break;
      }
      case Op::kAdd:
      case Op::kMul:
      case Op::kActivation: {
        f.kind = Kind::kEltwise;
        f.m = f.n = l.out_shape.c;
        f.h = f.r = l.out_shape.h;
        f.w = f.c = l.out_shape.w;
        f.operands = static_cast<int>(l.in_shapes.size());
        if (l.in_shapes.size() > 1) {
          const network::Shape& b = l.in_shapes[1];
          f.operand2_hw = b.h * b.w;
        }
        break;
      }
      default:
        throw InputError(net.location(id), "op",
                         fmt::format("layer '{}': op {} is not supported by the tiled FPGA engine",
                                     l.name, f.op));
    }
    out.push_back(std::move(f));
  }
  return out;
}

int max_kernel(const std::vector<FpgaLayer>& layers) {
  int k = 1;
  for (const auto& l : layers)
    if (l.kind == Kind::kConv || l.kind == Kind::kDepthwise) k = std::max({k, l.kh, l.kw});
  return k;
}

std::string check_layers(const std::vector<FpgaLayer>& layers, const FpgaConfig& hw) {
  for (const auto& l : layers) {
    if (l.kind == Kind::kDepthwise && hw.tm_dw == 0) {
      return fmt::format(
          "layer '{}' is a depthwise convolution but the design has no depthwise engine (tm_dw = "
          "0)",
          l.name);
    }
    if (l.weight_bits > hw.data_bits) {
      return fmt::format("layer '{}' has {}-bit weights, wider than the {}-bit datapath", l.name,
                         l.weight_bits, hw.data_bits);
    }
    if (l.kind != Kind::kEltwise && (hw.tr < l.kh || hw.tc < l.kw)) {
      return fmt::format("layer '{}': a {}x{} window does not fit the {}x{} IFM tile (Tr x Tc)",
                         l.name, l.kh, l.kw, hw.tr, hw.tc);
    }
  }
  return "";
}

double weights_per_beat(const FpgaConfig& hw, int bits) {
  return std::floor(static_cast<double>(hw.wb) * hw.data_bits / bits);
}

char classify(double t_comp, double t_i, double t_w, double n_lat1, double t_o) {
  if (t_o >= n_lat1 && t_o > 0) return 'O';
  const double lat1 = std::max({t_comp, t_i, t_w});
  if (t_i == lat1) return 'I';
  if (t_w == lat1) return 'W';
  return 'C';
}

namespace {

// Exact geometry: output rows a Tr-row IFM tile yields, at most the layer's.
long long out_per_tile(long long t, long long padded, int k, int s, long long out) {
  const long long tin = std::min(t, padded);
  const long long o = tin >= k ? (tin - k) / s + 1 : 1;
  return std::clamp<long long>(o, 1, out);
}

struct Geometry {
  long long lanes_m, lanes_n;  // channels per tile / per step
  long long or_, oc;           // output rows, columns per tile
};

Geometry exact_geometry(const FpgaLayer& l, const FpgaConfig& hw) {
  Geometry g{};
  if (l.kind == Kind::kEltwise) {
    g.or_ = std::min<long long>(hw.tr, l.r);
    g.oc = std::min<long long>(hw.tc, l.c);
  } else {
    g.or_ = out_per_tile(hw.tr, l.h + 2LL * l.ph, l.kh, l.sh, l.r);
    g.oc = out_per_tile(hw.tc, l.w + 2LL * l.pw, l.kw, l.sw, l.c);
  }
  switch (l.kind) {
    case Kind::kConv:
      g.lanes_m = hw.tm;
      g.lanes_n = hw.tn;
      break;
    case Kind::kDepthwise:
      g.lanes_m = hw.tm_dw;
      g.lanes_n = 1;
      break;
    case Kind::kPool:
    case Kind::kEltwise:
      g.lanes_m = hw.tm;
      g.lanes_n = 1;
      break;
  }
  return g;
}

// Words, weight beats and compute cycles of one step of `mt` x `nt` channels
// over a `rows` x `cols` output tile (exact geometry).
struct StepCost {
  double i_words, w_beats, comp, o_words;
};

StepCost step_cost(const FpgaLayer& l, const FpgaConfig& hw, long long mt, long long nt,
                   long long rows, long long cols) {
  const long long in_r = l.kind == Kind::kEltwise ? rows : (rows - 1) * l.sh + l.kh;
  const long long in_c = l.kind == Kind::kEltwise ? cols : (cols - 1) * l.sw + l.kw;
  StepCost s{};
  s.o_words = static_cast<double>(mt * rows * cols);
  const double wpb = weights_per_beat(hw, l.weight_bits);
  switch (l.kind) {
    case Kind::kConv:
      s.i_words = static_cast<double>(nt * in_r * in_c);
      s.w_beats = std::ceil(static_cast<double>(mt * nt * l.kh * l.kw) / wpb);
      s.comp = static_cast<double>(l.kernel_ones) * rows * cols;
      break;
    case Kind::kDepthwise:
      s.i_words = static_cast<double>(mt * in_r * in_c);
      s.w_beats = std::ceil(static_cast<double>(mt * l.kh * l.kw) / wpb);
      s.comp = static_cast<double>(l.kernel_ones) * rows * cols;
      break;
    case Kind::kPool:
      s.i_words = static_cast<double>(mt * in_r * in_c);
      s.comp = static_cast<double>(l.kh) * l.kw * rows * cols;
      break;
    case Kind::kEltwise: {
      const long long second = l.operand2_hw == l.h * l.w ? rows * cols : l.operand2_hw;
      s.i_words = static_cast<double>(mt * (rows * cols + (l.operands - 1) * second));
      s.comp = static_cast<double>(rows * cols);
      break;
    }
  }
  return s;
}

// Eq. 11-13 (17 with a cut) from one step's times, and Property 2.
void finish(LayerEstimate& e, bool fill) {
  e.lat1 = std::max({e.t_comp, e.t_i, e.t_w});                        // eq. 11
  e.lat2 = std::max(static_cast<double>(e.steps_n) * e.lat1, e.t_o);  // eq. 12
  e.cycles = static_cast<double>(e.tiles()) * e.lat2 +                // eq. 13
             (fill ? e.t_o + e.lat1 : 0);
  e.bottleneck = classify(e.t_comp, e.t_i, e.t_w, e.steps_n * e.lat1, e.t_o);
}

}  // namespace

LayerEstimate estimate(const FpgaLayer& l, const FpgaConfig& hw, Scope scope) {
  LayerEstimate e;
  e.groups = l.groups;
  const bool conv = l.kind == Kind::kConv || l.kind == Kind::kDepthwise;
  if (scope == Scope::kConvOnly && conv) {
    // The paper's convention (see the header).
    const long long lm = l.kind == Kind::kDepthwise ? hw.tm_dw : hw.tm;
    const long long ln = l.kind == Kind::kDepthwise ? hw.tm_dw : hw.tn;
    const double rows =
        std::ceil(static_cast<double>(std::min<long long>(hw.tr, l.r + 2LL * l.ph)) / l.sh);
    const double cols =
        std::ceil(static_cast<double>(std::min<long long>(hw.tc, l.c + 2LL * l.pw)) / l.sw);
    const double orow = std::ceil(static_cast<double>(std::min<long long>(hw.tr, l.r)) / l.sh);
    const double ocol = std::ceil(static_cast<double>(std::min<long long>(hw.tc, l.c)) / l.sw);
    e.t_comp = l.kernel_ones * rows * cols;  // eq. 2, 15
    e.t_i = static_cast<double>(std::min<long long>(ln, l.n)) * std::min<long long>(hw.tr, l.r) *
            std::min<long long>(hw.tc, l.c) / hw.ib;  // eq. 7
    const double weights =
        static_cast<double>(lm) * (l.kind == Kind::kDepthwise ? 1 : ln) * l.kh * l.kw;
    e.t_w = weights / weights_per_beat(hw, l.weight_bits);       // eq. 8
    e.t_o = std::min<long long>(lm, l.m) * orow * ocol / hw.ob;  // eq. 9
    e.tiles_r = cdiv(l.r, hw.tr);
    e.tiles_c = cdiv(l.c, hw.tc);
    e.tiles_m = cdiv(l.m, lm);
    e.steps_n = l.kind == Kind::kDepthwise ? 1 : cdiv(l.n, hw.tn);  // eq. 16
    finish(e, false);  // the authors' model has no fill term
    return e;
  }
  const Geometry g = exact_geometry(l, hw);
  const long long mt = std::min(g.lanes_m, l.m);
  const long long nt = l.kind == Kind::kConv ? std::min(g.lanes_n, l.n) : 1;
  const StepCost s = step_cost(l, hw, mt, nt, g.or_, g.oc);
  e.t_comp = s.comp;
  e.t_i = s.i_words / hw.ib;
  e.t_w = s.w_beats;
  e.t_o = s.o_words / hw.ob;
  e.tiles_r = cdiv(l.r, g.or_);
  e.tiles_c = cdiv(l.c, g.oc);
  e.tiles_m = cdiv(l.m, g.lanes_m);
  e.steps_n = l.kind == Kind::kConv ? cdiv(l.n, g.lanes_n) : 1;
  finish(e, true);
  return e;
}

void for_each_step(const FpgaLayer& l, const FpgaConfig& hw, const StepVisitor& v) {
  const Geometry g = exact_geometry(l, hw);
  const long long steps_n = l.kind == Kind::kConv ? cdiv(l.n, g.lanes_n) : 1;
  for (long long grp = 0; grp < l.groups; ++grp) {
    for (long long r0 = 0; r0 < l.r; r0 += g.or_) {
      const long long rows = std::min(g.or_, l.r - r0);
      for (long long c0 = 0; c0 < l.c; c0 += g.oc) {
        const long long cols = std::min(g.oc, l.c - c0);
        for (long long m0 = 0; m0 < l.m; m0 += g.lanes_m) {
          const long long mt = std::min(g.lanes_m, l.m - m0);
          double o_words = 0;
          for (long long sn = 0; sn < steps_n; ++sn) {
            const long long nt =
                l.kind == Kind::kConv ? std::min(g.lanes_n, l.n - sn * g.lanes_n) : 1;
            const StepCost s = step_cost(l, hw, mt, nt, rows, cols);
            v.step(s.i_words, s.w_beats, s.comp);
            o_words = s.o_words;
          }
          v.tile_done(o_words);
        }
      }
    }
  }
}

}  // namespace coda::fpga
