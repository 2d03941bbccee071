#include "sim/stats.h"

#include <stdexcept>

namespace coda::sim {

std::size_t StatGroup::add(std::string name, std::string unit, std::string description) {
  for (const auto& s : stats_) {
    if (s.name == name) throw std::logic_error("stat '" + name + "' declared twice in " + name_);
  }
  stats_.push_back({std::move(name), std::move(unit), std::move(description), 0});
  return stats_.size() - 1;
}

double StatGroup::get(const std::string& name) const {
  for (const auto& s : stats_)
    if (s.name == name) return s.value;
  throw std::logic_error("no stat '" + name + "' in " + name_);
}

void StatGroup::reset() {
  for (auto& s : stats_) s.value = 0;
}

nlohmann::json StatGroup::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& s : stats_) {
    j[s.name] = {{"value", s.value}, {"unit", s.unit}, {"description", s.description}};
  }
  return j;
}

}  // namespace coda::sim
