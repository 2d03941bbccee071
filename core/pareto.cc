#include "core/pareto.h"

#include <algorithm>
#include <stdexcept>

namespace coda {

ParetoArchive::ParetoArchive(std::vector<ParetoAxis> axes) : axes_(std::move(axes)) {}

// a is no worse than b on every axis.
bool ParetoArchive::dominates_or_equals(const std::vector<double>& a,
                                        const std::vector<double>& b) const {
  for (std::size_t k = 0; k < axes_.size(); ++k) {
    if (axes_[k].maximize ? a[k] < b[k] : a[k] > b[k]) return false;
  }
  return true;
}

bool ParetoArchive::dominates(const std::vector<double>& a, const std::vector<double>& b) const {
  if (!dominates_or_equals(a, b)) return false;
  for (std::size_t k = 0; k < axes_.size(); ++k) {
    if (a[k] != b[k]) return true;
  }
  return false;
}

bool ParetoArchive::insert(std::size_t id, const std::vector<double>& values) {
  if (values.size() != axes_.size()) {
    throw std::logic_error("Pareto point with " + std::to_string(values.size()) + " values for " +
                           std::to_string(axes_.size()) + " axes");
  }
  for (const auto& [other, v] : front_) {
    if (dominates_or_equals(v, values)) return false;
  }
  std::vector<std::pair<std::size_t, std::vector<double>>> kept;
  for (auto& p : front_) {
    if (!dominates(values, p.second)) kept.push_back(std::move(p));
  }
  kept.emplace_back(id, values);
  front_ = std::move(kept);
  return true;
}

std::vector<std::size_t> ParetoArchive::front() const {
  std::vector<std::size_t> ids;
  for (const auto& [id, v] : front_) ids.push_back(id);
  return ids;
}

std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& points,
                                      const std::vector<ParetoAxis>& axes) {
  ParetoArchive a(axes);
  for (std::size_t i = 0; i < points.size(); ++i) a.insert(i, points[i]);
  auto ids = a.front();
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace coda
