// Objectives (DESIGN.md "Core interfaces"): what a search rewards. An
// objective turns a candidate's measured metrics into a reward (higher is
// better) and names the axes of the run's Pareto archive. Objectives register
// in objectives() with their declared options and are picked in an
// experiment by `objective: {name: NAME, <options>}`; the builtin `nahas`
// (NAHAS eq. 4-6) lives in search/objectives/.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/options.h"
#include "core/pareto.h"
#include "core/registry.h"

namespace coda::search {

struct Measured {
  bool feasible = true;
  double accuracy = 0;
  double latency_ms = 0, energy_mj = 0, area_mm2 = 0;
  double params = 0, macs = 0;
  // By name: accuracy, latency_ms, energy_mj, area_mm2, params or macs.
  double metric(const std::string& name) const;
  static const std::vector<std::string>& metric_names();
};

class Objective {
 public:
  virtual ~Objective() = default;
  // 0 (or less) for designs it rejects; infeasible designs are never asked.
  virtual double reward(const Measured& m) const = 0;
  // Whether the design meets every constraint the objective sets.
  virtual bool satisfied(const Measured& m) const { return m.feasible; }
  // Whether the reward of a design with these costs depends on its accuracy
  // (the search then evaluates it); m.accuracy is not yet known. HotNAS
  // skips fine-tuning past the timing constraint.
  virtual bool needs_accuracy(const Measured& m) const { return m.feasible; }
  // The axes of the run's Pareto archive (pareto.csv), each a Measured
  // metric: by default accuracy up, latency, energy and area down.
  virtual std::vector<ParetoAxis> pareto_axes() const;
  // For gradient-based search (dnas): d log(reward) / d log(metric) at m for
  // each cost metric the reward depends on (latency_ms, energy_mj,
  // area_mm2); empty when the objective offers no such slopes.
  virtual std::vector<std::pair<std::string, double>> log_slopes(const Measured& m) const {
    (void)m;
    return {};
  }
};

using ObjectiveRegistry = Registry<Objective, const Options&>;
ObjectiveRegistry& objectives();
// An objective with its options given as YAML text (tests, programs).
std::unique_ptr<Objective> make_objective(const std::string& name, const std::string& yaml_options,
                                          const std::string& file = "objective.yaml");

}  // namespace coda::search
