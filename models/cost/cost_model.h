// The CostModel interface (DESIGN.md "Core interfaces"): a batch of
// (network, hardware) queries in, a batch of metrics out. Search and
// validation see only this interface; implementations register by kind in
// cost_models() and are picked by a spec, "kind" or "kind:arg"
// ("simulator", "analytical", "mlp:model.pt").
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/options.h"
#include "core/params.h"
#include "core/registry.h"
#include "models/network/network.h"

namespace coda::cost {

// z of the two-sided 90% interval of a normal distribution.
inline constexpr double kZ90Interval = 1.6448536269514722;

struct Metrics {
  bool feasible = true;
  std::string reason;
  double latency_s = 0;
  double energy_j = 0;
  double area_mm2 = 0;
  // How unsure a learned model is of latency: the standard deviation of its
  // log (calibrated, so exp(+-1.645 sigma) is a 90% interval); 0 when the
  // model gives no spread (the simulators, the analytical twins).
  double latency_sigma = 0;
};

struct Query {
  const network::Network* net;
  const ParamSet* hw;
};

// A relaxed search for a differentiable cost (DNAS, FBNet §3.3): categorical
// dimensions whose choices are weighted instead of picked. `groups` are the
// searchable layers: a group's dimensions are one layer's decisions, and the
// network layers named `prefix` or `prefix.*` are that layer's; every other
// dimension (the hardware fields) changes features, not layers.
struct RelaxedSpace {
  struct Group {
    std::string prefix;
    std::vector<std::size_t> dims;
  };
  std::vector<int> sizes;  // choices per dimension
  std::vector<Group> groups;
  std::function<std::pair<network::Network, ParamSet>(const std::vector<int>&)> decode;
};

// A cost's expectation under per-dimension weights (each list sums to 1),
// with its gradient: d[d][c] is the derivative with respect to weights[d][c].
struct Expectation {
  double log_latency_s = 0, log_energy_j = 0, log_area_mm2 = 0;
  double log_feasible = 0;  // log of the probability of being feasible (0 when always)
  std::vector<std::vector<double>> d_latency, d_energy, d_area, d_feasible;
};

class ExpectedCost {
 public:
  virtual ~ExpectedCost() = default;
  // `around` is the candidate an approximation expands around (the search's
  // most likely one): a model that is not linear in the weights is exact at
  // it and first-order away from it.
  virtual Expectation evaluate(const std::vector<std::vector<double>>& weights,
                               const std::vector<int>& around) = 0;
};

class CostModel {
 public:
  virtual ~CostModel() = default;
  virtual std::string name() const = 0;
  virtual std::vector<Metrics> evaluate(const std::vector<Query>& batch) = 0;
  // What answers, for reports: the kind with any file it loaded
  // ("mlp:/.../model.pt").
  virtual std::string source() const { return name(); }
  // True when one large batch in this process is fastest (a learned model);
  // false when queries gain from being spread over worker processes.
  virtual bool prefers_one_batch() const { return false; }
  // Simulated answers for `batch` that a learned model folds into itself
  // (online fine-tuning); returns false for models that do not learn.
  virtual bool learn(const std::vector<Query>& batch, const std::vector<Metrics>& truth) {
    (void)batch, (void)truth;
    return false;
  }
  // The expected cost over a relaxed space, differentiable in the weights,
  // for a model that offers one (mlp-layer); null otherwise.
  virtual std::unique_ptr<ExpectedCost> expected_cost(RelaxedSpace space) {
    (void)space;
    return nullptr;
  }
};

// What a factory gets: the spec's argument ("model.pt" of "mlp:model.pt"),
// the accelerator family, the kind's declared options and a seed for
// anything it builds (the MLP's training samples).
struct CostModelContext {
  std::string arg;
  std::string arch;
  Options options;
  unsigned long long seed = 1;
};

using CostModelRegistry = Registry<CostModel, const CostModelContext&>;
CostModelRegistry& cost_models();

// `spec` is "kind" or "kind:arg"; unknown kinds list the registered ones.
std::unique_ptr<CostModel> make_cost_model(const std::string& spec, const std::string& arch);
std::unique_ptr<CostModel> make_cost_model(const std::string& spec, const CostModelContext& ctx);
// The kind of a spec ("mlp" of "mlp:model.pt").
std::string cost_model_kind(const std::string& spec);

// `model`'s answers for `batch`: with workers > 1 and a model that does not
// prefer one batch (the simulators), spread over forked worker processes;
// otherwise one call. Same answers, in batch order, either way.
std::vector<Metrics> evaluate_in_workers(CostModel& model, const std::vector<Query>& batch,
                                         int workers);

// One answer as JSON: feasible, reason, latency_ms, energy_mj, area_mm2,
// latency_sigma.
nlohmann::json to_json(const Metrics& m);

// `coda predict`: a cost model's answers for networks (zoo names, YAML or
// ONNX files) on one hardware config (the family's defaults, a YAML file,
// `field=value` overrides), one JSON row each with the network's name.
struct PredictJob {
  std::string cost_model, arch, hw;
  std::vector<std::string> networks, overrides;
};
nlohmann::json run_predict(const PredictJob& job);

// "simulator" (the SystemC model) and "analytical" (its twin).
void register_accelerator_cost_models();

}  // namespace coda::cost
