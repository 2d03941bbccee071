// The space a strategy searches: a flat list of categorical dimensions (the
// NAS decisions, then the hardware fields), whatever the flow. A candidate is
// one choice index per dimension; decode() builds its Network and HwConfig.
// Either part can be fixed: NAS only (fixed hardware), HAS only (fixed
// network), or both searched (joint). The network part may instead be a
// backbone with compression dimensions (a HotNAS iSpace): the decisions set
// each dimension's compression on the backbone.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/params.h"
#include "models/network/compression_plan.h"
#include "models/network/network.h"
#include "models/space/hw_space.h"
#include "models/space/nas_space.h"

namespace coda::search {

using Candidate = std::vector<int>;

struct Dimension {
  std::string name;
  std::vector<std::string> labels;  // one per choice
  int size() const { return static_cast<int>(labels.size()); }
};

struct Decoded {
  network::Network net;
  ParamSet hw;
};

class SearchSpace {
 public:
  // A NAS space or a fixed network, times a hardware space or a fixed config.
  SearchSpace(std::optional<space::NasSpace> nas, std::optional<network::Network> fixed_net,
              std::optional<space::HwSpace> hw, std::optional<ParamSet> fixed_hw);
  // A backbone with compression dimensions (none: the backbone as it is),
  // times a hardware space or a fixed config.
  SearchSpace(network::Network backbone, std::vector<network::CompressionDimension> compression,
              std::optional<space::HwSpace> hw, std::optional<ParamSet> fixed_hw);

  const std::vector<Dimension>& dimensions() const { return dims_; }
  std::size_t nas_dimensions() const { return nas_dims_; }
  double size() const;
  bool searches_network() const { return nas_.has_value() || !compression_.empty(); }
  bool searches_hardware() const { return hw_.has_value(); }

  // Throws InputError when the candidate does not fit the dimensions, and
  // network::ShapeError (an InputError) when the network cannot be built.
  Decoded decode(const Candidate& x) const;
  // "k3e1-k5e6-...|pes_x=4,..." for tables and journals.
  std::string describe(const Candidate& x) const;
  static std::string key(const Candidate& x);  // "0,2,1,..."
  static Candidate parse_key(const std::string& key);

  // This space with the hardware part fixed to `hw` (phase/nested flows).
  SearchSpace with_fixed_hw(const ParamSet& hw) const;
  // The config of the hardware part of x (only when hardware is searched).
  ParamSet hw_of(const Candidate& x) const;
  const std::optional<space::HwSpace>& hw_space() const { return hw_; }
  const std::optional<space::NasSpace>& nas_space() const { return nas_; }
  const std::vector<network::CompressionDimension>& compression() const { return compression_; }

 private:
  std::optional<space::NasSpace> nas_;
  std::optional<network::Network> fixed_net_;
  std::optional<space::HwSpace> hw_;
  std::optional<ParamSet> fixed_hw_;
  std::vector<network::CompressionDimension> compression_;
  void add_hw_dimensions();
  std::vector<Dimension> dims_;
  std::size_t nas_dims_ = 0;
};

}  // namespace coda::search
