#include "models/network/compression_plan.h"

#include <fmt/format.h>

#include "core/text.h"
#include "core/yaml_util.h"

namespace coda::network {

void apply_compression_plan(Network& net, const std::string& path) {
  apply_compression_plan(net, load_yaml_file(path));
}

void apply_compression_plan(Network& net, const YamlDoc& plan) {
  const std::string& file = plan.file;
  require_map(file, plan.root, "compression plan");
  check_keys(file, plan.root, {"layers"}, "compression plan");
  const YAML::Node layers = plan.root["layers"];
  if (!layers || !layers.IsMap()) {
    throw InputError(location_of(file, plan.root), "layers",
                     "a compression plan needs a 'layers' map: layer name -> compression");
  }
  std::vector<std::string> convs;
  for (const auto id : net.layers())
    if (net.layer(id).op == Op::kConv2d) convs.push_back(net.layer(id).name);

  for (const auto& entry : layers) {
    const std::string name = entry.first.as<std::string>();
    const YAML::Node node = entry.second;
    const SourceLocation where = location_of(file, entry.first);
    if (!net.contains(name)) {
      std::vector<std::string> shown(convs.begin(),
                                     convs.begin() + std::min<std::size_t>(convs.size(), 12));
      throw InputError(
          where, "layers",
          fmt::format("unknown layer '{}' in network '{}'; its conv layers: {}{}", name, net.name(),
                      join(shown, ", "), convs.size() > shown.size() ? ", ..." : ""));
    }
    Layer& l = net.mutable_layer(net.id(name));
    if (l.op != Op::kConv2d) {
      throw InputError(where, name,
                       fmt::format("layer '{}' is a {}; compression applies to conv2d layers", name,
                                   op_name(l.op)));
    }
    const std::string what = "compression of layer '" + name + "'";
    require_map(file, node, what);
    check_keys(file, node, {"pattern", "channel_cut", "quant", "kernel_expand"}, what);
    Compression c = l.compression;
    const int area = l.kernel_h * l.kernel_w;
    if (const auto p = node["pattern"]) {
      require_map(file, p, "pattern");
      check_keys(file, p, {"zeros", "patterns"}, "pattern");
      c.pattern_zeros = static_cast<int>(read_int(file, p, "zeros"));
      c.patterns = static_cast<int>(read_int(file, p, "patterns"));
      if (area == 1) {
        throw InputError(
            location_of(file, p), "pattern",
            fmt::format("layer '{}' has a 1x1 kernel: there is no pattern to prune", name));
      }
      if (c.pattern_zeros < 1 || c.pattern_zeros >= area) {
        throw InputError(location_of(file, p["zeros"]), "pattern.zeros",
                         fmt::format("layer '{}': {} zeros in a {}x{} kernel; allowed 1-{}", name,
                                     c.pattern_zeros, l.kernel_h, l.kernel_w, area - 1));
      }
      if (c.patterns < 1) {
        throw InputError(
            location_of(file, p["patterns"]), "pattern.patterns",
            fmt::format("layer '{}': at least one pattern (PAT_n >= 1), got {}", name, c.patterns));
      }
    }
    if (node["channel_cut"]) {
      c.channel_cut = static_cast<int>(read_int(file, node, "channel_cut"));
      if (c.channel_cut < 0 || c.channel_cut >= l.out_channels) {
        throw InputError(location_of(file, node["channel_cut"]), "channel_cut",
                         fmt::format("layer '{}' has {} output channels; allowed cut 0-{}", name,
                                     l.out_channels, l.out_channels - 1));
      }
      if (l.groups > 1 && !l.is_depthwise() && c.channel_cut % l.groups != 0) {
        throw InputError(location_of(file, node["channel_cut"]), "channel_cut",
                         fmt::format("layer '{}' has {} groups; the cut must be a multiple of it",
                                     name, l.groups));
      }
    }
    if (node["kernel_expand"]) {
      c.kernel_expand = static_cast<int>(read_int(file, node, "kernel_expand"));
      if (c.kernel_expand < 0 || c.kernel_expand > 3) {
        throw InputError(location_of(file, node["kernel_expand"]), "kernel_expand",
                         fmt::format("layer '{}': expansion {} out of range; allowed 0-3", name,
                                     c.kernel_expand));
      }
    }
    if (const auto q = node["quant"]) {
      require_map(file, q, "quant");
      check_keys(file, q, {"w_int", "w_frac"}, "quant");
      // A new annotation keeps activations at 16-bit <8, 8> (the HotNAS datapath).
      Quant quant = l.quant.value_or(Quant{0, 0, 8, 8});
      quant.w_int = read_int(file, q, "w_int", -1024, 1024);
      quant.w_frac = read_int(file, q, "w_frac", -1024, 1024);
      if (const std::string fault = quant.fault(false); !fault.empty()) {
        throw InputError(location_of(file, q), "quant", "layer '" + name + "': " + fault);
      }
      l.quant = quant;
    }
    l.compression = c;
  }
  try {
    net.infer_shapes();
  } catch (const InputError& e) {
    throw InputError(location_of(file, layers), "layers",
                     "the plan does not fit the network: " + std::string(e.what()));
  }
}

const char* compression_kind_name(CompressionKind k) {
  switch (k) {
    case CompressionKind::kPattern:
      return "pattern";
    case CompressionKind::kChannelCut:
      return "channel_cut";
    case CompressionKind::kQuant:
      return "quant";
    case CompressionKind::kKernelExpand:
      return "kernel_expand";
  }
  return "?";
}

CompressionKind parse_compression_kind(const std::string& s, const SourceLocation& where) {
  for (auto k : {CompressionKind::kPattern, CompressionKind::kChannelCut, CompressionKind::kQuant,
                 CompressionKind::kKernelExpand}) {
    if (s == compression_kind_name(k)) return k;
  }
  throw InputError(
      where, s,
      "unknown compression '" + s + "'; allowed: pattern, channel_cut, quant, kernel_expand");
}

std::string CompressionDimension::name() const {
  return layer + "." + compression_kind_name(kind);
}

std::string CompressionDimension::label(int v) const {
  if (v == 0) return "none";
  switch (kind) {
    case CompressionKind::kPattern:
      return fmt::format("{}x{}", v, patterns);
    case CompressionKind::kChannelCut:
      return fmt::format("cut{}", v);
    case CompressionKind::kQuant:
      return fmt::format("{}b", v);
    case CompressionKind::kKernelExpand:
      return fmt::format("+{}", v);
  }
  return std::to_string(v);
}

void apply_compression(Network& net, const std::vector<CompressionDimension>& dims,
                       const std::vector<int>& choice) {
  if (choice.size() != dims.size()) {
    throw InputError(
        {}, "candidate",
        fmt::format("expected {} compression choices, got {}", dims.size(), choice.size()));
  }
  for (std::size_t k = 0; k < dims.size(); ++k) {
    const CompressionDimension& d = dims[k];
    if (!net.contains(d.layer)) {
      throw InputError({}, d.name(), "network '" + net.name() + "' has no layer '" + d.layer + "'");
    }
    Layer& l = net.mutable_layer(net.id(d.layer));
    const bool quant = d.kind == CompressionKind::kQuant;
    if (l.op != Op::kConv2d && !(quant && l.op == Op::kLinear)) {
      throw InputError({}, d.name(),
                       "layer '" + d.layer + "' is a " + op_name(l.op) + "; " +
                           compression_kind_name(d.kind) + " applies to conv2d layers" +
                           (quant ? " and linear layers" : ""));
    }
    const int v = d.values.at(static_cast<std::size_t>(choice[k]));
    switch (d.kind) {
      case CompressionKind::kPattern:
        l.compression.pattern_zeros = v;
        l.compression.patterns = v ? d.patterns : 0;
        break;
      case CompressionKind::kChannelCut:
        l.compression.channel_cut = v;
        break;
      case CompressionKind::kKernelExpand:
        l.compression.kernel_expand = v;
        break;
      case CompressionKind::kQuant:
        if (v) {
          l.quant = Quant{1, v - 1, 0, 0};
        } else {
          l.quant.reset();
        }
        break;
    }
  }
  net.infer_shapes();
}

Network strip_compression(const Network& net) {
  Network out = net;
  for (const auto id : out.layers()) {
    Layer& l = out.mutable_layer(id);
    l.compression = Compression{};
    l.quant.reset();
  }
  out.infer_shapes();
  return out;
}

}  // namespace coda::network
