#include "search/nas_space.h"

#include <cmath>

#include "core/error.h"
#include "models/network/blocks.h"

namespace coda::search {
namespace {

// MobileNetV2's stages: expansion t, channels c, repeats n, first stride s.
struct Stage {
  int t, c, n, s;
};
constexpr Stage kMbv2[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                           {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

}  // namespace

NasSpace NasSpace::nahas_s1(int input, int classes) {
  NasSpace s;
  s.name_ = "nahas_s1";
  s.input_ = input;
  s.classes_ = classes;
  int block = 0;
  for (const auto& st : kMbv2) {
    for (int i = 0; i < st.n; ++i, ++block) {
      s.decisions_.push_back({"block" + std::to_string(block) + ".kernel", {3, 5, 7}});
      s.decisions_.push_back({"block" + std::to_string(block) + ".expansion",
                              block == 0 ? std::vector<int>{1} : std::vector<int>{3, 6}});
    }
  }
  return s;
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
  throw InputError(location_of(doc.file, node["space"]), "space",
                   "unknown NAS space '" + space + "'; available: nahas_s1");
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
  using namespace network;
  Builder b(name_ + ":" + describe(choices), {3, input_, input_});
  auto x = b.conv("features.0", b.input(), ConvSpec::make(32, 3, 2, Activation::kRelu6));
  int block = 0;
  for (const auto& st : kMbv2) {
    for (int i = 0; i < st.n; ++i, ++block) {
      IbnSpec s;
      s.out = st.c;
      s.kernel = decisions_[2 * block].values[choices[2 * block]];
      s.mid = b.channels(x) * decisions_[2 * block + 1].values[choices[2 * block + 1]];
      s.stride = i == 0 ? st.s : 1;
      s.act = Activation::kRelu6;
      x = inverted_residual(b, "features." + std::to_string(block + 1), x, s);
    }
  }
  x = b.conv("features.18", x, ConvSpec::make(1280, 1, 1, Activation::kRelu6));
  x = b.global_avg_pool("pool", x);
  x = b.flatten("flatten", x);
  b.linear("classifier", x, classes_);
  return b.take();
}

std::string NasSpace::describe(const std::vector<int>& choices) const {
  std::string out;
  for (std::size_t i = 0; i + 1 < choices.size(); i += 2) {
    if (!out.empty()) out += "-";
    out += "k" + std::to_string(decisions_[i].values[choices[i]]) + "e" +
           std::to_string(decisions_[i + 1].values[choices[i + 1]]);
  }
  return out;
}

}  // namespace coda::search
