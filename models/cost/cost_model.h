// The CostModel interface (DESIGN.md "Core interfaces"): a batch of
// (network, hardware) queries in, a batch of metrics out. Search and
// validation see only this interface; implementations register by name.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/params.h"
#include "models/network/network.h"

namespace coda::cost {

struct Metrics {
  bool feasible = true;
  std::string reason;
  double latency_s = 0;
  double energy_j = 0;
  double area_mm2 = 0;
};

struct Query {
  const network::Network* net;
  const ParamSet* hw;
};

class CostModel {
 public:
  virtual ~CostModel() = default;
  virtual std::string name() const = 0;
  virtual std::vector<Metrics> evaluate(const std::vector<Query>& batch) = 0;
};

// "simulator" (the SystemC model), "analytical" (its twin); `arch` names the
// accelerator family. Later issues add "mlp:<model.pt>" and "lut:<file>".
using CostModelFactory =
    std::function<std::unique_ptr<CostModel>(const std::string& arg, const std::string& arch)>;
void register_cost_model(const std::string& kind, CostModelFactory factory);
std::vector<std::string> cost_model_kinds();
// `spec` is "kind" or "kind:arg"; unknown kinds list the registered ones.
std::unique_ptr<CostModel> make_cost_model(const std::string& spec, const std::string& arch);

}  // namespace coda::cost
