#include "models/dpu/compiler.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "models/dpu/coefficients.h"

namespace coda::dpu {
namespace {

using network::Activation;
using network::Layer;
using network::Op;

const char* kOpNames[kOpcodes] = {"LOAD",   "SAVE",    "CONVINIT", "CONV", "POOLINIT", "POOL",
                                  "DWINIT", "DPTWISE", "ELEWINIT", "ELEW", "HOST",     "END"};

long long ceil_div(long long a, long long b) {
  return (a + b - 1) / b;
}

bool dpu_activation(Activation a) {
  return a == Activation::kNone || a == Activation::kRelu || a == Activation::kRelu6;
}

class Compiler {
 public:
  Compiler(const network::Network& net, const DpuConfig& hw) : net_(net), hw_(hw), t_(hw.target) {}

  Program run() {
    for (auto id : net_.topological_order()) {
      if (!p_.feasible) break;
      const Layer& l = net_.layer(id);
      if (absorbed_.count(l.name)) continue;
      emit_layer(id);
    }
    Instruction end{Opcode::kEnd, static_cast<int>(p_.groups.size()) - 1};
    end.dpdon = all_saves_;
    if (!p_.insts.empty()) add(end);
    return std::move(p_);
  }

 private:
  // ---- helpers ------------------------------------------------------------
  int add(Instruction inst) {
    if (inst.group >= 0 && inst.group < static_cast<int>(p_.groups.size())) {
      p_.groups[static_cast<std::size_t>(inst.group)].counts[static_cast<int>(inst.op)]++;
    }
    p_.insts.push_back(std::move(inst));
    return static_cast<int>(p_.insts.size()) - 1;
  }
  int new_group(const std::string& name, const std::string& kind) {
    Group g;
    g.name = name;
    g.layers = {name};
    g.kind = kind;
    p_.groups.push_back(g);
    return static_cast<int>(p_.groups.size()) - 1;
  }
  std::vector<int> deps_of(const std::vector<std::string>& inputs) {
    std::set<int> d;
    for (const auto& in : inputs)
      for (int i : ready_[in]) d.insert(i);
    return {d.begin(), d.end()};
  }
  void fail(const std::string& why) {
    p_.feasible = false;
    p_.reason = why;
  }
  const Layer* single_consumer(network::Network::LayerId id) const {
    const auto& g = net_.graph();
    if (boost::out_degree(id, g) != 1) return nullptr;
    return &g[boost::target(*boost::out_edges(id, g).first, g)];
  }

  // A host (CPU) step: waits for its inputs in DDR, writes its output back.
  void emit_host(const Layer& l, const std::vector<std::string>& inputs, double seconds,
                 const std::string& reason, const std::string& out_name) {
    const int g = new_group(l.name, "host");
    p_.groups[static_cast<std::size_t>(g)].host_reason = reason;
    p_.host_layers.push_back(l.name + " (" + reason + ")");
    Instruction h{Opcode::kHost, g};
    h.host_s = seconds;
    h.dpdon = deps_of(inputs);
    h.note = reason;
    const int id = add(h);
    ready_[out_name] = {id};
    all_saves_.push_back(id);
  }

  double host_elementwise_s(const Layer& l, double ns_per_element) const {
    return static_cast<double>(l.out_shape.elements()) * ns_per_element * 1e-9;
  }

  // ---- layers ---------------------------------------------------------------
  void emit_layer(network::Network::LayerId id) {
    const Layer& l = net_.layer(id);
    switch (l.op) {
      case Op::kInput:
        ready_[l.name] = {};
        return;
      case Op::kFlatten:
      case Op::kSlice:  // a channel range of the producer's feature map: an address offset
        ready_[l.name] = deps_of(l.inputs);
        return;
      case Op::kConcat:
        if (!l.batch_norm && l.activation == Activation::kNone) {
          ready_[l.name] = deps_of(l.inputs);  // concat is a layout: no data moves
        } else {
          emit_compute(id, Kind::kScale);
        }
        return;
      case Op::kConv2d:
      case Op::kLinear:
        emit_compute(
            id, l.op == Op::kConv2d && l.is_depthwise() && l.groups > 1 ? Kind::kDw : Kind::kConv);
        return;
      case Op::kAdaptiveAvgPool:
        if (l.out_shape == l.in_shapes[0]) {  // AlexNet/VGG at 224: the identity
          ready_[l.name] = deps_of(l.inputs);
          return;
        }
        emit_compute(id, Kind::kPool);
        return;
      case Op::kMaxPool:
      case Op::kAvgPool:
      case Op::kGlobalAvgPool:
        emit_compute(id, Kind::kPool);
        return;
      case Op::kAdd:
        emit_compute(id, Kind::kElew);
        return;
      case Op::kMul:
        if (l.in_shapes[1] != l.in_shapes[0]) {
          emit_host(l, l.inputs, host_elementwise_s(l, coef::kHostNsPerSimpleElement),
                    "broadcast multiply (squeeze-excite scale) is not a DPU ELEW", l.name);
        } else {
          emit_compute(id, Kind::kElew);
        }
        return;
      case Op::kChannelShuffle:
        emit_host(l, l.inputs, host_elementwise_s(l, coef::kHostNsPerSimpleElement),
                  "channel shuffle is not in the DPU ISA", l.name);
        return;
      case Op::kActivation:
        if (dpu_activation(l.activation)) {
          emit_compute(id, Kind::kElew);
        } else {
          emit_host(
              l, l.inputs, host_elementwise_s(l, coef::kHostNsPerTranscendental),
              std::string(network::activation_name(l.activation)) + " is not a DPU activation",
              l.name);
        }
        return;
    }
  }

  enum class Kind { kConv, kDw, kPool, kElew, kScale };

  // Pooling window of a pool-like layer; GAP and adaptive pooling become an
  // average pool over the whole (or a fraction of the) feature map.
  static void pool_window(const Layer& l, int& kh, int& kw, int& sh) {
    const auto& in = l.in_shapes[0];
    kh = l.kernel_h;
    kw = l.kernel_w;
    sh = l.stride_h;
    if (l.op == Op::kGlobalAvgPool || l.op == Op::kAdaptiveAvgPool) {
      kh = static_cast<int>(in.h / l.out_shape.h);
      kw = static_cast<int>(in.w / l.out_shape.w);
      sh = kh;
    }
  }

  std::string pool_unsupported(const Layer& l) const {
    int kh = 0, kw = 0, sh = 0;
    pool_window(l, kh, kw, sh);
    const bool is_max = l.op == Op::kMaxPool;
    if (t_.pool_pp == 0) return "the target has no pooling engine";
    if (!is_max && !t_.pool_avg) return "the target's pooling engine has no average pooling";
    const int lo = is_max ? 1 : 2;
    if (kh < lo || kh > 8 || kw < lo || kw > 8) {
      return std::string(is_max ? "max" : "average") + " pool kernel " + std::to_string(kh) + "x" +
             std::to_string(kw) + " is outside " + std::to_string(lo) + "-8 (UG1414)";
    }
    if (sh < 1 || sh > 8) return "pool stride outside 1-8 (UG1414)";
    return "";
  }

  void emit_compute(network::Network::LayerId id, Kind kind) {
    const Layer& l = net_.layer(id);
    const auto& in = l.in_shapes.at(0);
    const auto& out = l.out_shape;
    std::vector<std::string> inputs = l.inputs;

    // Operator checks (UG1414) before anything is emitted.
    int kh = 1, kw = 1, sh = 1;
    if (kind == Kind::kConv || kind == Kind::kDw) {
      kh = l.op == Op::kConv2d ? l.effective_kernel_h() : 1;
      kw = l.op == Op::kConv2d ? l.effective_kernel_w() : 1;
      sh = l.stride_h;
      if (kh > 16 || kw > 16 || sh > 8 || l.stride_w > 8 || l.dilation_h > 1 || l.dilation_w > 1) {
        const double s = static_cast<double>(network::layer_macs(l)) * coef::kHostNsPerMac * 1e-9;
        emit_host(l, inputs, s, "kernel, stride or dilation outside the DPU limits (UG1414)",
                  l.name);
        return;
      }
      const long long cin_g = in.c / (kind == Kind::kDw ? in.c : l.effective_groups());
      if (kind == Kind::kConv && kh * kw * ceil_div(cin_g, t_.icp) > 2048) {
        fail("layer '" + l.name + "': kernel_w*kernel_h*ceil(in_ch/ICP) = " +
             std::to_string(kh * kw * ceil_div(cin_g, t_.icp)) +
             " exceeds the bank depth 2048: no legal tiling (UG1414)");
        return;
      }
      if (kind == Kind::kConv && out.c > 256LL * t_.icp) {
        fail("layer '" + l.name + "': " + std::to_string(out.c) +
             " output channels exceed 256*ICP = " + std::to_string(256 * t_.icp) + " (UG1414)");
        return;
      }
    } else if (kind == Kind::kPool) {
      const std::string why = pool_unsupported(l);
      if (!why.empty()) {
        emit_host(l, inputs,
                  host_elementwise_s(l, coef::kHostNsPerSimpleElement) *
                      std::max(1, l.kernel_h * l.kernel_w),
                  why, l.name);
        return;
      }
      pool_window(l, kh, kw, sh);
    }

    const int g = new_group(l.name, kind == Kind::kConv                         ? "conv"
                                    : kind == Kind::kDw || kind == Kind::kScale ? "dwconv"
                                    : kind == Kind::kPool                       ? "pool"
                                                                                : "elew");
    Group& grp = p_.groups[static_cast<std::size_t>(g)];
    grp.macs = network::layer_macs(l);

    // Fusion: conv + eltwise add (+ReLU), conv + pool. Only the single
    // consumer of a conv is fused, and only when its other inputs are ready.
    const Layer* fused_add = nullptr;
    const Layer* fused_pool = nullptr;
    std::string out_name = l.name;
    bool host_activation = !dpu_activation(l.activation);
    if ((kind == Kind::kConv || kind == Kind::kDw) && !host_activation) {
      if (const Layer* c = single_consumer(id)) {
        if (c->op == Op::kAdd && c->inputs.size() == 2 && dpu_activation(c->activation)) {
          const std::string& other = c->inputs[0] == l.name ? c->inputs[1] : c->inputs[0];
          if (ready_.count(other) && other != l.name) {
            fused_add = c;
            inputs.push_back(other);
          }
        } else if ((c->op == Op::kMaxPool || c->op == Op::kAvgPool) &&
                   pool_unsupported(*c).empty()) {
          fused_pool = c;
        }
      }
    }
    if (fused_add) {
      absorbed_.insert(fused_add->name);
      grp.layers.push_back(fused_add->name);
      out_name = fused_add->name;
    }
    if (fused_pool) {
      absorbed_.insert(fused_pool->name);
      grp.layers.push_back(fused_pool->name);
      out_name = fused_pool->name;
    }
    const auto& final_out = fused_pool ? fused_pool->out_shape : out;
    const std::vector<int> deps_in = deps_of(inputs);

    // Weights and their chunks (int8 weights, int32 bias per output channel).
    const long long cout = out.c;
    long long cin_g = in.c;
    if (kind == Kind::kConv && l.op == Op::kConv2d) cin_g = in.c / l.effective_groups();
    if (kind == Kind::kDw || kind == Kind::kScale) cin_g = 1;
    const bool has_weights = kind == Kind::kConv || kind == Kind::kDw || kind == Kind::kScale;
    long long chunk = cout;
    if (has_weights) {
      const long long per_channel = static_cast<long long>(kh) * kw * cin_g + 4;
      const long long fit = t_.weight_bytes / per_channel;
      if (fit < cout) chunk = std::max<long long>(fit / t_.ocp * t_.ocp, 0);
      if (chunk < std::min<long long>(t_.ocp, cout)) {
        fail("layer '" + l.name + "': one output-channel group of weights (" +
             std::to_string(per_channel * t_.ocp) + " bytes) does not fit the weight bank (" +
             std::to_string(t_.weight_bytes) + " bytes)");
        return;
      }
    }
    // Output rows per tile: input rows plus output rows of one chunk (and
    // the eltwise operand) must fit half the image banks (double buffering).
    const long long budget = t_.img_bytes / 2;
    const long long h_out = out.h, w_out = out.w, w_in = in.w;
    const long long in_ch_per_tile = (kind == Kind::kDw || kind == Kind::kScale) ? chunk : in.c;
    auto need = [&](long long r) {
      const long long rows_in =
          std::min<long long>((r - 1) * sh + kh, in.h + static_cast<long long>(l.pad_h_total()));
      return rows_in * w_in * in_ch_per_tile + r * w_out * chunk * (fused_add ? 2 : 1);
    };
    long long rows = h_out;
    while (rows > 0 && need(rows) > budget) rows = rows > 8 ? rows / 2 : rows - 1;
    if (rows == 0) {
      fail("layer '" + l.name + "': one output row needs " + std::to_string(need(1)) +
           " bytes of image bank; the target has " + std::to_string(budget) +
           " per buffer: no legal tiling");
      return;
    }
    const long long chunks = ceil_div(cout, chunk);
    const long long row_tiles = ceil_div(h_out, rows);
    grp.tiles = static_cast<int>(chunks * row_tiles);

    const Opcode init = kind == Kind::kConv   ? Opcode::kConvInit
                        : kind == Kind::kPool ? Opcode::kPoolInit
                        : kind == Kind::kElew ? Opcode::kElewInit
                                              : Opcode::kDwInit;
    const Opcode compute = kind == Kind::kConv   ? Opcode::kConv
                           : kind == Kind::kPool ? Opcode::kPool
                           : kind == Kind::kElew ? Opcode::kElew
                                                 : Opcode::kDptwise;
    Instruction ini{init, g};
    ini.cycles = coef::kInitCycles;
    const int init_id = add(ini);
    if (fused_pool) {
      Instruction pi{Opcode::kPoolInit, g};
      pi.cycles = coef::kInitCycles;
      add(pi);
    }
    if (fused_add) {
      Instruction ei{Opcode::kElewInit, g};
      ei.cycles = coef::kInitCycles;
      add(ei);
    }

    std::vector<int> computes;  // per tile, for the double buffer
    int last_save = -1;
    for (long long c = 0; c < chunks; ++c) {
      const long long cc = std::min(chunk, cout - c * chunk);
      int wload = -1;
      if (has_weights) {
        Instruction w{Opcode::kLoad, g};
        w.bytes = static_cast<long long>(kh) * kw * cin_g * cc + 4 * cc;
        // The weight bank is single-buffered: it frees when the last
        // computation that reads it is done.
        if (last_weight_user_ >= 0) w.dpdon.push_back(last_weight_user_);
        w.dpdon.push_back(init_id);
        w.note = "weights oc " + std::to_string(c * chunk) + "+" + std::to_string(cc);
        wload = add(w);
      }
      for (long long r0 = 0; r0 < h_out; r0 += rows) {
        const long long rr = std::min(rows, h_out - r0);
        const long long rows_in =
            std::min<long long>((rr - 1) * sh + kh, in.h + static_cast<long long>(l.pad_h_total()));
        Instruction ld{Opcode::kLoad, g};
        const long long in_ch = (kind == Kind::kDw || kind == Kind::kScale) ? cc : in.c;
        ld.bytes = rows_in * w_in * in_ch *
                   static_cast<long long>(kind == Kind::kElew ? inputs.size() : 1);
        if (fused_add) ld.bytes += rr * w_out * cc;
        ld.dpdon = deps_in;
        if (computes.size() >= 2) ld.dpdon.push_back(computes[computes.size() - 2]);
        ld.note = "ifm rows " + std::to_string(r0) + "+" + std::to_string(rr);
        const int lid = add(ld);

        const long long pixels = rr * w_out;
        Instruction op{compute, g};
        op.dpdon = {lid};
        if (wload >= 0) op.dpdon.push_back(wload);
        switch (kind) {
          case Kind::kConv: {
            const long long groups = l.op == Op::kConv2d ? l.effective_groups() : 1;
            op.cycles =
                static_cast<double>(groups * ceil_div(pixels, t_.pp) * ceil_div(cin_g, t_.icp) *
                                    ceil_div(cc / groups, t_.ocp) * kh * kw);
            break;
          }
          case Kind::kDw:
          case Kind::kScale:
            op.cycles = t_.dw_pp > 0
                            ? static_cast<double>(ceil_div(pixels, t_.dw_pp) *
                                                  ceil_div(cc, t_.icp) * kh * kw)
                            // No depthwise engine: the conv engine runs one channel at a time.
                            : static_cast<double>(cc * ceil_div(pixels, t_.pp) * kh * kw);
            if (t_.dw_pp == 0) op.op = Opcode::kConv;
            break;
          case Kind::kPool:
            op.cycles =
                static_cast<double>(ceil_div(pixels, t_.pool_pp) * ceil_div(cc, t_.icp) * kh * kw);
            break;
          case Kind::kElew:
            op.cycles = static_cast<double>(ceil_div(pixels, t_.eltwise_pp) * ceil_div(cc, t_.icp) *
                                            static_cast<long long>(inputs.size()));
            break;
        }
        op.cycles += coef::kInstructionCycles;
        op.note = "rows " + std::to_string(r0) + "+" + std::to_string(rr);
        int last = add(op);
        computes.push_back(last);
        if (has_weights) last_weight_user_ = last;
        if (fused_pool) {
          int pk = 0, pw = 0, ps = 0;
          pool_window(*fused_pool, pk, pw, ps);
          Instruction pool{Opcode::kPool, g};
          pool.cycles = static_cast<double>(ceil_div(pixels / std::max(1, ps * ps), t_.pool_pp) *
                                            ceil_div(cc, t_.icp) * pk * pw) +
                        coef::kInstructionCycles;
          pool.dpdon = {last};
          last = add(pool);
        }
        if (fused_add) {
          Instruction e{Opcode::kElew, g};
          // The conv result streams in; only the other operand is read.
          e.cycles = static_cast<double>(ceil_div(pixels, t_.eltwise_pp) * ceil_div(cc, t_.icp)) +
                     coef::kInstructionCycles;
          e.dpdon = {last};
          last = add(e);
        }
        Instruction sv{Opcode::kSave, g};
        sv.bytes = (fused_pool ? ceil_div(rr, std::max(1, fused_pool->stride_h)) * final_out.w
                               : rr * w_out) *
                   cc;
        sv.dpdon = {last};
        sv.note = "ofm rows " + std::to_string(r0) + "+" + std::to_string(rr);
        last_save = add(sv);
      }
    }
    ready_[out_name] = {last_save};
    all_saves_.push_back(last_save);
    if (host_activation) {
      const Layer& act_layer = l;
      emit_host(act_layer, {out_name}, host_elementwise_s(l, coef::kHostNsPerTranscendental),
                std::string(network::activation_name(l.activation)) + " is not a DPU activation",
                out_name);
    }
  }

  const network::Network& net_;
  const DpuConfig& hw_;
  const Target& t_;
  Program p_;
  std::map<std::string, std::vector<int>> ready_;  // tensor -> instructions that produce it in DDR
  std::set<std::string> absorbed_;
  std::vector<int> all_saves_;
  int last_weight_user_ = -1;
};

}  // namespace

const char* opcode_name(Opcode op) {
  return kOpNames[static_cast<int>(op)];
}

const char* unit_name(Unit u) {
  static const char* names[kUnits] = {"load", "save", "conv", "misc", "dwconv", "host"};
  return names[static_cast<int>(u)];
}

Unit unit_of(Opcode op) {
  switch (op) {
    case Opcode::kLoad:
      return Unit::kLoad;
    case Opcode::kSave:
      return Unit::kSave;
    case Opcode::kConvInit:
    case Opcode::kConv:
    case Opcode::kEnd:
      return Unit::kConv;
    case Opcode::kDwInit:
    case Opcode::kDptwise:
      return Unit::kDwconv;
    case Opcode::kPoolInit:
    case Opcode::kPool:
    case Opcode::kElewInit:
    case Opcode::kElew:
      return Unit::kMisc;
    case Opcode::kHost:
      return Unit::kHost;
  }
  return Unit::kConv;
}

Program compile(const network::Network& net, const DpuConfig& hw) {
  return Compiler(net, hw).run();
}

std::string listing(const Program& p) {
  std::ostringstream out;
  out << "# coda DPU instruction listing: id opcode group [deps] detail\n";
  for (std::size_t i = 0; i < p.insts.size(); ++i) {
    const Instruction& in = p.insts[i];
    out << i << "\t" << opcode_name(in.op) << "\tg" << in.group << "\t[";
    for (std::size_t d = 0; d < in.dpdon.size(); ++d) out << (d ? "," : "") << in.dpdon[d];
    out << "]\t";
    if (in.bytes) out << in.bytes << " B ";
    if (in.cycles) out << static_cast<long long>(in.cycles) << " cyc ";
    if (in.host_s) out << in.host_s * 1e3 << " ms ";
    out << in.note << "\n";
  }
  out << "\n# per fused group: layers | kind | tiles | instruction counts\n";
  for (std::size_t g = 0; g < p.groups.size(); ++g) {
    const Group& gr = p.groups[g];
    out << "g" << g << "\t";
    for (std::size_t i = 0; i < gr.layers.size(); ++i) out << (i ? "+" : "") << gr.layers[i];
    out << "\t" << gr.kind << "\t" << gr.tiles << "\t";
    bool first = true;
    for (int o = 0; o < kOpcodes; ++o) {
      if (!gr.counts[o]) continue;
      out << (first ? "" : " ") << kOpNames[o] << "=" << gr.counts[o];
      first = false;
    }
    if (!gr.host_reason.empty()) out << "\thost: " << gr.host_reason;
    out << "\n";
  }
  return out.str();
}

nlohmann::json program_json(const Program& p, const network::Network& net, const DpuConfig& hw) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : p.groups) {
    nlohmann::json counts = nlohmann::json::object();
    for (int o = 0; o < kOpcodes; ++o) {
      if (g.counts[o]) counts[opcode_name(static_cast<Opcode>(o))] = g.counts[o];
    }
    groups.push_back({{"layers", g.layers},
                      {"kind", g.kind},
                      {"tiles", g.tiles},
                      {"instructions", counts},
                      {"host", g.host_reason}});
  }
  return {{"network", net.name()},       {"target", hw.target.name},       {"feasible", p.feasible},
          {"reason", p.reason},          {"instructions", p.insts.size()}, {"groups", groups},
          {"host_layers", p.host_layers}};
}

std::string opcode_totals(const Program& p) {
  std::array<long long, kOpcodes> totals{};
  for (const auto& g : p.groups) {
    for (int o = 0; o < kOpcodes; ++o) totals[o] += g.counts[o];
  }
  std::string t;
  for (int o = 0; o < kOpcodes; ++o) {
    if (totals[o])
      t += " " + std::string(opcode_name(static_cast<Opcode>(o))) + "=" + std::to_string(totals[o]);
  }
  return t;
}

}  // namespace coda::dpu
