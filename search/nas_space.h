// Neural-architecture search spaces. A candidate is a vector of choice
// indices, one per decision; decode() builds the Network from the zoo's block
// builders, so a candidate and its baseline share one definition.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "core/yaml_util.h"
#include "models/network/network.h"

namespace coda::search {

struct Decision {
  std::string name;         // e.g. "block3.kernel"
  std::vector<int> values;  // the allowed values
  std::vector<std::string> labels;  // optional names of the values ("k3_e6", "skip")
  std::string label(int choice) const;
};

class NasSpace {
 public:
  NasSpace() = default;
  // NAHAS S1 (§3.2.1): MobileNetV2's 17 inverted-residual blocks; kernel
  // {3, 5, 7} for every block and expansion {3, 6} for all but the first
  // (fixed at 1). About 8.4e12 candidates.
  static NasSpace nahas_s1(int input = 224, int classes = 1000);
  // NAHAS S2 (§3.2.1): EfficientNet-B0's 16 MBConv blocks (SE, swish);
  // kernel {3, 5, 7}, expansion {3, 6} but the first block (1). ~1.4e12.
  static NasSpace nahas_s2(int input = 224, int classes = 1000);
  // The NAHAS evolved space (§3.2.2, Fig. 4): EfficientNet-B0's block
  // positions, each an IBN or a fused-IBN, with kernel {3, 5}, expansion
  // {3, 6} (first block: 1), filter multiplier {0.5, 0.75, 1, 1.25} and
  // groups {1, 2} of the 1x1 convs; ReLU, no SE (edge-efficient).
  static NasSpace nahas_evolved(int input = 224, int classes = 1000);
  // FBNet (Wu et al. 2019, Table 1-2): 22 layers, each one of 9 blocks
  // (k3/k5 x e1/e1_g2/e3/e6, or skip where the shape allows).
  static NasSpace fbnet(int input = 224, int classes = 1000);
  static std::vector<std::string> names();  // the spaces load() knows
  // Loads `network:` of a joint space: {space: nahas_s1, input: N, classes: N}.
  static NasSpace load(const YamlDoc& doc, const YAML::Node& node);

  const std::string& name() const { return name_; }
  const std::vector<Decision>& decisions() const { return decisions_; }
  double size() const;
  std::vector<int> sample(std::mt19937_64& rng) const;
  // Throws InputError when a choice index is out of range.
  network::Network decode(const std::vector<int>& choices) const;
  std::string describe(const std::vector<int>& choices) const;  // "k3e1-k5e6-..."

 private:
  NasSpace(std::string name, int input, int classes)
      : name_(std::move(name)), input_(input), classes_(classes) {}
  network::Network decode_ibn_stages(const std::vector<int>& choices) const;
  network::Network decode_evolved(const std::vector<int>& choices) const;
  network::Network decode_fbnet(const std::vector<int>& choices) const;
  std::string name_;
  int input_ = 224;
  int classes_ = 1000;
  std::vector<Decision> decisions_;
};

}  // namespace coda::search
