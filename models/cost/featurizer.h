// Turns (Network, HwConfig) into a fixed-size vector for the learned cost
// model: per-layer features for up to L_max layers (padded, with a mask),
// network aggregates, and the hardware knobs normalised from their
// declarations. The feature names and version are written next to every
// dataset and model, so a model never reads features it was not trained on.
#pragma once

#include <string>
#include <vector>

#include "core/params.h"
#include "models/network/network.h"

namespace coda::cost {

// v2: the op one-hot gained `slice`.
inline constexpr int kFeaturizerVersion = 2;

// A hardware knob in [0, 1] from its declaration: a categorical field by its
// label index, a range spanning more than a decade in log space.
float normalise_knob(const ParamDecl& d, double v);

class Featurizer {
 public:
  Featurizer(const std::vector<ParamDecl>& hw_decls, int max_layers = 80);

  int max_layers() const { return max_layers_; }
  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  int version() const { return kFeaturizerVersion; }

  // Layers beyond max_layers are summarised only in the aggregates; free
  // layers (input, flatten, shuffle) carry no cost and are skipped.
  std::vector<float> features(const network::Network& net, const ParamSet& hw) const;

  static int per_layer();  // features per layer slot, mask included

 private:
  const std::vector<ParamDecl>* hw_;
  int max_layers_;
  std::vector<std::string> names_;
};

}  // namespace coda::cost
