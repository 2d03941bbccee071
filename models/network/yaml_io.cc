#include "models/network/yaml_io.h"

#include <cstdio>

#include "core/files.h"

#include <boost/graph/graphviz.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "core/report.h"
#include "core/text.h"
#include "core/yaml_util.h"

namespace coda::network {
namespace {

const std::vector<std::string> kCommon = {"name", "op", "inputs"};

// The fields each op accepts, besides name/op/inputs. One table drives both
// loading (unknown-field errors) and saving.
const std::map<Op, std::vector<std::string>>& op_fields() {
  static const std::map<Op, std::vector<std::string>> fields = {
      {Op::kInput, {"channels", "height", "width"}},
      {Op::kConv2d,
       {"out_channels", "kernel", "stride", "pad", "dilation", "groups", "bias", "batch_norm",
        "activation", "quant", "compression"}},
      {Op::kLinear, {"out_channels", "bias", "batch_norm", "activation", "quant"}},
      {Op::kMaxPool, {"kernel", "stride", "pad", "ceil_mode"}},
      {Op::kAvgPool, {"kernel", "stride", "pad", "ceil_mode"}},
      {Op::kAdaptiveAvgPool, {"output_size"}},
      {Op::kGlobalAvgPool, {}},
      {Op::kAdd, {"activation"}},
      {Op::kMul, {}},
      {Op::kConcat, {"batch_norm", "activation"}},
      {Op::kChannelShuffle, {"groups"}},
      {Op::kSlice, {"offset", "out_channels"}},
      {Op::kFlatten, {}},
      {Op::kActivation, {"activation"}},
  };
  return fields;
}

int read_small_int(const std::string& file, const YAML::Node& node, const std::string& key) {
  return static_cast<int>(read_int(file, node, key));
}

// A pair field is written `k` when both sides agree, else `[h, w]`.
std::pair<int, int> read_pair(const std::string& file, const YAML::Node& node,
                              const std::string& key) {
  const YAML::Node v = node[key];
  if (v.IsSequence()) {
    if (v.size() != 2) {
      throw InputError(location_of(file, v), key, "expected one integer or a pair [h, w]");
    }
    try {
      return {v[0].as<int>(), v[1].as<int>()};
    } catch (const YAML::Exception&) {
      throw InputError(location_of(file, v), key, "expected one integer or a pair [h, w]");
    }
  }
  const int x = read_small_int(file, node, key);
  return {x, x};
}

// `pad` is `p`, `[h, w]`, or `[top, left, bottom, right]` when asymmetric.
void read_pad(const std::string& file, const YAML::Node& node, Layer& l) {
  const YAML::Node v = node["pad"];
  if (v.IsSequence() && v.size() == 4) {
    try {
      l.pad_h = v[0].as<int>();
      l.pad_w = v[1].as<int>();
      l.pad_h_end = v[2].as<int>();
      l.pad_w_end = v[3].as<int>();
    } catch (const YAML::Exception&) {
      throw InputError(location_of(file, v), "pad",
                       "expected one integer, [h, w] or [top, left, bottom, right]");
    }
    if (l.pad_h_end < 0 || l.pad_w_end < 0) {
      throw InputError(location_of(file, v), "pad", "padding must be non-negative");
    }
    if (l.pad_h_end == l.pad_h && l.pad_w_end == l.pad_w) l.pad_h_end = l.pad_w_end = -1;
    return;
  }
  std::tie(l.pad_h, l.pad_w) = read_pair(file, node, "pad");
}

Layer read_layer(const std::string& file, const YAML::Node& node) {
  require_map(file, node, "a layer");
  Layer l;
  l.name = read_string(file, node, "name");
  const std::string op = read_string(file, node, "op");
  const auto parsed = op_from_name(op);
  if (!parsed) {
    throw InputError(location_of(file, node), "op",
                     "layer '" + l.name + "': unsupported op '" + op +
                         "'; supported ops: " + join(all_op_names(), ", "));
  }
  l.op = *parsed;
  std::vector<std::string> allowed = kCommon;
  for (const auto& f : op_fields().at(l.op)) allowed.push_back(f);
  check_keys(file, node, allowed, "layer '" + l.name + "' (op " + op + ")");

  if (const auto in = node["inputs"]) {
    if (in.IsScalar()) {
      l.inputs.push_back(in.as<std::string>());
    } else if (in.IsSequence()) {
      for (const auto& i : in) {
        if (!i.IsScalar()) {
          throw InputError(location_of(file, i), "inputs",
                           "expected a layer name, got a nested list or map");
        }
        l.inputs.push_back(i.Scalar());
      }
    } else {
      throw InputError(location_of(file, in), "inputs", "expected a layer name or a list of names");
    }
  }
  auto has = [&](const char* key) { return static_cast<bool>(node[key]); };
  if (l.op == Op::kInput) {
    l.out_channels = read_int(file, node, "channels");
    l.out_h = read_small_int(file, node, "height");
    l.out_w = read_small_int(file, node, "width");
  }
  if (has("out_channels")) l.out_channels = read_int(file, node, "out_channels");
  if (has("kernel")) std::tie(l.kernel_h, l.kernel_w) = read_pair(file, node, "kernel");
  if (has("stride")) std::tie(l.stride_h, l.stride_w) = read_pair(file, node, "stride");
  if (has("pad")) read_pad(file, node, l);
  if (has("dilation")) std::tie(l.dilation_h, l.dilation_w) = read_pair(file, node, "dilation");
  if (has("output_size")) std::tie(l.out_h, l.out_w) = read_pair(file, node, "output_size");
  if (has("groups")) l.groups = read_int(file, node, "groups");
  if (has("offset")) l.offset = read_int(file, node, "offset");
  if (has("bias")) l.bias = read_bool(file, node, "bias");
  if (has("batch_norm")) l.batch_norm = read_bool(file, node, "batch_norm");
  if (has("ceil_mode")) l.ceil_mode = read_bool(file, node, "ceil_mode");
  if (has("activation")) {
    const std::string a = read_string(file, node, "activation");
    const auto act = activation_from_name(a);
    if (!act) {
      throw InputError(location_of(file, node["activation"]), "activation",
                       "layer '" + l.name + "': unsupported activation '" + a +
                           "'; supported: " + join(all_activation_names(), ", "));
    }
    l.activation = *act;
  }
  if (const auto q = node["quant"]) {
    require_map(file, q, "quant");
    check_keys(file, q, {"w_int", "w_frac", "a_int", "a_frac"}, "quant");
    Quant quant;
    quant.w_int = read_int(file, q, "w_int", -1024, 1024);
    quant.w_frac = read_int(file, q, "w_frac", -1024, 1024);
    // Without a_int and a_frac only the weights are quantized.
    if (q["a_int"] || q["a_frac"]) {
      quant.a_int = read_int(file, q, "a_int", -1024, 1024);
      quant.a_frac = read_int(file, q, "a_frac", -1024, 1024);
    }
    if (const std::string fault = quant.fault(); !fault.empty()) {
      throw InputError(location_of(file, q), "quant", "layer '" + l.name + "': " + fault);
    }
    l.quant = quant;
  }
  if (const auto c = node["compression"]) {
    require_map(file, c, "compression");
    check_keys(file, c, {"pattern_zeros", "patterns", "channel_cut", "kernel_expand"},
               "compression");
    auto opt = [&](const char* key) {
      return c[key] ? static_cast<int>(read_int(file, c, key)) : 0;
    };
    l.compression.pattern_zeros = opt("pattern_zeros");
    l.compression.patterns = opt("patterns");
    l.compression.channel_cut = opt("channel_cut");
    l.compression.kernel_expand = opt("kernel_expand");
  }
  return l;
}

void emit_pair(YAML::Emitter& out, const char* key, int h, int w) {
  out << YAML::Key << key << YAML::Value;
  if (h == w) {
    out << h;
  } else {
    out << YAML::Flow << YAML::BeginSeq << h << w << YAML::EndSeq;
  }
}

}  // namespace

Network parse_network_yaml(const std::string& text, const std::string& name) {
  const YamlDoc doc = load_yaml_string(text, name);
  const std::string& file = doc.file;
  const YAML::Node& root = doc.root;
  require_map(file, root, "a network file");
  check_keys(file, root, {"name", "layers"}, "the network file");
  Network net(read_string(file, root, "name"));
  const YAML::Node layers = root["layers"];
  if (!layers || !layers.IsSequence() || layers.size() == 0) {
    throw InputError(location_of(file, layers ? layers : root), "layers",
                     "expected a non-empty list of layers");
  }
  for (const auto& node : layers) net.add(read_layer(file, node), location_of(file, node));
  bool computes = false;
  for (auto id : net.layers()) computes |= net.layer(id).op != Op::kInput;
  if (!computes) {
    throw InputError(location_of(file, layers), "layers",
                     "the network has only input layers; it needs at least one layer that "
                     "computes");
  }
  return net;
}

Network load_network_yaml(const std::string& path) {
  return parse_network_yaml(read_text_file(path, "network file"), path);
}

std::string to_yaml(const Network& net) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << net.name();
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  const Layer* previous = nullptr;
  const Layer defaults;
  for (auto id : net.layers()) {
    const Layer& l = net.layer(id);
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << l.name;
    out << YAML::Key << "op" << YAML::Value << op_name(l.op);
    const bool implicit_input = previous && l.inputs.size() == 1 && l.inputs[0] == previous->name;
    if (!l.inputs.empty() && !implicit_input) {
      out << YAML::Key << "inputs" << YAML::Value << YAML::Flow << l.inputs;
    }
    for (const auto& f : op_fields().at(l.op)) {
      if (f == "channels") out << YAML::Key << f << YAML::Value << l.out_channels;
      if (f == "height") out << YAML::Key << f << YAML::Value << l.out_h;
      if (f == "width") out << YAML::Key << f << YAML::Value << l.out_w;
      if (f == "out_channels") out << YAML::Key << f << YAML::Value << l.out_channels;
      if (f == "kernel") emit_pair(out, "kernel", l.kernel_h, l.kernel_w);
      if (f == "stride" && (l.stride_h != 1 || l.stride_w != 1))
        emit_pair(out, "stride", l.stride_h, l.stride_w);
      if (f == "pad" && !l.symmetric_pad()) {
        out << YAML::Key << f << YAML::Value << YAML::Flow << YAML::BeginSeq << l.pad_h << l.pad_w
            << (l.pad_h_end < 0 ? l.pad_h : l.pad_h_end)
            << (l.pad_w_end < 0 ? l.pad_w : l.pad_w_end) << YAML::EndSeq;
      } else if (f == "pad" && (l.pad_h || l.pad_w)) {
        emit_pair(out, "pad", l.pad_h, l.pad_w);
      }
      if (f == "offset") out << YAML::Key << f << YAML::Value << l.offset;
      if (f == "dilation" && (l.dilation_h != 1 || l.dilation_w != 1))
        emit_pair(out, "dilation", l.dilation_h, l.dilation_w);
      if (f == "output_size") emit_pair(out, "output_size", l.out_h, l.out_w);
      if (f == "groups" && l.groups != defaults.groups)
        out << YAML::Key << f << YAML::Value << l.groups;
      if (f == "bias" && l.bias) out << YAML::Key << f << YAML::Value << true;
      if (f == "batch_norm" && l.batch_norm) out << YAML::Key << f << YAML::Value << true;
      if (f == "ceil_mode" && l.ceil_mode) out << YAML::Key << f << YAML::Value << true;
      if (f == "activation" && l.activation != Activation::kNone)
        out << YAML::Key << f << YAML::Value << activation_name(l.activation);
      if (f == "quant" && l.quant) {
        out << YAML::Key << f << YAML::Value << YAML::Flow << YAML::BeginMap;
        out << YAML::Key << "w_int" << YAML::Value << l.quant->w_int;
        out << YAML::Key << "w_frac" << YAML::Value << l.quant->w_frac;
        if (l.quant->quantizes_activations()) {
          out << YAML::Key << "a_int" << YAML::Value << l.quant->a_int;
          out << YAML::Key << "a_frac" << YAML::Value << l.quant->a_frac;
        }
        out << YAML::EndMap;
      }
      if (f == "compression" && l.compression.any()) {
        const Compression& c = l.compression;
        out << YAML::Key << f << YAML::Value << YAML::Flow << YAML::BeginMap;
        out << YAML::Key << "pattern_zeros" << YAML::Value << c.pattern_zeros;
        out << YAML::Key << "patterns" << YAML::Value << c.patterns;
        out << YAML::Key << "channel_cut" << YAML::Value << c.channel_cut;
        out << YAML::Key << "kernel_expand" << YAML::Value << c.kernel_expand;
        out << YAML::EndMap;
      }
    }
    out << YAML::EndMap;
    previous = &l;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

void save_network_yaml(const Network& net, const std::string& path) {
  write_text(to_yaml(net), path);
}

std::string to_dot(const Network& net) {
  std::ostringstream out;
  const auto& g = net.graph();
  boost::write_graphviz(
      out, g,
      [&](std::ostream& os, Network::LayerId v) {
        const Layer& l = g[v];
        os << "[label=\"" << l.name << "\\n" << op_name(l.op) << " " << l.out_shape.str() << "\"]";
      },
      boost::default_writer(),
      [&](std::ostream& os) { os << "graph [label=\"" << net.name() << "\"];\n"; });
  return out.str();
}

bool same_network(const Network& a, const Network& b) {
  if (a.name() != b.name() || a.size() != b.size()) return false;
  for (auto id : a.layers()) {
    if (!a.layer(id).same_definition(b.layer(id))) return false;
  }
  return true;
}

std::string network_hash(const Network& net) {
  // FNV-1a over the YAML of the layer definitions (the name line excluded).
  std::string text = to_yaml(net);
  const auto first_nl = text.find('\n');
  if (text.rfind("name:", 0) == 0 && first_nl != std::string::npos)
    text = text.substr(first_nl + 1);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(text)));
  return buf;
}

}  // namespace coda::network
