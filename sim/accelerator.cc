#include "sim/accelerator.h"

#include <map>

#include "core/error.h"
#include "models/network/compression_plan.h"
#include "models/network/zoo.h"
#include "sim/session.h"

namespace coda::sim {

nlohmann::json to_json(const SimResult& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : r.layers) {
    nlohmann::json j = {{"name", l.name},
                        {"op", l.op},
                        {"cycles", l.cycles},
                        {"latency_ms", l.latency_s * 1e3},
                        {"macs", l.macs},
                        {"utilization", l.utilization},
                        {"bottleneck", l.bottleneck}};
    for (auto it = l.extra.begin(); it != l.extra.end(); ++it) j[it.key()] = it.value();
    layers.push_back(std::move(j));
  }
  nlohmann::json j = {{"status", r.feasible ? "ok" : "infeasible"},
                      {"arch", r.arch},
                      {"network", r.network},
                      {"latency_ms", r.latency_s * 1e3},
                      {"cycles", r.cycles},
                      {"energy_mj", r.energy_j * 1e3},
                      {"area_mm2", r.area_mm2},
                      {"utilization", r.utilization},
                      {"layers", layers},
                      {"stats", r.stats}};
  if (!r.feasible) j["reason"] = r.reason;
  for (auto it = r.extra.begin(); it != r.extra.end(); ++it) j[it.key()] = it.value();
  // Families that report FPGA resources have no silicon area.
  if (r.extra.contains("resources")) j.erase("area_mm2");
  return j;
}

void ModelChoice::check(const std::string& arch) const {
  if (scope != "network" && arch != "fpga") {
    throw InputError({}, "--scope", "conv_only is the fpga family's convention; use --arch fpga");
  }
}

SimResult ModelChoice::run(Accelerator& acc, const network::Network& net, const ParamSet& hw,
                           bool trace) const {
  SimOptions opts;
  opts.trace = trace;
  opts.scope = scope;
  return model == "analytical" ? acc.analytical(net, hw, opts) : acc.simulate(net, hw, opts);
}

SimResult run_simulate_job(Accelerator& acc, const ParamSet& hw, const SimulateJob& job) {
  if (job.network.empty()) throw InputError({}, "--network", "is required");
  network::Network net = network::load_network(job.network);
  if (!job.compression.empty()) network::apply_compression_plan(net, job.compression);
  job.model.check(acc.name());
  if (!job.trace.empty()) {
    std::string base = job.trace;
    if (base.size() > 4 && base.substr(base.size() - 4) == ".vcd") base.resize(base.size() - 4);
    Session::enable_trace(base);
  }
  SimResult r = job.model.run(acc, net, hw, !job.trace.empty());
  Session::finish_trace();
  return r;
}

ParamSet load_hw(const Accelerator& acc, const std::string& path,
                 const std::vector<std::string>& overrides) {
  ParamSet hw(acc.params());
  if (!path.empty()) hw = load_params_file(acc.params(), path, acc.name() + " hardware config");
  for (const auto& o : overrides) hw.apply_override(o);
  return hw;
}

AcceleratorRegistry& accelerators() {
  static AcceleratorRegistry r("accelerator", "arch", "");
  return r;
}

Accelerator& accelerator(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Accelerator>> instances;
  auto& instance = instances[accelerators().at(name).name];
  if (!instance) instance = accelerators().make(name);
  return *instance;
}

}  // namespace coda::sim
