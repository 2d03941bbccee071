#include "models/fpga/ispace.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/text.h"

namespace coda::fpga {

using network::CompressionDimension;
using network::CompressionKind;

std::vector<LayerDetect> idetect(const network::Network& net, const FpgaConfig& hw) {
  std::vector<LayerDetect> out;
  for (const FpgaLayer& l : engine_layers(net, Scope::kNetwork, hw.data_bits)) {
    if (l.op != "conv2d" && l.op != "linear") continue;
    LayerDetect d;
    d.layer = l.name;
    d.engine = l;
    d.estimate = estimate(l, hw, Scope::kNetwork);
    d.bottleneck = d.estimate.bottleneck;
    const LayerEstimate& e = d.estimate;
    d.reason =
        d.bottleneck == 'O'
            ? fmt::format("O: Lat2 = tO {:.0f} cycles (steps x Lat1 {:.0f})", e.t_o,
                          e.steps_n * e.lat1)
            : fmt::format("{}: Lat1 = t{} {:.0f} cycles (tComp {:.0f}, tI {:.0f}, tW {:.0f})",
                          d.bottleneck, d.bottleneck == 'C' ? "Comp" : std::string(1, d.bottleneck),
                          e.lat1, e.t_comp, e.t_i, e.t_w);
    out.push_back(std::move(d));
  }
  return out;
}

namespace {

// Whether `dim` builds on the backbone with each of its values.
bool builds(const network::Network& net, const CompressionDimension& dim) {
  for (std::size_t i = 1; i < dim.values.size(); ++i) {
    network::Network copy = net;
    try {
      network::apply_compression(copy, {dim}, {static_cast<int>(i)});
    } catch (const InputError&) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<CompressionDimension> channel_cut_dimension(const network::Network& net,
                                                          const std::string& layer, long long lanes,
                                                          bool partial, const ISpaceOptions& o) {
  const network::Layer& l = net.layer(net.id(layer));
  CompressionDimension cut{layer, CompressionKind::kChannelCut, {0}, 0, ""};
  const long long m = l.out_channels, tiles = (m + lanes - 1) / lanes;
  if (tiles > 1) {
    for (int k = 1; k <= o.cut_steps && k < tiles; ++k) {
      const long long v = m - (tiles - k) * lanes;
      if (v >= 1 && v <= o.max_cut * m) cut.values.push_back(static_cast<int>(v));
    }
  }
  if (cut.values.size() == 1 && partial) {
    for (int k = 1; k <= o.cut_steps; ++k) {
      const auto v = static_cast<int>(m * o.max_cut * k / o.cut_steps) / 4 * 4;
      if (v >= 4 && std::find(cut.values.begin(), cut.values.end(), v) == cut.values.end()) {
        cut.values.push_back(v);
      }
    }
  }
  if (cut.values.size() == 1 || !builds(net, cut)) return std::nullopt;
  return cut;
}

std::vector<CompressionDimension> layer_dimensions(const network::Network& net,
                                                   const LayerDetect& d, const FpgaConfig& hw,
                                                   const ISpaceOptions& o) {
  const network::Layer& l = net.layer(net.id(d.layer));
  const FpgaLayer& fl = d.engine;
  std::vector<CompressionDimension> dims;
  const bool depthwise = fl.kind == Kind::kDepthwise;
  const bool linear = l.op == network::Op::kLinear;
  const LayerEstimate& e = d.estimate;
  const double lat1 = e.lat1;
  const char c = d.bottleneck;
  // Lat1's terms matter only when Lat1, not storing the OFM, bounds the layer.
  auto near = [&](double t) { return c != 'O' && t > 0 && t >= (1 - o.near) * lat1; };

  // P: compute-bound 3x3 layers (the pattern categories of Figure 4).
  const bool patterned = !linear && (c == 'C' || near(e.t_comp)) && l.kernel_h == 3 &&
                         l.kernel_w == 3 && !l.compression.pattern_zeros &&
                         !l.compression.kernel_expand;
  if (patterned) {
    CompressionDimension p{d.layer, CompressionKind::kPattern, {0}, o.patterns, d.reason};
    for (int z : o.pattern_zeros) {
      if (z >= 1 && z < 9) p.values.push_back(z);
    }
    if (p.values.size() > 1) dims.push_back(std::move(p));
  }
  // Q: weight-bound layers.
  if ((c == 'W' || near(e.t_w)) && !l.quant && !depthwise) {
    CompressionDimension q{d.layer, CompressionKind::kQuant, {0}, 0, d.reason};
    for (int b : o.weight_bits) {
      if (b < hw.data_bits) q.values.push_back(b);
    }
    if (q.values.size() > 1) dims.push_back(std::move(q));
  }
  // C: IFM- or OFM-bound layers, which neither patterns nor bits relieve.
  // An OFM-bound layer stores fewer channels when its own are cut; an
  // IFM-bound layer loads its IFM once per Tm tile of outputs, so a cut
  // that drops a whole tile helps (Property 4, eq. 17); and it loads fewer
  // input channels when its producer's are cut (eq. 16; added by
  // generate_ispace on the producer).
  const bool o_bound = c == 'O' || (e.t_o > 0 && e.t_o >= (1 - o.near) * e.steps_n * lat1);
  if ((c == 'I' || o_bound || near(e.t_i)) && !depthwise && !linear && l.groups == 1 &&
      !l.compression.channel_cut) {
    auto cut = channel_cut_dimension(net, d.layer, hw.tm, o_bound, o);
    if (cut) {
      cut->reason = d.reason;
      dims.push_back(std::move(*cut));
    }
  }
  // X: layers with slack keep their latency with a kernel larger by 2.
  if (c != 'C' && !patterned && !linear && !l.compression.kernel_expand) {
    FpgaLayer grown = fl;
    grown.kh += 2, grown.kw += 2, grown.ph += 1, grown.pw += 1;
    grown.kernel_ones = grown.kh * grown.kw - (fl.kh * fl.kw - fl.kernel_ones);
    grown.macs = fl.macs * grown.kh * grown.kw / (fl.kh * fl.kw);
    if (estimate(grown, hw, Scope::kNetwork).cycles <= e.cycles * (1 + 1e-9)) {
      CompressionDimension x{d.layer, CompressionKind::kKernelExpand, {0, 1}, 0, d.reason};
      if (builds(net, x)) dims.push_back(std::move(x));
    }
  }
  return dims;
}

ISpace generate_ispace(const network::Network& backbone, const ParamSet& design,
                       const space::HwSpace& hw_space, const ISpaceOptions& o) {
  ISpace s{backbone, design, {}, {}, hw_space.neighbourhood(design, o.hw_radius)};
  const FpgaConfig hw = FpgaConfig::from(design);
  s.detect = idetect(backbone, hw);
  for (const auto& d : s.detect) {
    for (auto& dim : layer_dimensions(backbone, d, hw, o)) s.compression.push_back(std::move(dim));
  }
  // Eq. 16: an IFM-bound layer (conv or depthwise) loads fewer channels
  // when the conv that produces them keeps fewer.
  for (const auto& d : s.detect) {
    if (d.bottleneck != 'I') continue;
    const network::Layer& l = backbone.layer(backbone.id(d.layer));
    const std::string& producer = l.inputs.at(0);
    if (!backbone.contains(producer)) continue;
    const network::Layer& p = backbone.layer(backbone.id(producer));
    if (p.op != network::Op::kConv2d || p.groups != 1) continue;
    const bool has = std::any_of(s.compression.begin(), s.compression.end(), [&](const auto& c) {
      return c.layer == producer && c.kind == CompressionKind::kChannelCut;
    });
    if (has) continue;
    const long long lanes = l.is_depthwise() ? hw.tm_dw : hw.tn;
    if (auto cut = channel_cut_dimension(backbone, producer, lanes, true, o)) {
      cut->reason = "I of " + d.layer + " (eq. 16): " + d.reason.substr(3);
      s.compression.push_back(std::move(*cut));
    }
  }
  // Dimensions in the network's layer order, each layer's kinds together.
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < s.detect.size(); ++i) order[s.detect[i].layer] = i;
  std::stable_sort(s.compression.begin(), s.compression.end(),
                   [&](const CompressionDimension& a, const CompressionDimension& b) {
                     return order[a.layer] < order[b.layer];
                   });
  return s;
}

namespace {

void emit_list(YAML::Emitter& out, const std::vector<int>& v) {
  out << YAML::Flow << YAML::BeginSeq;
  for (int x : v) out << x;
  out << YAML::EndSeq;
}

}  // namespace

std::string ISpace::to_yaml() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "backbone" << YAML::Value << backbone.name();
  out << YAML::Key << "design" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& d : design.decls())
    out << YAML::Key << d.name << YAML::Value << design.text(d.name);
  out << YAML::EndMap;
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (const auto& det : detect) {
    std::vector<const CompressionDimension*> mine;
    for (const auto& c : compression) {
      if (c.layer == det.layer) mine.push_back(&c);
    }
    out << YAML::BeginMap;
    out << YAML::Key << "layer" << YAML::Value << det.layer;
    out << YAML::Key << "idetect" << YAML::Value << std::string(1, det.bottleneck);
    out << YAML::Key << "reason" << YAML::Value << YAML::DoubleQuoted << det.reason;
    for (const auto* c : mine) {
      out << YAML::Key << network::compression_kind_name(c->kind) << YAML::Value;
      emit_list(out, c->values);
      if (c->kind == CompressionKind::kPattern) {
        out << YAML::Key << "patterns" << YAML::Value << c->patterns;
      }
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "hardware" << YAML::Value << YAML::BeginMap;
  const ParamSet probe = hardware.base();
  for (const auto& d : hardware.dimensions()) {
    ParamSet p = probe;
    out << YAML::Key << d.name << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (double v : d.values) {
      p.set(d.name, v);
      out << p.text(d.name);
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(
             "# HotNAS iSpace (coda): every conv and linear layer's iDetect class on the\n"
             "# design and the dimensions it gets; the first value of every list is the\n"
             "# layer as it is. Edit and pass back with the hotnas flow's `ispace_dir`.\n") +
         out.c_str() + "\n";
}

ISpace load_ispace(const std::string& path, const network::Network& backbone,
                   const space::HwSpace& hw_space) {
  const YamlDoc doc = load_yaml_file(path);
  const std::string& file = doc.file;
  require_map(file, doc.root, "iSpace");
  check_keys(file, doc.root, {"backbone", "design", "layers", "hardware"}, "iSpace");
  const std::string name = read_string(file, doc.root, "backbone");
  if (name != backbone.name()) {
    throw InputError(location_of(file, doc.root["backbone"]), "backbone",
                     "this iSpace is for '" + name + "', not '" + backbone.name() + "'");
  }
  ParamSet design = hw_space.base();
  if (!doc.root["design"]) throw InputError(location_of(file, doc.root), "design", "missing");
  design.load_yaml(doc, doc.root["design"], "the iSpace's design");
  ISpace s{backbone,
           design,
           idetect(backbone, FpgaConfig::from(design)),
           {},
           hw_space.neighbourhood(design, 0)};
  if (doc.root["hardware"]) {
    s.hardware = space::HwSpace::from_map(hw_space.arch(), design, doc, doc.root["hardware"]);
  }
  const YAML::Node layers = doc.root["layers"];
  if (layers && !layers.IsSequence()) {
    throw InputError(location_of(file, layers), "layers", "expected a list of layers");
  }
  std::set<std::string> seen;
  for (const auto& node : layers ? layers : YAML::Node(YAML::NodeType::Sequence)) {
    require_map(file, node, "an iSpace layer");
    check_keys(file, node,
               {"layer", "idetect", "reason", "pattern", "patterns", "channel_cut", "quant",
                "kernel_expand"},
               "an iSpace layer");
    const std::string layer = read_string(file, node, "layer");
    const SourceLocation where = location_of(file, node["layer"]);
    if (!backbone.contains(layer) ||
        (backbone.layer(backbone.id(layer)).op != network::Op::kConv2d &&
         backbone.layer(backbone.id(layer)).op != network::Op::kLinear)) {
      throw InputError(
          where, "layer",
          "'" + layer + "' is not a conv2d or linear layer of '" + backbone.name() + "'");
    }
    if (!seen.insert(layer).second) {
      throw InputError(where, "layer", "layer '" + layer + "' is listed twice");
    }
    for (auto kind : {CompressionKind::kPattern, CompressionKind::kChannelCut,
                      CompressionKind::kQuant, CompressionKind::kKernelExpand}) {
      const std::string key = network::compression_kind_name(kind);
      const YAML::Node v = node[key];
      if (!v) continue;
      if (!v.IsSequence() || v.size() == 0) {
        throw InputError(location_of(file, v), key, "expected a non-empty list starting with 0");
      }
      CompressionDimension dim{layer, kind, {}, 4, ""};
      if (kind == CompressionKind::kPattern && node["patterns"]) {
        dim.patterns = read_int(file, node, "patterns", 1, 1 << 20);
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        YAML::Node holder;
        holder["v"] = v[i];
        dim.values.push_back(read_int(file, holder, "v", 0, 1 << 20));
      }
      if (dim.values.front() != 0) {
        throw InputError(location_of(file, v), key,
                         "the first value must be 0, the layer as it is");
      }
      for (std::size_t i = 1; i < dim.values.size(); ++i) {
        network::Network copy = backbone;
        try {
          network::apply_compression(copy, {dim}, {static_cast<int>(i)});
          if (const std::string f = copy.layer(copy.id(layer)).quant
                                        ? copy.layer(copy.id(layer)).quant->fault(false)
                                        : "";
              !f.empty()) {
            throw InputError({}, key, f);
          }
        } catch (const InputError& e) {
          throw InputError(location_of(file, v[i]), key,
                           fmt::format("layer '{}': value {} does not apply: {}", layer,
                                       dim.values[i], e.what()));
        }
      }
      s.compression.push_back(std::move(dim));
    }
  }
  for (auto& dim : s.compression) {
    for (const auto& d : s.detect) {
      if (d.layer == dim.layer) dim.reason = d.reason;
    }
  }
  return s;
}

}  // namespace coda::fpga
