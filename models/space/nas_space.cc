#include "models/space/nas_space.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/params.h"
#include "core/text.h"
#include "models/network/adapt.h"
#include "models/network/blocks.h"
#include "models/space/hw_space.h"

namespace coda::space {
namespace {

using Block = NasSpace::Block;

// The fields a layer may fix or choose, in the order of its decisions: each
// with the Block member it sets and its allowed values.
struct FieldSpec {
  const char* name;
  enum Kind { kPreset, kType, kInt, kNumber, kRatio } kind;
  int Block::*i = nullptr;
  double Block::*d = nullptr;
  double lo = 0, hi = 0;  // kInt: inclusive; kNumber: above lo up to hi
};
const FieldSpec kFields[] = {
    {"block", FieldSpec::kPreset},
    {"type", FieldSpec::kType},
    {"kernel", FieldSpec::kInt, &Block::kernel, nullptr, 1, 15},
    {"expansion", FieldSpec::kInt, &Block::expansion, nullptr, 1, 16},
    {"filters", FieldSpec::kNumber, nullptr, &Block::filters, 0, 16},
    {"groups", FieldSpec::kInt, &Block::groups, nullptr, 1, 64},
    {"se", FieldSpec::kRatio, nullptr, &Block::se, 0, 1},
    {"width", FieldSpec::kNumber, nullptr, &Block::width, 0, 16},
    {"depth", FieldSpec::kInt, &Block::depth, nullptr, 1, 16},
    {"channels", FieldSpec::kInt, &Block::channels, nullptr, 1, 65536},
    {"kernel_h", FieldSpec::kInt, &Block::kernel_h, nullptr, 1, 15},
    {"kernel_w", FieldSpec::kInt, &Block::kernel_w, nullptr, 1, 15},
    {"stride_h", FieldSpec::kInt, &Block::stride_h, nullptr, 1, 8},
    {"stride_w", FieldSpec::kInt, &Block::stride_w, nullptr, 1, 8},
    {"pool", FieldSpec::kInt, &Block::pool, nullptr, 1, 8},
    {"a_int", FieldSpec::kInt, &Block::a_int, nullptr, 0, 16},
    {"a_frac", FieldSpec::kInt, &Block::a_frac, nullptr, 0, 16},
    {"w_int", FieldSpec::kInt, &Block::w_int, nullptr, 0, 16},
    {"w_frac", FieldSpec::kInt, &Block::w_frac, nullptr, 0, 16},
};
constexpr int kFieldCount = static_cast<int>(sizeof(kFields) / sizeof(kFields[0]));
constexpr int kBlock = 0, kType = 1, kFilters = 4;
const int kQuantFields[] = {15, 16, 17, 18};  // a_int, a_frac, w_int, w_frac
const std::vector<std::string> kTypes = {"ibn",        "fused", "skip", "basic",
                                         "bottleneck", "conv",  "lu"};

std::vector<std::string> field_names(int first) {
  std::vector<std::string> out;
  for (int f = first; f < kFieldCount; ++f) out.push_back(kFields[f].name);
  return out;
}

// One field's value written as text (a YAML scalar), parsed into `b`.
void set_field(Block& b, int f, const std::string& file, const YAML::Node& node) {
  const FieldSpec& spec = kFields[f];
  const std::string name = spec.name;
  const std::string text = node.Scalar();
  const SourceLocation where = location_of(file, node);
  switch (spec.kind) {
    case FieldSpec::kType:
      if (std::find(kTypes.begin(), kTypes.end(), text) == kTypes.end()) {
        throw InputError(where, name,
                         "unknown block type '" + text + "'; allowed: " + join(kTypes, ", "));
      }
      b.type = text;
      break;
    case FieldSpec::kInt: {
      const auto v = parse_int(text);
      if (!v || *v < spec.lo || *v > spec.hi) {
        throw InputError(where, name,
                         "'" + text + "' is not allowed; an integer from " +
                             format_number(spec.lo) + " to " + format_number(spec.hi));
      }
      b.*spec.i = static_cast<int>(*v);
      break;
    }
    case FieldSpec::kNumber: {
      const auto v = parse_double(text);
      if (!v || !(*v > spec.lo) || *v > spec.hi) {
        throw InputError(where, name,
                         "'" + text + "' is not allowed; a number above " + format_number(spec.lo) +
                             " up to " + format_number(spec.hi));
      }
      b.*spec.d = *v;
      break;
    }
    case FieldSpec::kRatio: {
      const auto v = parse_double(text);
      if (!v || *v < spec.lo || *v > spec.hi) {
        throw InputError(where, name, "'" + text + "' is not allowed; a ratio from 0 to 1");
      }
      b.*spec.d = *v;
      break;
    }
    case FieldSpec::kPreset:
      break;
  }
}

void copy_field(Block& to, const Block& from, int f) {
  const FieldSpec& spec = kFields[f];
  if (spec.kind == FieldSpec::kType) to.type = from.type;
  if (spec.i) to.*spec.i = from.*spec.i;
  if (spec.d) to.*spec.d = from.*spec.d;
}

// A field's value as written in a NAS-space file.
std::string text_of(const Block& b, int f) {
  const FieldSpec& spec = kFields[f];
  if (spec.kind == FieldSpec::kType) return b.type;
  if (spec.i) return std::to_string(b.*spec.i);
  if (spec.d) return format_number(b.*spec.d);
  return "";
}

std::string label_of(int f, const std::string& text) {
  return f == kFilters ? "x" + format_number(*parse_double(text)) : text;
}

int field_of(const std::string& key) {
  for (int f = 0; f < kFieldCount; ++f)
    if (key == kFields[f].name) return f;
  return -1;
}

network::Activation activation_of(const std::string& file, const YAML::Node& node,
                                  const std::string& field) {
  const std::string text = node.Scalar();
  const auto act = network::activation_from_name(text);
  if (!act) {
    throw InputError(location_of(file, node), field,
                     "unknown activation '" + text +
                         "'; allowed: " + join(network::all_activation_names(), ", "));
  }
  return *act;
}

int read_positive(const std::string& file, const YAML::Node& map, const std::string& key, int max) {
  const long long v = read_int(file, map, key);
  if (v < 1 || v > max) {
    throw InputError(
        location_of(file, map[key]), key,
        std::to_string(v) + " is not allowed; an integer from 1 to " + std::to_string(max));
  }
  return static_cast<int>(v);
}

}  // namespace

NasSpace NasSpace::load_file(const std::string& path) {
  return load(load_yaml_file(path));
}

NasSpace NasSpace::open(const std::string& name_or_file, const std::string& relative_to) {
  const std::string& s = name_or_file;
  if (s.size() > 5 && (s.rfind(".yaml") == s.size() - 5 || s.rfind(".yml") == s.size() - 4)) {
    return load_file(relative_to.empty() ? s : space_relative(relative_to, s));
  }
  return *nas_spaces().at(s, {"--space", 0, 0}).make();
}

NasSpace NasSpace::load(const YamlDoc& doc) {
  const std::string& file = doc.file;
  const YAML::Node& root = doc.root;
  require_map(file, root, "a NAS space");
  check_keys(file, root,
             {"name", "description", "input", "channels", "classes", "activation", "se_activation",
              "decision_prefix", "describe", "defaults", "blocks", "stem", "layers", "head", "pool",
              "flatten", "hidden", "classifier"},
             "the NAS space");
  NasSpace s;
  s.name_ = read_string(file, root, "name");
  if (root["description"]) s.description_ = read_string(file, root, "description");
  if (root["input"]) s.input_ = read_positive(file, root, "input", 4096);
  if (root["channels"]) s.channels_ = read_positive(file, root, "channels", 4096);
  if (root["classes"]) s.classes_ = read_positive(file, root, "classes", 1000000);
  if (root["activation"]) {
    activation_of(file, root["activation"], "activation");
    s.activation_ = root["activation"].Scalar();
  }
  s.se_activation_ = s.activation_;
  if (root["se_activation"]) {
    activation_of(file, root["se_activation"], "se_activation");
    s.se_activation_ = root["se_activation"].Scalar();
  }
  if (root["decision_prefix"]) s.prefix_ = read_string(file, root, "decision_prefix");
  if (root["describe"]) s.describe_ = read_string(file, root, "describe");
  for (const char* key : {"pool", "flatten", "classifier"}) {
    if (!root[key]) continue;
    const std::string v = read_string(file, root, key);
    if (std::string(key) == "pool") s.pool_ = v;
    if (std::string(key) == "flatten") s.flatten_ = v;
    if (std::string(key) == "classifier") s.classifier_ = v;
  }
  auto conv = [&](const char* key) -> std::optional<Conv> {
    const YAML::Node n = root[key];
    if (!n) return std::nullopt;
    require_map(file, n, std::string("the ") + key);
    check_keys(file, n, {"name", "out", "kernel", "stride"}, std::string("the ") + key);
    Conv c;
    c.name = read_string(file, n, "name");
    c.out = read_positive(file, n, "out", 1 << 20);
    c.kernel = n["kernel"] ? read_positive(file, n, "kernel", 15) : 1;
    c.stride = n["stride"] ? read_positive(file, n, "stride", 8) : 1;
    return c;
  };
  s.stem_ = conv("stem");
  s.head_ = conv("head");
  if (const YAML::Node n = root["hidden"]) {
    require_map(file, n, "the hidden layer");
    check_keys(file, n, {"name", "out"}, "the hidden layer");
    s.hidden_ = Hidden{read_string(file, n, "name"), read_positive(file, n, "out", 1 << 20)};
  }

  // Presets for `block` decisions, in file order.
  auto& presets = s.presets_;
  if (const YAML::Node b = root["blocks"]) {
    require_map(file, b, "the block presets");
    for (const auto& kv : b) {
      const std::string name = kv.first.as<std::string>();
      require_map(file, kv.second, "block preset '" + name + "'");
      Choice o;
      o.yaml = name;
      for (const auto& fv : kv.second) {
        const std::string key = fv.first.as<std::string>();
        const int f = field_of(key);
        if (f <= kBlock) {
          throw InputError(location_of(file, fv.first), key,
                           "unknown field in block preset '" + name +
                               "'; allowed fields: " + join(field_names(kType), ", "));
        }
        set_field(o.values, f, file, fv.second);
        o.mask |= 1u << f;
      }
      presets.emplace_back(name, o);
    }
  }

  const YAML::Node defaults = root["defaults"];
  if (defaults) require_map(file, defaults, "the layer defaults");
  const YAML::Node layers = root["layers"];
  if (!layers || !layers.IsSequence() || layers.size() == 0) {
    throw InputError(location_of(file, layers ? layers : root), "layers",
                     "expected a non-empty list of layers");
  }
  std::vector<std::string> layer_keys = {"name", "out", "stride", "activation"};
  for (const std::string& f : field_names(kBlock)) layer_keys.push_back(f);
  if (defaults) {
    check_keys(file, defaults, std::vector<std::string>(layer_keys.begin() + 3, layer_keys.end()),
               "the layer defaults");
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const YAML::Node ln = layers[i];
    require_map(file, ln, "layer " + std::to_string(i));
    check_keys(file, ln, layer_keys, "layer " + std::to_string(i));
    Layer l;
    l.name = read_string(file, ln, "name");
    l.out = read_positive(file, ln, "out", 1 << 20);
    l.stride = ln["stride"] ? read_positive(file, ln, "stride", 8) : 1;
    const YAML::Node act = ln["activation"] ? ln["activation"]
                           : defaults       ? defaults["activation"]
                                            : YAML::Node(YAML::NodeType::Undefined);
    if (act) {
      activation_of(file, act, "activation");
      l.activation = act.Scalar();
    }
    unsigned given = 0;
    for (int f = 0; f < kFieldCount; ++f) {
      const char* key = kFields[f].name;
      const YAML::Node v = ln[key]    ? ln[key]
                           : defaults ? defaults[key]
                                      : YAML::Node(YAML::NodeType::Undefined);
      if (!v) continue;
      given |= 1u << f;
      if (v.IsScalar()) {
        if (f == kBlock) {
          throw InputError(location_of(file, v), key,
                           "`block` picks among presets: give a list of preset names");
        }
        set_field(l.fixed, f, file, v);
        continue;
      }
      if (!v.IsSequence() || v.size() == 0) {
        throw InputError(location_of(file, v), key, "expected a value or a non-empty list");
      }
      Decision d{s.prefix_ + std::to_string(i) + "." + key, {}};
      std::vector<Choice> opts;
      for (const auto& item : v) {
        if (!item.IsScalar()) throw InputError(location_of(file, item), key, "expected a value");
        Choice o;
        if (f == kBlock) {
          auto it = std::find_if(presets.begin(), presets.end(),
                                 [&](const auto& p) { return p.first == item.Scalar(); });
          if (it == presets.end()) {
            std::vector<std::string> names;
            for (const auto& p : presets) names.push_back(p.first);
            throw InputError(location_of(file, item), key,
                             "unknown block preset '" + item.Scalar() +
                                 "'; the space's `blocks`: " +
                                 (names.empty() ? std::string("none") : join(names, ", ")));
          }
          o = it->second;
        } else {
          set_field(o.values, f, file, item);
          o.mask = 1u << f;
          o.yaml = item.Scalar();
        }
        d.labels.push_back(label_of(f, o.yaml));
        opts.push_back(o);
      }
      l.decisions.push_back(s.decisions_.size());
      s.decisions_.push_back(std::move(d));
      s.decision_fields_.push_back(f);
      s.options_.push_back(std::move(opts));
    }
    // The four bit widths come together: a layer is quantized or not.
    std::vector<std::string> missing;
    for (int f : kQuantFields) {
      if (!(given >> f & 1u)) missing.push_back(kFields[f].name);
    }
    if (!missing.empty() && missing.size() < std::size(kQuantFields)) {
      throw InputError(location_of(file, ln), "layers",
                       "layer " + std::to_string(i) + " (" + l.name +
                           ") gives some bit widths but not " + join(missing, ", ") +
                           "; give all of a_int, a_frac, w_int, w_frac or none");
    }
    s.layers_.push_back(std::move(l));
  }
  return s;
}

NasSpace NasSpace::from_reference(const YamlDoc& doc, const YAML::Node& node) {
  require_map(doc.file, node, "the network space");
  check_keys(doc.file, node, {"space", "file", "input", "classes"}, "the network space");
  NasSpace s;
  if (node["space"] && node["file"]) {
    throw InputError(location_of(doc.file, node["file"]), "file",
                     "give either `space` (a registered NAS space) or `file`, not both");
  }
  if (node["file"]) {
    s = load_file(space_relative(doc.file, read_string(doc.file, node, "file")));
  } else if (node["space"]) {
    const std::string name = read_string(doc.file, node, "space");
    s = *nas_spaces().at(name, location_of(doc.file, node["space"])).make();
  } else {
    throw InputError(location_of(doc.file, node), "space",
                     "missing field: `space` (one of " + join(nas_spaces().names(), ", ") +
                         ") or `file` (a NAS-space file)");
  }
  const int input = node["input"] ? static_cast<int>(read_int(doc.file, node, "input")) : s.input_;
  const int classes =
      node["classes"] ? static_cast<int>(read_int(doc.file, node, "classes")) : s.classes_;
  if (input < 32 || input > 1024) {
    throw InputError(location_of(doc.file, node["input"]), "input", "allowed range: 32 to 1024");
  }
  if (classes < 1) {
    throw InputError(location_of(doc.file, node["classes"]), "classes", "must be positive");
  }
  return s.with_input(input, classes);
}

NasSpace NasSpace::with_input(int input, int classes) const {
  NasSpace s = *this;
  s.input_ = input;
  s.classes_ = classes;
  return s;
}

NasSpace NasSpace::adapted(int channels, int input, int classes) const {
  NasSpace s = with_input(input, classes);
  s.channels_ = channels;
  int k = network::removed_downsampling_levels(input_, input);
  auto keep_resolution = [&k](int& stride) {
    if (k > 0 && stride > 1) {
      stride = 1;
      --k;
    }
  };
  if (s.stem_) keep_resolution(s.stem_->stride);
  for (auto& l : s.layers_) keep_resolution(l.stride);
  if (s.head_) keep_resolution(s.head_->stride);
  return s;
}

double NasSpace::size() const {
  double n = 1;
  for (const auto& d : decisions_) n *= static_cast<double>(d.size());
  return n;
}

std::vector<int> NasSpace::sample(std::mt19937_64& rng) const {
  std::vector<int> out;
  for (const auto& d : decisions_) {
    std::uniform_int_distribution<int> pick(0, d.size() - 1);
    out.push_back(pick(rng));
  }
  return out;
}

void NasSpace::check_choices(const std::vector<int>& choices) const {
  if (choices.size() != decisions_.size()) {
    throw InputError({}, "candidate",
                     "expected " + std::to_string(decisions_.size()) + " choices, got " +
                         std::to_string(choices.size()));
  }
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] < 0 || choices[i] >= decisions_[i].size()) {
      throw InputError({}, decisions_[i].name,
                       "choice " + std::to_string(choices[i]) + " out of range");
    }
  }
}

NasSpace::Block NasSpace::resolve(const Layer& l, const std::vector<int>& choices) const {
  Block b = l.fixed;
  for (std::size_t d : l.decisions) {
    const Choice& o = options_[d][static_cast<std::size_t>(choices[d])];
    for (int f = kType; f < kFieldCount; ++f) {
      if (o.mask & (1u << f)) copy_field(b, o.values, f);
    }
  }
  return b;
}

std::string NasSpace::add_stem(network::Builder& b, const std::string& x) const {
  using namespace network;
  if (!stem_) return x;
  return b.conv(
      stem_->name, x,
      ConvSpec::make(stem_->out, stem_->kernel, stem_->stride, *activation_from_name(activation_)));
}

std::string NasSpace::add_layer(network::Builder& b, const Layer& l, const Block& blk,
                                const std::string& x) const {
  using namespace network;
  const std::size_t before = b.network().size();
  const std::string y = add_block(b, l, blk, x);
  if (blk.a_int < 0) return y;
  const Quant q{blk.w_int, blk.w_frac, blk.a_int, blk.a_frac};
  if (q.weight_bits() < 1 || q.activation_bits() < 1) {
    throw ShapeError({}, q.weight_bits() < 1 ? "w_frac" : "a_frac",
                     "layer " + l.name + " has " +
                         std::to_string(std::min(q.weight_bits(), q.activation_bits())) +
                         " bits; w_int + w_frac and a_int + a_frac must each be at least 1");
  }
  // The block's convolutions carry its fixed-point formats.
  const auto ids = b.network().layers();
  for (std::size_t k = before; k < ids.size(); ++k) {
    if (b.network().layer(ids[k]).op == Op::kConv2d) b.set_quant(ids[k], q);
  }
  return y;
}

std::string NasSpace::add_block(network::Builder& b, const Layer& l, const Block& blk,
                                const std::string& x) const {
  using namespace network;
  const Activation act = l.activation.empty() ? *activation_from_name(activation_)
                                              : *activation_from_name(l.activation);
  const std::int64_t in = b.channels(x);
  const std::int64_t out = blk.channels > 0 ? blk.channels
                           : blk.filters == 1
                               ? l.out
                               : make_divisible(static_cast<double>(l.out) * blk.filters);
  if (blk.type == "skip") {
    if (l.stride != 1 || in != out) {
      throw ShapeError({}, "type",
                       "layer " + l.name +
                           " is skipped, which needs stride 1 and as many input as output "
                           "channels (" +
                           std::to_string(in) + " -> " + std::to_string(out) + ", stride " +
                           std::to_string(l.stride) + ")");
    }
    return x;
  }
  if (blk.type == "basic") return basic_residual(b, l.name, x, out, l.stride, blk.kernel);
  if (blk.type == "bottleneck") {
    const auto mid = std::max<std::int64_t>(1, std::llround(static_cast<double>(out) * blk.width));
    return bottleneck_block(b, l.name, x, out, mid, blk.kernel, l.stride);
  }
  if (blk.type == "conv")
    return conv_stack(b, l.name, x, out, blk.kernel, blk.depth, l.stride, act);
  if (blk.type == "lu") {
    // Lu et al. §4: a Fh x Fw convolution with bias and no batch norm, its
    // activation, then a Ps x Ps max-pool when Ps > 1.
    ConvSpec s = ConvSpec::make(out, 1, 1, act).with_bias().without_bn();
    s.kernel_h = blk.kernel_h > 0 ? blk.kernel_h : blk.kernel;
    s.kernel_w = blk.kernel_w > 0 ? blk.kernel_w : blk.kernel;
    s.stride_h = blk.stride_h > 0 ? blk.stride_h : l.stride;
    s.stride_w = blk.stride_w > 0 ? blk.stride_w : l.stride;
    const std::string y = b.conv(l.name, x, s);
    return blk.pool > 1 ? b.max_pool(l.name + ".pool", y, blk.pool, blk.pool) : y;
  }
  IbnSpec s;
  s.out = out;
  s.kernel = blk.kernel;
  s.mid = in * blk.expansion;
  s.stride = l.stride;
  s.act = act;
  s.groups = blk.groups;
  if (blk.se > 0) {
    s.se = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::floor(static_cast<double>(in) * blk.se)));
    s.se_act = *activation_from_name(se_activation_);
  }
  return blk.type == "fused" ? fused_inverted_residual(b, l.name, x, s)
                             : inverted_residual(b, l.name, x, s);
}

void NasSpace::add_tail(network::Builder& b, std::string x) const {
  using namespace network;
  if (head_) {
    x = b.conv(head_->name, x,
               ConvSpec::make(head_->out, head_->kernel, head_->stride,
                              *activation_from_name(activation_)));
  }
  if (pool_ != "none") x = b.global_avg_pool(pool_, x);
  x = b.flatten(flatten_, x);
  if (hidden_) x = b.linear(hidden_->name, x, hidden_->out, true, Activation::kRelu);
  b.linear(classifier_, x, classes_);
}

network::Network NasSpace::decode(const std::vector<int>& choices) const {
  check_choices(choices);
  network::Builder b(name_ + ":" + describe(choices), {channels_, input_, input_});
  std::string x = add_stem(b, b.input());
  for (const Layer& l : layers_) x = add_layer(b, l, resolve(l, choices), x);
  add_tail(b, x);
  return b.take();
}

std::vector<NasSpace::Part> NasSpace::parts(const std::vector<int>& choices) const {
  check_choices(choices);
  network::Builder full("probe", {channels_, input_, input_});
  std::vector<Part> out;
  auto alone = [&](const std::string& name, const std::string& from) {
    return network::Builder(name_ + ":" + name, full.shape(from));
  };
  {
    network::Builder b(name_ + ":stem", {channels_, input_, input_});
    add_stem(b, b.input());
    out.push_back({"stem", -1, b.take()});
  }
  std::string x = add_stem(full, full.input());
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const Block blk = resolve(layers_[i], choices);
    network::Builder b = alone(layers_[i].name, x);
    add_layer(b, layers_[i], blk, b.input());
    out.push_back({layers_[i].name, static_cast<int>(i), b.take()});
    x = add_layer(full, layers_[i], blk, x);
  }
  network::Builder b = alone("tail", x);
  add_tail(b, b.input());
  out.push_back({"tail", -1, b.take()});
  return out;
}

std::vector<std::vector<int>> NasSpace::layer_combinations(std::size_t layer) const {
  std::vector<std::vector<int>> combos = {{}};
  for (std::size_t d : layers_.at(layer).decisions) {
    std::vector<std::vector<int>> next;
    for (const auto& c : combos) {
      for (int k = 0; k < decisions_[d].size(); ++k) {
        auto e = c;
        e.push_back(k);
        next.push_back(e);
      }
    }
    combos = std::move(next);
  }
  return combos;
}

std::vector<std::vector<int>> ssbn(const NasSpace& space, const std::vector<int>& sn) {
  if (sn.size() != space.decisions().size()) {
    throw InputError({}, "specified",
                     "the specified network has " + std::to_string(sn.size()) +
                         " choices; the space has " + std::to_string(space.decisions().size()) +
                         " decisions");
  }
  std::vector<std::vector<int>> out = {sn};
  for (std::size_t d = 0; d < sn.size(); ++d) {
    for (int c = 0; c < space.decisions()[d].size(); ++c) {
      if (c == sn[d]) continue;
      auto x = sn;
      x[d] = c;
      out.push_back(std::move(x));
    }
  }
  return out;
}

std::string NasSpace::describe(const std::vector<int>& choices) const {
  std::string out;
  if (describe_.empty()) {
    for (std::size_t i = 0; i < choices.size() && i < decisions_.size(); ++i) {
      out += (i ? "-" : "") + decisions_[i].label(choices[i]);
    }
    return out;
  }
  for (const Layer& l : layers_) {
    const Block blk = resolve(l, choices);
    std::string part = describe_;
    for (int f = kType; f < kFieldCount; ++f) {
      const std::string key = std::string("{") + kFields[f].name + "}";
      const std::string value = (f == kFilters ? "x" : "") + text_of(blk, f);
      for (auto p = part.find(key); p != std::string::npos; p = part.find(key)) {
        part.replace(p, key.size(), value);
      }
    }
    out += (out.empty() ? "" : "-") + part;
  }
  return out;
}

NasSpace NasSpace::restricted(const std::vector<std::vector<int>>& kept,
                              const std::string& name) const {
  if (kept.size() != decisions_.size()) {
    throw InputError({}, "decisions",
                     "expected choices for " + std::to_string(decisions_.size()) +
                         " decisions, got " + std::to_string(kept.size()));
  }
  NasSpace s = *this;
  s.name_ = name;
  for (std::size_t d = 0; d < kept.size(); ++d) {
    if (kept[d].empty()) {
      throw InputError({}, decisions_[d].name, "keeps no choice; keep at least one");
    }
    s.decisions_[d].labels.clear();
    s.options_[d].clear();
    for (int c : kept[d]) {
      if (c < 0 || c >= decisions_[d].size()) {
        throw InputError({}, decisions_[d].name, "choice " + std::to_string(c) + " out of range");
      }
      s.decisions_[d].labels.push_back(decisions_[d].label(c));
      s.options_[d].push_back(options_[d][static_cast<std::size_t>(c)]);
    }
  }
  return s;
}

std::string NasSpace::to_yaml() const {
  YAML::Emitter e;
  const Block plain;
  auto conv = [&](const char* key, const std::optional<Conv>& c) {
    if (!c) return;
    e << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "name"
      << YAML::Value << c->name << YAML::Key << "out" << YAML::Value << c->out << YAML::Key
      << "kernel" << YAML::Value << c->kernel << YAML::Key << "stride" << YAML::Value << c->stride
      << YAML::EndMap;
  };
  // The fields of `b` that differ from a plain block, limited to `mask`.
  auto fields = [&](const Block& b, unsigned mask) {
    for (int f = kType; f < kFieldCount; ++f) {
      if ((mask >> f & 1u) && text_of(b, f) != text_of(plain, f)) {
        e << YAML::Key << kFields[f].name << YAML::Value << text_of(b, f);
      }
    }
  };
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << name_;
  if (!description_.empty()) e << YAML::Key << "description" << YAML::Value << description_;
  e << YAML::Key << "input" << YAML::Value << input_;
  e << YAML::Key << "channels" << YAML::Value << channels_;
  e << YAML::Key << "classes" << YAML::Value << classes_;
  e << YAML::Key << "activation" << YAML::Value << activation_;
  e << YAML::Key << "se_activation" << YAML::Value << se_activation_;
  e << YAML::Key << "decision_prefix" << YAML::Value << prefix_;
  if (!describe_.empty()) e << YAML::Key << "describe" << YAML::Value << describe_;
  if (!presets_.empty()) {
    e << YAML::Key << "blocks" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, c] : presets_) {
      e << YAML::Key << name << YAML::Value << YAML::Flow << YAML::BeginMap;
      fields(c.values, c.mask);
      e << YAML::EndMap;
    }
    e << YAML::EndMap;
  }
  conv("stem", stem_);
  e << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (const Layer& l : layers_) {
    unsigned decided = 0;
    for (std::size_t d : l.decisions) decided |= 1u << decision_fields_[d];
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << l.name << YAML::Key
      << "out" << YAML::Value << l.out << YAML::Key << "stride" << YAML::Value << l.stride;
    if (!l.activation.empty()) e << YAML::Key << "activation" << YAML::Value << l.activation;
    fields(l.fixed, ~decided);
    for (std::size_t d : l.decisions) {
      e << YAML::Key << kFields[decision_fields_[d]].name << YAML::Value << YAML::Flow
        << YAML::BeginSeq;
      for (const Choice& c : options_[d]) e << c.yaml;
      e << YAML::EndSeq;
    }
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
  conv("head", head_);
  e << YAML::Key << "pool" << YAML::Value << pool_;
  e << YAML::Key << "flatten" << YAML::Value << flatten_;
  if (hidden_) {
    e << YAML::Key << "hidden" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "name"
      << YAML::Value << hidden_->name << YAML::Key << "out" << YAML::Value << hidden_->out
      << YAML::EndMap;
  }
  e << YAML::Key << "classifier" << YAML::Value << classifier_;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

NasSpaceRegistry& nas_spaces() {
  static NasSpaceRegistry r("NAS space", "space",
                            " (or give `file:` with a NAS-space file; see configs/spaces/nas/)");
  return r;
}

void register_nas_space_files(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto space = std::make_shared<const NasSpace>(NasSpace::load_file(f.string()));
    nas_spaces().add({space->name(),
                      space->description().empty() ? f.filename().string() : space->description(),
                      {},
                      [space] { return std::make_unique<NasSpace>(*space); }});
  }
}

}  // namespace coda::space
