// One Pareto archive for every multi-objective result: the latency-area front
// of a sweep, the accuracy-latency-energy-area front of a search, and the
// fronts that `coda validate` compares. A point is dominated when another is
// no worse on every axis and better on one; of equal points the first one
// offered stays, so a front never lists the same trade-off twice.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace coda {

struct ParetoAxis {
  std::string name;
  bool maximize = false;
};

class ParetoArchive {
 public:
  explicit ParetoArchive(std::vector<ParetoAxis> axes);

  // Offers point `id`; true when it joins the front (the points it dominates
  // leave). `values` has one entry per axis.
  bool insert(std::size_t id, const std::vector<double>& values);
  // The ids on the front, in the order they were offered.
  std::vector<std::size_t> front() const;
  const std::vector<ParetoAxis>& axes() const { return axes_; }

 private:
  bool dominates_or_equals(const std::vector<double>& a, const std::vector<double>& b) const;
  bool dominates(const std::vector<double>& a, const std::vector<double>& b) const;
  std::vector<ParetoAxis> axes_;
  std::vector<std::pair<std::size_t, std::vector<double>>> front_;
};

// The front of `points` (indices into it, ascending).
std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& points,
                                      const std::vector<ParetoAxis>& axes);

}  // namespace coda
