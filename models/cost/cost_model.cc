#include "models/cost/cost_model.h"

#include <map>

#include "core/error.h"
#include "core/text.h"
#include "sim/accelerator.h"

namespace coda::cost {
namespace {

std::map<std::string, CostModelFactory>& registry() {
  static std::map<std::string, CostModelFactory> r;
  return r;
}

Metrics to_metrics(const sim::SimResult& r) {
  return {r.feasible, r.reason, r.latency_s, r.energy_j, r.area_mm2};
}

// Both built-in models wrap an accelerator: the SystemC simulation or its
// analytical twin.
class AcceleratorModel : public CostModel {
 public:
  AcceleratorModel(std::string arch, bool analytical)
      : acc_(sim::accelerator(arch)), analytical_(analytical) {}
  std::string name() const override { return analytical_ ? "analytical" : "simulator"; }
  std::vector<Metrics> evaluate(const std::vector<Query>& batch) override {
    std::vector<Metrics> out;
    out.reserve(batch.size());
    for (const auto& q : batch) {
      out.push_back(to_metrics(analytical_ ? acc_.analytical(*q.net, *q.hw)
                                           : acc_.simulate(*q.net, *q.hw, {})));
    }
    return out;
  }

 private:
  sim::Accelerator& acc_;
  bool analytical_;
};

bool register_builtins() {
  registry()["simulator"] = [](const std::string&, const std::string& arch) {
    return std::make_unique<AcceleratorModel>(arch, false);
  };
  registry()["analytical"] = [](const std::string&, const std::string& arch) {
    return std::make_unique<AcceleratorModel>(arch, true);
  };
  return true;
}

void ensure_builtins() {
  static const bool done = register_builtins();
  (void)done;
}

}  // namespace

void register_cost_model(const std::string& kind, CostModelFactory factory) {
  ensure_builtins();
  registry()[kind] = std::move(factory);
}

std::vector<std::string> cost_model_kinds() {
  ensure_builtins();
  std::vector<std::string> out;
  for (const auto& [k, f] : registry()) out.push_back(k);
  return out;
}

std::unique_ptr<CostModel> make_cost_model(const std::string& spec, const std::string& arch) {
  ensure_builtins();
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  auto it = registry().find(kind);
  if (it == registry().end()) {
    throw InputError(
        {}, "cost-model",
        "unknown cost model '" + kind + "'; available: " + join(cost_model_kinds(), ", "));
  }
  return it->second(colon == std::string::npos ? "" : spec.substr(colon + 1), arch);
}

}  // namespace coda::cost
