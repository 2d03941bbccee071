#include "models/cost/cost_model.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/worker_pool.h"
#include "models/network/zoo.h"
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

std::vector<Metrics> evaluate_in_workers(CostModel& model, const std::vector<Query>& batch,
                                         int workers) {
  if (workers <= 1 || batch.size() <= 1 || model.prefers_one_batch()) return model.evaluate(batch);
  std::vector<Metrics> out(batch.size());
  std::vector<long long> tasks;
  for (std::size_t i = 0; i < batch.size(); ++i) tasks.push_back(static_cast<long long>(i));
  run_worker_pool(
      tasks, {workers},
      [&](long long i) {
        const Metrics m = model.evaluate({batch[static_cast<std::size_t>(i)]}).at(0);
        return nlohmann::json{{"f", m.feasible},
                              {"r", m.reason},
                              {"l", m.latency_s},
                              {"e", m.energy_j},
                              {"a", m.area_mm2}}
            .dump();
      },
      [&](long long i, const std::string& line) {
        const auto js = nlohmann::json::parse(line);
        Metrics& m = out[static_cast<std::size_t>(i)];
        m.feasible = js.at("f");
        m.reason = js.at("r");
        m.latency_s = js.at("l");
        m.energy_j = js.at("e");
        m.area_mm2 = js.at("a");
      });
  return out;
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

nlohmann::json to_json(const Metrics& m) {
  return {{"feasible", m.feasible},          {"reason", m.reason},
          {"latency_ms", m.latency_s * 1e3}, {"energy_mj", m.energy_j * 1e3},
          {"area_mm2", m.area_mm2},          {"latency_sigma", m.latency_sigma}};
}

nlohmann::json run_predict(const PredictJob& job) {
  if (job.networks.empty()) throw InputError({}, "--network", "is required");
  const ParamSet hw = sim::load_hw(sim::accelerator(job.arch), job.hw, job.overrides);
  std::vector<network::Network> nets;
  for (const auto& n : job.networks) nets.push_back(network::load_network(n));
  std::vector<Query> batch;
  for (const auto& n : nets) batch.push_back({&n, &hw});
  const auto model = make_cost_model(job.cost_model, job.arch);
  const auto answers = model->evaluate(batch);
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < nets.size(); ++i) {
    nlohmann::json row = to_json(answers[i]);
    row["network"] = job.networks[i];
    rows.push_back(row);
  }
  return rows;
}

}  // namespace coda::cost
