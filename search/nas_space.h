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
};

class NasSpace {
 public:
  // NAHAS S1 (§3.2.1): MobileNetV2's 17 inverted-residual blocks; kernel
  // {3, 5, 7} for every block and expansion {3, 6} for all but the first
  // (fixed at 1). About 8.4e12 candidates.
  static NasSpace nahas_s1(int input = 224, int classes = 1000);
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
  std::string name_;
  int input_ = 224;
  int classes_ = 1000;
  std::vector<Decision> decisions_;
};

}  // namespace coda::search
