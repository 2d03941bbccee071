#include "search/objective.h"

#include "core/error.h"
#include "core/text.h"

namespace coda::search {

const std::vector<std::string>& Measured::metric_names() {
  static const std::vector<std::string> names = {"accuracy", "latency_ms", "energy_mj",
                                                 "area_mm2", "params",     "macs"};
  return names;
}

double Measured::metric(const std::string& name) const {
  if (name == "accuracy") return accuracy;
  if (name == "latency_ms") return latency_ms;
  if (name == "energy_mj") return energy_mj;
  if (name == "area_mm2") return area_mm2;
  if (name == "params") return params;
  if (name == "macs") return macs;
  throw InputError({}, "metric",
                   "unknown metric '" + name + "'; available: " + join(metric_names(), ", "));
}

std::vector<ParetoAxis> Objective::pareto_axes() const {
  return {{"accuracy", true}, {"latency_ms", false}, {"energy_mj", false}, {"area_mm2", false}};
}

ObjectiveRegistry& objectives() {
  static ObjectiveRegistry r("objective", "name", "");
  return r;
}

std::unique_ptr<Objective> make_objective(const std::string& name, const std::string& yaml_options,
                                          const std::string& file) {
  const YamlDoc doc = load_yaml_string(yaml_options, file);
  return objectives().make(
      name, Options::from_yaml(objectives().at(name).options, "objective " + name, doc, doc.root));
}

}  // namespace coda::search
