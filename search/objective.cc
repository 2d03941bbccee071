#include "search/objective.h"

#include <cmath>

#include "core/error.h"
#include "core/text.h"

namespace coda::search {

std::vector<std::string> Objective::metrics() {
  return {"latency_ms", "energy_mj", "area_mm2", "params", "macs"};
}

double Measured::metric(const std::string& name) const {
  if (name == "latency_ms") return latency_ms;
  if (name == "energy_mj") return energy_mj;
  if (name == "area_mm2") return area_mm2;
  if (name == "params") return params;
  if (name == "macs") return macs;
  throw InputError({}, "metric",
                   "unknown metric '" + name + "'; available: " + join(Objective::metrics(), ", "));
}

namespace {

void weights_of(const std::string& file, const YAML::Node& node, const std::string& kind,
                Constraint& c) {
  if (kind == "hard") {
    c.p = 0, c.q = -1;
  } else if (kind == "soft") {
    c.p = -0.07, c.q = -0.07;
  } else {
    throw InputError(location_of(file, node), "kind",
                     "unknown constraint kind '" + kind + "'; allowed: hard, soft");
  }
}

}  // namespace

Objective Objective::load(const YamlDoc& doc, const YAML::Node& node) {
  require_map(doc.file, node, "the objective");
  std::vector<std::string> keys = metrics();
  keys.insert(keys.end(), {"kind", "constraints"});
  check_keys(doc.file, node, keys, "the objective");
  const std::string kind = node["kind"] ? read_string(doc.file, node, "kind") : "soft";
  Objective o;
  for (const auto& m : metrics()) {
    if (!node[m]) continue;
    Constraint c{m, read_double(doc.file, node, m), 0, 0};
    if (!(c.target > 0)) throw InputError(location_of(doc.file, node[m]), m, "must be positive");
    weights_of(doc.file, node["kind"] ? node["kind"] : node, kind, c);
    o.constraints_.push_back(c);
  }
  if (const YAML::Node list = node["constraints"]) {
    if (!list.IsSequence()) {
      throw InputError(location_of(doc.file, list), "constraints", "expected a list");
    }
    for (const auto& item : list) {
      require_map(doc.file, item, "a constraint");
      check_keys(doc.file, item, {"metric", "target", "kind", "p", "q"}, "a constraint");
      Constraint c;
      c.metric = read_string(doc.file, item, "metric");
      Measured{}.metric(c.metric);  // validates the name
      c.target = read_double(doc.file, item, "target");
      if (!(c.target > 0)) {
        throw InputError(location_of(doc.file, item["target"]), "target", "must be positive");
      }
      weights_of(doc.file, item, item["kind"] ? read_string(doc.file, item, "kind") : kind, c);
      if (item["p"]) c.p = read_double(doc.file, item, "p");
      if (item["q"]) c.q = read_double(doc.file, item, "q");
      o.constraints_.push_back(c);
    }
  }
  return o;
}

double Objective::reward(const Measured& m) const {
  if (!m.feasible) return 0;
  double r = m.accuracy;
  for (const auto& c : constraints_) {
    const double v = m.metric(c.metric);
    const double w = v <= c.target ? c.p : c.q;
    r *= std::pow(v / c.target, w);
  }
  return r;
}

bool Objective::satisfied(const Measured& m) const {
  if (!m.feasible) return false;
  for (const auto& c : constraints_) {
    if (m.metric(c.metric) > c.target) return false;
  }
  return true;
}

}  // namespace coda::search
