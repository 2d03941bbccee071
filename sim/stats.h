// Stats with a name, unit and description (STYLE.md 4), written as JSON. A
// group's JSON becomes a row of the cost model's training data.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace coda::sim {

struct Stat {
  std::string name;
  std::string unit;
  std::string description;
  double value = 0;
};

class StatGroup {
 public:
  explicit StatGroup(std::string name) : name_(std::move(name)) {}

  // Declares a stat once; returns a stable index for cheap updates.
  std::size_t add(std::string name, std::string unit, std::string description);
  void set(std::size_t id, double v) { stats_[id].value = v; }
  void inc(std::size_t id, double v = 1) { stats_[id].value += v; }
  double get(std::size_t id) const { return stats_[id].value; }
  double get(const std::string& name) const;
  void reset();

  const std::string& name() const { return name_; }
  const std::vector<Stat>& stats() const { return stats_; }
  // {"<stat>": {"value": v, "unit": u, "description": d}, ...}
  nlohmann::json to_json() const;

 private:
  std::string name_;
  std::vector<Stat> stats_;
};

}  // namespace coda::sim
