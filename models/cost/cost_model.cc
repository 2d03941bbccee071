#include "models/cost/cost_model.h"

#include "core/error.h"
#include "sim/accelerator.h"

namespace coda::cost {
namespace {

Metrics to_metrics(const sim::SimResult& r) {
  return {r.feasible, r.reason, r.latency_s, r.energy_j, r.area_mm2};
}

// Both wrap an accelerator: the SystemC simulation or its analytical twin.
class AcceleratorModel : public CostModel {
 public:
  AcceleratorModel(const std::string& arch, bool analytical)
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

}  // namespace

CostModelRegistry& cost_models() {
  static CostModelRegistry r("cost model", "cost_model", "");
  return r;
}

std::string cost_model_kind(const std::string& spec) {
  return spec.substr(0, spec.find(':'));
}

std::unique_ptr<CostModel> make_cost_model(const std::string& spec, const CostModelContext& ctx) {
  const auto colon = spec.find(':');
  CostModelContext c = ctx;
  c.arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  return cost_models().make(cost_model_kind(spec), c);
}

std::unique_ptr<CostModel> make_cost_model(const std::string& spec, const std::string& arch) {
  const std::string kind = cost_model_kind(spec);
  CostModelContext c;
  c.arch = arch;
  c.options = Options(cost_models().at(kind).options, "cost model " + kind);
  return make_cost_model(spec, c);
}

void register_accelerator_cost_models() {
  cost_models().add(
      {"simulator", "the family's SystemC model (ground truth)", {}, [](const CostModelContext& c) {
         return std::make_unique<AcceleratorModel>(c.arch, false);
       }});
  cost_models().add(
      {"analytical",
       "the family's analytical twin of the SystemC model",
       {},
       [](const CostModelContext& c) { return std::make_unique<AcceleratorModel>(c.arch, true); }});
}

}  // namespace coda::cost
