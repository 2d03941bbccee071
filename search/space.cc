#include "search/space.h"

#include "core/error.h"
#include "core/text.h"

namespace coda::search {

SearchSpace::SearchSpace(std::optional<space::NasSpace> nas,
                         std::optional<network::Network> fixed_net,
                         std::optional<space::HwSpace> hw, std::optional<ParamSet> fixed_hw)
    : nas_(std::move(nas)),
      fixed_net_(std::move(fixed_net)),
      hw_(std::move(hw)),
      fixed_hw_(std::move(fixed_hw)) {
  if (nas_.has_value() == fixed_net_.has_value()) {
    throw InputError({}, "network", "give either a network space or a fixed network");
  }
  if (nas_) {
    for (const auto& d : nas_->decisions()) {
      dims_.push_back({d.name, d.labels});
    }
  }
  nas_dims_ = dims_.size();
  add_hw_dimensions();
}

SearchSpace::SearchSpace(network::Network backbone,
                         std::vector<network::CompressionDimension> compression,
                         std::optional<space::HwSpace> hw, std::optional<ParamSet> fixed_hw)
    : fixed_net_(std::move(backbone)),
      hw_(std::move(hw)),
      fixed_hw_(std::move(fixed_hw)),
      compression_(std::move(compression)) {
  for (const auto& d : compression_) {
    Dimension dim{d.name(), {}};
    for (int v : d.values) dim.labels.push_back(d.label(v));
    dims_.push_back(std::move(dim));
  }
  nas_dims_ = dims_.size();
  add_hw_dimensions();
}

void SearchSpace::add_hw_dimensions() {
  if (hw_.has_value() == fixed_hw_.has_value()) {
    throw InputError({}, "hardware", "give either a hardware space or a fixed hardware config");
  }
  if (hw_) {
    ParamSet probe = hw_->point(0);
    for (const auto& d : hw_->dimensions()) {
      Dimension dim{d.name, {}};
      for (double v : d.values) {
        probe.set(d.name, v);
        dim.labels.push_back(probe.text(d.name));
      }
      dims_.push_back(std::move(dim));
    }
  }
}

double SearchSpace::size() const {
  double n = 1;
  for (const auto& d : dims_) n *= d.size();
  return n;
}

ParamSet SearchSpace::hw_of(const Candidate& x) const {
  if (!hw_) return *fixed_hw_;
  // HwSpace::point is mixed radix with the last dimension fastest.
  long long index = 0;
  for (std::size_t k = nas_dims_; k < dims_.size(); ++k) {
    index = index * dims_[k].size() + x[k];
  }
  return hw_->point(index);
}

Decoded SearchSpace::decode(const Candidate& x) const {
  if (x.size() != dims_.size()) {
    throw InputError(
        {}, "candidate",
        "expected " + std::to_string(dims_.size()) + " choices, got " + std::to_string(x.size()));
  }
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (x[k] < 0 || x[k] >= dims_[k].size()) {
      throw InputError({}, dims_[k].name,
                       "choice " + std::to_string(x[k]) + " out of range 0.." +
                           std::to_string(dims_[k].size() - 1));
    }
  }
  const Candidate nas_part(x.begin(), x.begin() + static_cast<long>(nas_dims_));
  network::Network net = nas_ ? nas_->decode(nas_part) : *fixed_net_;
  if (!compression_.empty()) network::apply_compression(net, compression_, nas_part);
  return {std::move(net), hw_of(x)};
}

std::string SearchSpace::describe(const Candidate& x) const {
  std::string nas =
      nas_ ? nas_->describe(Candidate(x.begin(), x.begin() + static_cast<long>(nas_dims_)))
           : fixed_net_->name();
  if (!compression_.empty()) {
    // The backbone and the decisions that change it.
    std::vector<std::string> changed;
    for (std::size_t k = 0; k < nas_dims_; ++k) {
      if (x[k] != 0) changed.push_back(dims_[k].name + "=" + dims_[k].labels[x[k]]);
    }
    if (!changed.empty()) nas += "[" + join(changed, ",") + "]";
  }
  std::vector<std::string> hw;
  for (std::size_t k = nas_dims_; k < dims_.size(); ++k) {
    hw.push_back(dims_[k].name + "=" + dims_[k].labels[static_cast<std::size_t>(x[k])]);
  }
  return hw.empty() ? nas : nas + "|" + join(hw, ",");
}

std::string SearchSpace::key(const Candidate& x) {
  std::string s;
  for (std::size_t i = 0; i < x.size(); ++i) s += (i ? "," : "") + std::to_string(x[i]);
  return s;
}

Candidate SearchSpace::parse_key(const std::string& key) {
  Candidate x;
  if (key.empty()) return x;
  for (const auto& p : split(key, ',')) {
    auto v = parse_int(p);
    if (!v) throw InputError({}, "candidate", "bad candidate key '" + key + "'");
    x.push_back(static_cast<int>(*v));
  }
  return x;
}

SearchSpace SearchSpace::with_fixed_hw(const ParamSet& hw) const {
  if (!compression_.empty()) return SearchSpace(*fixed_net_, compression_, std::nullopt, hw);
  return SearchSpace(nas_, fixed_net_, std::nullopt, hw);
}

}  // namespace coda::search
