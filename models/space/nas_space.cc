#include "models/space/nas_space.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/params.h"
#include "core/text.h"
#include "models/network/blocks.h"

namespace coda::space {
namespace {

// The fields a layer may fix or choose, in the order of its decisions.
enum Field { kBlock, kType, kKernel, kExpansion, kFilters, kGroups, kSe, kWidth, kDepth, kFields };
const char* const kFieldNames[kFields] = {"block",  "type", "kernel", "expansion", "filters",
                                          "groups", "se",   "width",  "depth"};
const std::vector<std::string> kTypes = {"ibn", "fused", "skip", "basic", "bottleneck", "conv"};

using Block = NasSpace::Block;

// One field's value written as text (a YAML scalar), parsed into `b`.
void set_field(Block& b, int f, const std::string& file, const YAML::Node& node) {
  const std::string name = kFieldNames[f];
  const std::string text = node.Scalar();
  const SourceLocation where = location_of(file, node);
  auto integer = [&](int lo, int hi) {
    const auto v = parse_int(text);
    if (!v || *v < lo || *v > hi) {
      throw InputError(where, name,
                       "'" + text + "' is not allowed; an integer from " + std::to_string(lo) +
                           " to " + std::to_string(hi));
    }
    return static_cast<int>(*v);
  };
  auto number = [&](double lo, double hi) {
    const auto v = parse_double(text);
    if (!v || !(*v > lo) || *v > hi) {
      throw InputError(where, name,
                       "'" + text + "' is not allowed; a number above " + format_number(lo) +
                           " up to " + format_number(hi));
    }
    return *v;
  };
  switch (f) {
    case kType:
      if (std::find(kTypes.begin(), kTypes.end(), text) == kTypes.end()) {
        throw InputError(where, name,
                         "unknown block type '" + text + "'; allowed: " + join(kTypes, ", "));
      }
      b.type = text;
      break;
    case kKernel:
      b.kernel = integer(1, 15);
      break;
    case kExpansion:
      b.expansion = integer(1, 16);
      break;
    case kFilters:
      b.filters = number(0, 16);
      break;
    case kGroups:
      b.groups = integer(1, 64);
      break;
    case kSe: {
      const auto v = parse_double(text);
      if (!v || *v < 0 || *v > 1) {
        throw InputError(where, name, "'" + text + "' is not allowed; a ratio from 0 to 1");
      }
      b.se = *v;
      break;
    }
    case kWidth:
      b.width = number(0, 16);
      break;
    case kDepth:
      b.depth = integer(1, 16);
      break;
    default:
      break;
  }
}

void copy_field(Block& to, const Block& from, int f) {
  switch (f) {
    case kType:
      to.type = from.type;
      break;
    case kKernel:
      to.kernel = from.kernel;
      break;
    case kExpansion:
      to.expansion = from.expansion;
      break;
    case kFilters:
      to.filters = from.filters;
      break;
    case kGroups:
      to.groups = from.groups;
      break;
    case kSe:
      to.se = from.se;
      break;
    case kWidth:
      to.width = from.width;
      break;
    case kDepth:
      to.depth = from.depth;
      break;
    default:
      break;
  }
}

std::string label_of(int f, const std::string& text) {
  return f == kFilters ? "x" + format_number(*parse_double(text)) : text;
}

int field_of(const std::string& key) {
  for (int f = 0; f < kFields; ++f)
    if (key == kFieldNames[f]) return f;
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

NasSpace NasSpace::open(const std::string& name_or_file) {
  const std::string& s = name_or_file;
  if (s.size() > 5 && (s.rfind(".yaml") == s.size() - 5 || s.rfind(".yml") == s.size() - 4)) {
    return load_file(s);
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
              "flatten", "classifier"},
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
                               "'; allowed fields: type, kernel, expansion, filters, groups, se, "
                               "width, depth");
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
  for (const char* f : kFieldNames) layer_keys.push_back(f);
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
    for (int f = 0; f < kFields; ++f) {
      const char* key = kFieldNames[f];
      const YAML::Node v = ln[key]    ? ln[key]
                           : defaults ? defaults[key]
                                      : YAML::Node(YAML::NodeType::Undefined);
      if (!v) continue;
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
    const std::string written = read_string(doc.file, node, "file");
    std::filesystem::path p(written);
    if (p.is_relative()) p = std::filesystem::path(doc.file).parent_path() / p;
    s = load_file(p.string());
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
    for (int f = kType; f < kFields; ++f) {
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
  const Activation act = l.activation.empty() ? *activation_from_name(activation_)
                                              : *activation_from_name(l.activation);
  const std::int64_t in = b.channels(x);
  const std::int64_t out =
      blk.filters == 1 ? l.out : make_divisible(static_cast<double>(l.out) * blk.filters);
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
  x = b.global_avg_pool(pool_, x);
  x = b.flatten(flatten_, x);
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
    for (int f = kType; f < kFields; ++f) {
      const std::string key = std::string("{") + kFieldNames[f] + "}";
      std::string value;
      switch (f) {
        case kType:
          value = blk.type;
          break;
        case kKernel:
          value = std::to_string(blk.kernel);
          break;
        case kExpansion:
          value = std::to_string(blk.expansion);
          break;
        case kFilters:
          value = "x" + format_number(blk.filters);
          break;
        case kGroups:
          value = std::to_string(blk.groups);
          break;
        case kSe:
          value = format_number(blk.se);
          break;
        case kWidth:
          value = format_number(blk.width);
          break;
        case kDepth:
          value = std::to_string(blk.depth);
          break;
        default:
          break;
      }
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
    if ((mask >> kType & 1u) && b.type != plain.type)
      e << YAML::Key << "type" << YAML::Value << b.type;
    if ((mask >> kKernel & 1u) && b.kernel != plain.kernel)
      e << YAML::Key << "kernel" << YAML::Value << b.kernel;
    if ((mask >> kExpansion & 1u) && b.expansion != plain.expansion)
      e << YAML::Key << "expansion" << YAML::Value << b.expansion;
    if ((mask >> kFilters & 1u) && b.filters != plain.filters)
      e << YAML::Key << "filters" << YAML::Value << format_number(b.filters);
    if ((mask >> kGroups & 1u) && b.groups != plain.groups)
      e << YAML::Key << "groups" << YAML::Value << b.groups;
    if ((mask >> kSe & 1u) && b.se != plain.se)
      e << YAML::Key << "se" << YAML::Value << format_number(b.se);
    if ((mask >> kWidth & 1u) && b.width != plain.width)
      e << YAML::Key << "width" << YAML::Value << format_number(b.width);
    if ((mask >> kDepth & 1u) && b.depth != plain.depth)
      e << YAML::Key << "depth" << YAML::Value << b.depth;
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
      e << YAML::Key << kFieldNames[decision_fields_[d]] << YAML::Value << YAML::Flow
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
