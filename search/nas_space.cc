#include "search/nas_space.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/text.h"
#include "models/network/blocks.h"

namespace coda::search {
namespace {

// MobileNetV2's stages: expansion t, channels c, repeats n, first stride s.
struct Stage {
  int t, c, n, s;
};
constexpr Stage kMbv2[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                           {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
// EfficientNet-B0's stages (torchvision): expansion, channels, repeats, stride.
constexpr Stage kB0[] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 40, 2, 2}, {6, 80, 3, 2},
                         {6, 112, 3, 1}, {6, 192, 4, 2}, {6, 320, 1, 1}};
// FBNet's macro-architecture (Wu et al. 2019, Table 1): channels, layers, stride.
constexpr Stage kFbnet[] = {{0, 16, 1, 1},  {0, 24, 4, 2},  {0, 32, 4, 2}, {0, 64, 4, 2},
                            {0, 112, 4, 1}, {0, 184, 4, 2}, {0, 352, 1, 1}};
// FBNet's candidate blocks (Table 2): kernel, expansion, groups; {0,0,0} = skip.
struct FbChoice {
  int kernel, expand, groups;
  const char* label;
};
constexpr FbChoice kFbChoices[] = {{3, 1, 1, "k3_e1"}, {3, 1, 2, "k3_e1_g2"}, {3, 3, 1, "k3_e3"},
                                   {3, 6, 1, "k3_e6"}, {5, 1, 1, "k5_e1"},    {5, 1, 2, "k5_e1_g2"},
                                   {5, 3, 1, "k5_e3"}, {5, 6, 1, "k5_e6"},    {0, 0, 0, "skip"}};
constexpr double kMultipliers[] = {0.5, 0.75, 1.0, 1.25};

}  // namespace

namespace {
// Kernel {3, 5, 7} per block, expansion {3, 6} for all but the first (1).
template <std::size_t N>
std::vector<Decision> kernel_expansion_decisions(const Stage (&stages)[N]) {
  std::vector<Decision> out;
  int block = 0;
  for (const auto& st : stages) {
    for (int i = 0; i < st.n; ++i, ++block) {
      out.push_back({"block" + std::to_string(block) + ".kernel", {3, 5, 7}, {}});
      out.push_back({"block" + std::to_string(block) + ".expansion",
                     block == 0 ? std::vector<int>{1} : std::vector<int>{3, 6}, {}});
    }
  }
  return out;
}
}  // namespace

NasSpace NasSpace::nahas_s1(int input, int classes) {
  NasSpace s("nahas_s1", input, classes);
  s.decisions_ = kernel_expansion_decisions(kMbv2);
  return s;
}

std::string Decision::label(int choice) const {
  const auto c = static_cast<std::size_t>(choice);
  return c < labels.size() ? labels[c] : std::to_string(values.at(c));
}

NasSpace NasSpace::nahas_s2(int input, int classes) {
  NasSpace s("nahas_s2", input, classes);
  s.decisions_ = kernel_expansion_decisions(kB0);
  return s;
}

NasSpace NasSpace::nahas_evolved(int input, int classes) {
  NasSpace s("nahas_evolved", input, classes);
  int block = 0;
  for (const auto& st : kB0) {
    for (int i = 0; i < st.n; ++i, ++block) {
      const std::string p = "block" + std::to_string(block);
      s.decisions_.push_back({p + ".type", {0, 1}, {"ibn", "fused"}});
      s.decisions_.push_back({p + ".kernel", {3, 5}, {}});
      s.decisions_.push_back({p + ".expansion", block == 0 ? std::vector<int>{1} : std::vector<int>{3, 6}, {}});
      s.decisions_.push_back({p + ".filters", {0, 1, 2, 3}, {"x0.5", "x0.75", "x1", "x1.25"}});
      s.decisions_.push_back({p + ".groups", {1, 2}, {}});
    }
  }
  return s;
}

NasSpace NasSpace::fbnet(int input, int classes) {
  NasSpace s("fbnet", input, classes);
  int layer = 0;
  int in = 16;  // the stem's channels
  for (const auto& st : kFbnet) {
    for (int i = 0; i < st.n; ++i, ++layer) {
      const bool can_skip = (i > 0 || st.s == 1) && in == st.c;
      Decision d{"layer" + std::to_string(layer) + ".block", {}, {}};
      for (int c = 0; c < 9; ++c) {
        if (kFbChoices[c].kernel == 0 && !can_skip) continue;
        d.values.push_back(c);
        d.labels.push_back(kFbChoices[c].label);
      }
      s.decisions_.push_back(d);
      in = st.c;
    }
  }
  return s;
}

std::vector<std::string> NasSpace::names() {
  return {"nahas_s1", "nahas_s2", "nahas_evolved", "fbnet"};
}

NasSpace NasSpace::load(const YamlDoc& doc, const YAML::Node& node) {
  require_map(doc.file, node, "the network space");
  check_keys(doc.file, node, {"space", "input", "classes"}, "the network space");
  const std::string space = read_string(doc.file, node, "space");
  const int input = node["input"] ? static_cast<int>(read_int(doc.file, node, "input")) : 224;
  const int classes =
      node["classes"] ? static_cast<int>(read_int(doc.file, node, "classes")) : 1000;
  if (input < 32 || input > 1024) {
    throw InputError(location_of(doc.file, node["input"]), "input", "allowed range: 32 to 1024");
  }
  if (classes < 1)
    throw InputError(location_of(doc.file, node["classes"]), "classes", "must be positive");
  if (space == "nahas_s1") return nahas_s1(input, classes);
  if (space == "nahas_s2") return nahas_s2(input, classes);
  if (space == "nahas_evolved") return nahas_evolved(input, classes);
  if (space == "fbnet") return fbnet(input, classes);
  throw InputError(location_of(doc.file, node["space"]), "space",
                   "unknown NAS space '" + space + "'; available: " + join(names(), ", "));
}

double NasSpace::size() const {
  double n = 1;
  for (const auto& d : decisions_) n *= static_cast<double>(d.values.size());
  return n;
}

std::vector<int> NasSpace::sample(std::mt19937_64& rng) const {
  std::vector<int> out;
  for (const auto& d : decisions_) {
    std::uniform_int_distribution<int> pick(0, static_cast<int>(d.values.size()) - 1);
    out.push_back(pick(rng));
  }
  return out;
}

network::Network NasSpace::decode(const std::vector<int>& choices) const {
  if (choices.size() != decisions_.size()) {
    throw InputError({}, "candidate",
                     "expected " + std::to_string(decisions_.size()) + " choices, got " +
                         std::to_string(choices.size()));
  }
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] < 0 || choices[i] >= static_cast<int>(decisions_[i].values.size())) {
      throw InputError({}, decisions_[i].name,
                       "choice " + std::to_string(choices[i]) + " out of range");
    }
  }
  if (name_ == "nahas_evolved") return decode_evolved(choices);
  if (name_ == "fbnet") return decode_fbnet(choices);
  return decode_ibn_stages(choices);
}

network::Network NasSpace::decode_ibn_stages(const std::vector<int>& choices) const {
  using namespace network;
  const bool b0 = name_ == "nahas_s2";
  const Activation act = b0 ? Activation::kSwish : Activation::kRelu6;
  Builder b(name_ + ":" + describe(choices), {3, input_, input_});
  auto x = b.conv("features.0", b.input(), ConvSpec::make(32, 3, 2, act));
  int block = 0;
  for (const auto& st : b0 ? kB0 : kMbv2) {
    for (int i = 0; i < st.n; ++i, ++block) {
      IbnSpec s;
      s.out = st.c;
      s.kernel = decisions_[2 * block].values[choices[2 * block]];
      s.mid = b.channels(x) * decisions_[2 * block + 1].values[choices[2 * block + 1]];
      s.stride = i == 0 ? st.s : 1;
      s.act = act;
      if (b0) {
        s.se = std::max<std::int64_t>(1, b.channels(x) / 4);  // EfficientNet: 0.25 of the input
        s.se_act = Activation::kSwish;
      }
      x = inverted_residual(b, "features." + std::to_string(block + 1), x, s);
    }
  }
  x = b.conv("features." + std::to_string(block + 1), x, ConvSpec::make(1280, 1, 1, act));
  x = b.global_avg_pool("pool", x);
  x = b.flatten("flatten", x);
  b.linear("classifier", x, classes_);
  return b.take();
}

network::Network NasSpace::decode_evolved(const std::vector<int>& choices) const {
  using namespace network;
  Builder b(name_ + ":" + describe(choices), {3, input_, input_});
  auto x = b.conv("stem", b.input(), ConvSpec::make(32, 3, 2, Activation::kRelu));
  int block = 0;
  for (const auto& st : kB0) {
    for (int i = 0; i < st.n; ++i, ++block) {
      auto v = [&](int k) { return decisions_[5 * block + k].values[choices[5 * block + k]]; };
      IbnSpec s;
      s.out = make_divisible(st.c * kMultipliers[v(3)]);
      s.kernel = v(1);
      s.mid = b.channels(x) * v(2);
      s.stride = i == 0 ? st.s : 1;
      s.act = Activation::kRelu;
      s.groups = v(4);
      const std::string n = "blocks." + std::to_string(block);
      x = v(0) == 1 ? fused_inverted_residual(b, n, x, s) : inverted_residual(b, n, x, s);
    }
  }
  x = b.conv("head", x, ConvSpec::make(1280, 1, 1, Activation::kRelu));
  x = b.global_avg_pool("pool", x);
  x = b.flatten("flatten", x);
  b.linear("classifier", x, classes_);
  return b.take();
}

network::Network NasSpace::decode_fbnet(const std::vector<int>& choices) const {
  std::vector<network::MbBlock> blocks;
  int layer = 0;
  for (const auto& st : kFbnet) {
    for (int i = 0; i < st.n; ++i, ++layer) {
      const FbChoice& c = kFbChoices[decisions_[layer].values[choices[layer]]];
      blocks.push_back({st.c, c.kernel, c.expand, i == 0 ? st.s : 1, c.groups});
    }
  }
  return network::mbconv_chain(name_ + ":" + describe(choices), {3, input_, input_}, classes_, 16,
                               blocks, 1984, network::Activation::kRelu);
}

std::string NasSpace::describe(const std::vector<int>& choices) const {
  std::string out;
  if (name_ != "nahas_s1" && name_ != "nahas_s2") {
    for (std::size_t i = 0; i < choices.size(); ++i) {
      out += (i ? "-" : "") + decisions_[i].label(choices[i]);
    }
    return out;
  }
  for (std::size_t i = 0; i + 1 < choices.size(); i += 2) {
    if (!out.empty()) out += "-";
    out += "k" + std::to_string(decisions_[i].values[choices[i]]) + "e" +
           std::to_string(decisions_[i + 1].values[choices[i + 1]]);
  }
  return out;
}

}  // namespace coda::search
