#include "plugins/accuracy/transforms.h"

#include <map>

#include "core/error.h"

namespace coda::accuracy {
using network::Op;

std::vector<torch::Tensor> pattern_candidates(int k, int zeros) {
  std::vector<torch::Tensor> out;
  const int n = k * k;
  if (zeros < 1 || zeros >= n) {
    throw InputError({}, "pattern_zeros",
                     "a " + std::to_string(k) + "x" + std::to_string(k) + " pattern takes 1.." +
                         std::to_string(n - 1) + " zeros, got " + std::to_string(zeros));
  }
  std::vector<int> pos(static_cast<std::size_t>(zeros));
  for (int i = 0; i < zeros; ++i) pos[static_cast<std::size_t>(i)] = i;
  while (true) {
    auto m = torch::ones({k, k});
    for (int p : pos) m[p / k][p % k] = 0;
    out.push_back(m);
    int i = zeros - 1;
    while (i >= 0 && pos[static_cast<std::size_t>(i)] == n - zeros + i) --i;
    if (i < 0) break;
    ++pos[static_cast<std::size_t>(i)];
    for (int j = i + 1; j < zeros; ++j)
      pos[static_cast<std::size_t>(j)] = pos[static_cast<std::size_t>(j - 1)] + 1;
  }
  return out;
}

namespace {

network::Layer& ir_layer(network::Network& net, const std::string& name) {
  if (!net.contains(name)) throw InputError({}, "layer", "no layer named '" + name + "'");
  return net.mutable_layer(net.id(name));
}

// Per kernel, the index of the pattern keeping the largest L2 norm.
torch::Tensor best_pattern(const torch::Tensor& w, const torch::Tensor& stack) {
  // w [O, I, k, k], stack [P, k, k] -> kept energy [O, I, P]
  auto energy = torch::einsum("oikl,pkl->oip", {w.pow(2), stack});
  return energy.argmax(2);
}

torch::Tensor conv_weight(TorchNet& net, const std::string& layer) {
  auto c = net.conv(layer);
  if (!c) throw InputError({}, "layer", "'" + layer + "' is not a conv layer");
  return c->weight.detach();
}

}  // namespace

void apply_patterns(TorchNet& net, const std::string& layer,
                    const std::vector<torch::Tensor>& patterns) {
  const torch::Tensor w = conv_weight(net, layer);
  if (patterns.empty() || !patterns[0].sizes().equals({w.size(2), w.size(3)})) {
    throw InputError({}, "pattern",
                     "layer '" + layer + "': patterns must be " + std::to_string(w.size(2)) + "x" +
                         std::to_string(w.size(3)) + " masks");
  }
  if (w.size(2) * w.size(3) == 1) {
    throw InputError({}, "pattern", "layer '" + layer + "': a 1x1 kernel has no pattern");
  }
  auto stack = torch::stack(patterns);
  auto choice = best_pattern(w, stack);  // [O, I]
  auto mask = stack
                  .index_select(0, choice.flatten())  // [O*I, k, k]
                  .view(w.sizes());
  net.set_mask(layer, mask);
  auto& l = ir_layer(const_cast<network::Network&>(net.ir()), layer);
  l.compression.pattern_zeros = static_cast<int>((patterns[0] == 0).sum().item<std::int64_t>());
  l.compression.patterns = static_cast<int>(patterns.size());
}

std::vector<torch::Tensor> prune_patterns(TorchNet& net, const std::string& layer, int pat_c,
                                          int pat_n) {
  const torch::Tensor w = conv_weight(net, layer);
  auto cands = pattern_candidates(static_cast<int>(w.size(2)), pat_c);
  if (pat_n < 1 || pat_n > static_cast<int>(cands.size())) {
    throw InputError({}, "patterns",
                     "PAT_n must be 1.." + std::to_string(cands.size()) + " for PAT_c = " +
                         std::to_string(pat_c) + ", got " + std::to_string(pat_n));
  }
  auto votes = torch::bincount(best_pattern(w, torch::stack(cands)).flatten(), {},
                               static_cast<std::int64_t>(cands.size()));
  auto top = std::get<1>(votes.topk(pat_n));
  std::vector<torch::Tensor> chosen;
  for (std::int64_t i = 0; i < pat_n; ++i) chosen.push_back(cands[top[i].item<std::int64_t>()]);
  apply_patterns(net, layer, chosen);
  return chosen;
}

std::unique_ptr<TorchNet> transfer(TorchNet& src, const network::Network& ir) {
  auto dst = std::make_unique<TorchNet>(ir);
  torch::NoGradGuard g;
  const network::Network& sir = src.ir();
  // The source channels each layer's output keeps (undefined: all, in order).
  std::map<std::string, torch::Tensor> kept;
  auto all = [](std::int64_t n) { return torch::arange(n, torch::kLong); };
  for (auto id : ir.topological_order()) {
    const network::Layer& l = ir.layer(id);
    if (!sir.contains(l.name)) {
      throw InputError({}, "layer", "layer '" + l.name + "' is not in the source model");
    }
    const network::Layer& s = sir.layer(l.name);
    auto in_kept = [&](std::size_t k) { return kept[l.inputs.at(k)]; };
    torch::Tensor out;
    auto copy = [&](torch::Tensor to, torch::Tensor from, const std::string& what) {
      if (!to.sizes().equals(from.sizes())) {
        throw InputError({}, "layer",
                         "layer '" + l.name + "': cannot carry " + what + " over (source shape " +
                             c10::str(from.sizes()) + ", target " + c10::str(to.sizes()) + ")");
      }
      to.copy_(from);
    };
    switch (l.op) {
      case Op::kConv2d: {
        auto w = src.conv(l.name)->weight.detach();
        auto m = src.mask(l.name);
        auto in = in_kept(0);
        if (in.defined()) {
          if (s.is_depthwise()) {
            w = w.index_select(0, in);
            if (m.defined()) m = m.index_select(0, in);
            out = in;
          } else if (s.groups == 1) {
            w = w.index_select(1, in);
            if (m.defined()) m = m.index_select(1, in);
          } else {
            throw InputError({}, "channel_cut",
                             "layer '" + l.name +
                                 "': a channel cut cannot ripple into a grouped "
                                 "convolution (groups " +
                                 std::to_string(s.groups) + ")");
          }
        }
        const std::int64_t want = l.effective_out_channels();
        if (w.size(0) > want) {
          auto norms = w.abs().sum({1, 2, 3});
          auto sel = std::get<0>(std::get<1>(norms.topk(want)).sort());
          w = w.index_select(0, sel);
          if (m.defined()) m = m.index_select(0, sel);
          out = out.defined() ? out.index_select(0, sel) : sel;
        }
        const int e = l.compression.kernel_expand - s.compression.kernel_expand;
        if (e > 0) {
          w = torch::constant_pad_nd(w, {e, e, e, e}, 0);
          if (m.defined()) m = torch::constant_pad_nd(m, {e, e, e, e}, 0);
        }
        auto dc = dst->conv(l.name);
        copy(dc->weight, w, "conv weights");
        if (dc->bias.defined()) {
          auto b = src.conv(l.name)->bias.detach();
          copy(dc->bias, out.defined() ? b.index_select(0, out) : b, "conv bias");
        }
        if (m.defined()) dst->set_mask(l.name, m);
        break;
      }
      case Op::kLinear: {
        auto w = src.linear(l.name)->weight.detach();
        if (auto in = in_kept(0); in.defined()) w = w.index_select(1, in);
        auto dl = dst->linear(l.name);
        copy(dl->weight, w, "linear weights");
        if (dl->bias.defined()) copy(dl->bias, src.linear(l.name)->bias.detach(), "linear bias");
        break;
      }
      case Op::kFlatten: {
        if (auto in = in_kept(0); in.defined()) {
          const auto hw = s.in_shapes.at(0).h * s.in_shapes.at(0).w;
          out = (in.unsqueeze(1) * hw + all(hw).unsqueeze(0)).flatten();
        }
        break;
      }
      case Op::kAdd:
      case Op::kMul: {
        out = in_kept(0);
        for (std::size_t k = 1; k < l.inputs.size(); ++k) {
          auto other = in_kept(k);
          const bool same =
              out.defined() == other.defined() &&
              (!out.defined() || (out.sizes().equals(other.sizes()) && out.equal(other)));
          // A [C,1,1] gate (squeeze-excite) follows its own producer's channels.
          if (!same) {
            throw InputError({}, "channel_cut",
                             "layer '" + l.name +
                                 "': its inputs keep different channels; cut "
                                 "every branch of an element-wise op alike");
          }
        }
        break;
      }
      case Op::kConcat: {
        bool any = false;
        for (std::size_t k = 0; k < l.inputs.size(); ++k) any = any || in_kept(k).defined();
        if (any) {
          std::vector<torch::Tensor> parts;
          std::int64_t offset = 0;
          for (std::size_t k = 0; k < l.inputs.size(); ++k) {
            const auto c = s.in_shapes.at(k).c;
            auto in = in_kept(k);
            parts.push_back((in.defined() ? in : all(c)) + offset);
            offset += c;
          }
          out = torch::cat(parts);
        }
        break;
      }
      case Op::kChannelShuffle:
      case Op::kSlice:
        if (in_kept(0).defined()) {
          throw InputError({}, "channel_cut",
                           "layer '" + l.name + "': a channel cut cannot ripple through a " +
                               network::op_name(l.op));
        }
        break;
      case Op::kInput:
        break;
      default:
        out = l.inputs.empty() ? torch::Tensor() : in_kept(0);
        break;
    }
    if (auto bn = dst->batch_norm(l.name)) {
      auto sb = src.batch_norm(l.name);
      auto pick = [&](const torch::Tensor& t) {
        return out.defined() ? t.index_select(0, out) : t;
      };
      copy(bn->weight, pick(sb->weight.detach()), "batch-norm scale");
      copy(bn->bias, pick(sb->bias.detach()), "batch-norm shift");
      copy(bn->running_mean, pick(sb->running_mean), "batch-norm mean");
      copy(bn->running_var, pick(sb->running_var), "batch-norm variance");
    }
    kept[l.name] = out;
  }
  return dst;
}

std::unique_ptr<TorchNet> prune_channels(TorchNet& src, const std::string& layer, int cut) {
  network::Network ir = src.ir();
  auto& l = ir_layer(ir, layer);
  if (l.op != Op::kConv2d) throw InputError({}, "channel_cut", "'" + layer + "' is not a conv");
  if (cut < 0 || cut >= l.effective_out_channels()) {
    throw InputError({}, "channel_cut",
                     "layer '" + layer + "' has " + std::to_string(l.effective_out_channels()) +
                         " channels; a cut must be 0.." +
                         std::to_string(l.effective_out_channels() - 1) + ", got " +
                         std::to_string(cut));
  }
  l.compression.channel_cut += cut;
  ir.infer_shapes();
  return transfer(src, ir);
}

std::unique_ptr<TorchNet> expand_kernel(TorchNet& src, const std::string& layer, int e) {
  network::Network ir = src.ir();
  auto& l = ir_layer(ir, layer);
  if (l.op != Op::kConv2d || e < 1) {
    throw InputError({}, "kernel_expand", "layer '" + layer + "': needs a conv and e >= 1");
  }
  l.compression.kernel_expand += e;
  ir.infer_shapes();
  return transfer(src, ir);
}

std::unique_ptr<TorchNet> quantize_layer(TorchNet& src, const std::string& layer,
                                         const network::Quant& quant) {
  network::Network ir = src.ir();
  ir_layer(ir, layer).quant = quant;
  ir.infer_shapes();
  return transfer(src, ir);
}

}  // namespace coda::accuracy
