// The interface every accelerator family implements (DESIGN.md "Core
// interfaces"), its result record, and its registry (picked by `arch:` and
// --arch). A family registers its Accelerator here and its SystemC modules in
// sim::parts() (session.h), from its own register function.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/params.h"
#include "core/registry.h"
#include "models/network/network.h"

namespace coda::sim {

struct LayerResult {
  std::string name;
  std::string op;
  double cycles = 0;
  double latency_s = 0;
  std::int64_t macs = 0;
  double utilization = 0;  // fraction of peak MAC throughput while the layer runs
  std::string bottleneck;  // what bounds the layer (family-specific classes)
  nlohmann::json extra = nlohmann::json::object();
};

struct SimResult {
  bool feasible = true;
  std::string reason;  // why the design is infeasible
  std::string arch;
  std::string network;
  double latency_s = 0;
  double cycles = 0;
  double energy_j = 0;
  double area_mm2 = 0;
  double utilization = 0;  // MACs / (peak MACs per cycle * cycles)
  std::vector<LayerResult> layers;
  nlohmann::json stats = nlohmann::json::object();
  nlohmann::json extra = nlohmann::json::object();
};

// The JSON every `simulate` writes: status, arch, network, latency_ms,
// cycles, energy_mj, area_mm2, utilization, layers[...], stats.
nlohmann::json to_json(const SimResult& r);

struct SimOptions {
  bool trace = false;  // engines write VCD activity (the session must trace)
  // Which layers count: "network" (all) or "conv_only" (the FPGA family's
  // HotNAS Table II convention; other families accept only "network").
  std::string scope = "network";
};

class Accelerator {
 public:
  virtual ~Accelerator() = default;
  virtual std::string name() const = 0;
  virtual const std::vector<ParamDecl>& params() const = 0;
  // Cheap checks of the hardware alone (PreEvaluationCheck in Timeloop terms).
  virtual std::string validate(const ParamSet& hw) const = 0;
  virtual double area_mm2(const ParamSet& hw) const = 0;
  // Same inputs, same result; an infeasible design is a result with a reason.
  virtual SimResult simulate(const network::Network& net, const ParamSet& hw,
                             const SimOptions& opts) = 0;
  // The analytical twin of simulate().
  virtual SimResult analytical(const network::Network& net, const ParamSet& hw,
                               const SimOptions& opts) = 0;
  SimResult analytical(const network::Network& net, const ParamSet& hw) {
    return analytical(net, hw, SimOptions{});
  }
};

// Which model a job runs: the SystemC model (ground truth) or its analytical
// twin, over every layer ("network") or HotNAS Table II's convolutions-only
// convention ("conv_only", the fpga family only).
struct ModelChoice {
  std::string model = "systemc";  // systemc | analytical
  std::string scope = "network";  // network | conv_only
  // Throws InputError when the scope does not apply to `arch`.
  void check(const std::string& arch) const;
  SimResult run(Accelerator& acc, const network::Network& net, const ParamSet& hw,
                bool trace = false) const;
};

// `coda simulate`: one network (a zoo name or YAML file, first compressed by
// a compression plan when one is given) on one hardware config; `trace`
// (a .vcd path) records the engines' activity.
struct SimulateJob {
  std::string network, compression, trace;
  ModelChoice model;
};
SimResult run_simulate_job(Accelerator& acc, const ParamSet& hw, const SimulateJob& job);

// The hardware config of `acc`: its defaults, a YAML file over them when
// given (every field required), then `field=value` overrides (--set).
ParamSet load_hw(const Accelerator& acc, const std::string& path,
                 const std::vector<std::string>& overrides);

using AcceleratorRegistry = Registry<Accelerator>;
AcceleratorRegistry& accelerators();
// The process's one instance of family `name`, made on first use; an
// unknown name is an InputError listing the registered ones.
Accelerator& accelerator(const std::string& name);

}  // namespace coda::sim
