// What the layer-level cost model sees (nn-Meter's kernel-level idea): one
// row per layer that may cost time, and one row per network. A layer row
// holds the layer's own shapes and operator, the network context a layer's
// cost depends on (whether the weights can stay on chip, whether it loads
// the image) and the hardware knobs; a network row holds what the
// network-level correction sees. Nothing refers to a layer's position among
// the others or to a search space, so networks of any family featurize alike.
//
// With a `twin` (the family's analytical model, sim::Accelerator::analytical)
// each row also carries the twin's estimate for that layer and each network
// the twin's total: the model then learns the twin's error, which depends
// far less on the network family than latency itself does (the twin's
// roofline already knows the mapping, ceilings and weight residency).
#pragma once

#include <string>
#include <vector>

#include "core/params.h"
#include "models/network/network.h"
#include "sim/accelerator.h"

namespace coda::cost {

// v2: the op one-hot gained `slice`.
inline constexpr int kLayerFeaturizerVersion = 2;

struct LayerRows {
  std::vector<int> position;  // each row's layer, by topological position
  std::vector<float> layer;   // position.size() x layer_size()
  std::vector<float> net;     // net_size()
};

class LayerFeaturizer {
 public:
  explicit LayerFeaturizer(const std::vector<ParamDecl>& hw_decls,
                           sim::Accelerator* twin = nullptr);
  bool uses_twin() const { return twin_ != nullptr; }

  std::size_t layer_size() const { return layer_names_.size(); }
  std::size_t net_size() const { return net_names_.size(); }
  const std::vector<std::string>& layer_names() const { return layer_names_; }
  const std::vector<std::string>& net_names() const { return net_names_; }
  int version() const { return kLayerFeaturizerVersion; }

  // Input, flatten and channel-shuffle layers move no data on any family and
  // get no row; every other layer does (the model learns which ones a family
  // fuses into a neighbour or runs for free).
  LayerRows rows(const network::Network& net, const ParamSet& hw) const;

 private:
  const std::vector<ParamDecl>* hw_;
  sim::Accelerator* twin_;
  std::vector<std::string> layer_names_, net_names_;
};

}  // namespace coda::cost
