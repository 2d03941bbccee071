// Objectives (DESIGN.md "Core interfaces"). The NAHAS weighted product
// (eq. 4-6): reward = accuracy * prod_i (m_i / T_i)^w_i, with w_i = p when
// m_i <= T_i and q otherwise; hard constraints use p = 0, q = -1, soft ones
// p = q = -0.07 (MnasNet). Constraints may name latency_ms, energy_mj,
// area_mm2, params or macs, each with its own p and q.
#pragma once

#include <string>
#include <vector>

#include "core/yaml_util.h"

namespace coda::search {

struct Measured {
  bool feasible = true;
  double accuracy = 0;
  double latency_ms = 0, energy_mj = 0, area_mm2 = 0;
  double params = 0, macs = 0;
  double metric(const std::string& name) const;
};

struct Constraint {
  std::string metric;
  double target = 0;
  double p = 0, q = -1;
};

class Objective {
 public:
  // YAML: {latency_ms: 0.5, area_mm2: 12, kind: soft|hard,
  //        constraints: [{metric: params, target: 4e6, kind: hard}, ...]}
  static Objective load(const YamlDoc& doc, const YAML::Node& node);
  static std::vector<std::string> metrics();  // the names constraints may use

  const std::vector<Constraint>& constraints() const { return constraints_; }
  void add(Constraint c) { constraints_.push_back(std::move(c)); }
  // 0 for an infeasible design.
  double reward(const Measured& m) const;
  bool satisfied(const Measured& m) const;

 private:
  std::vector<Constraint> constraints_;
};

}  // namespace coda::search
