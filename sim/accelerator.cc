#include "sim/accelerator.h"

#include <map>

#include "core/text.h"

namespace coda::sim {
namespace {

struct Entry {
  AcceleratorFactory factory;
  std::unique_ptr<Accelerator> instance;
};

std::map<std::string, Entry>& entries() {
  static std::map<std::string, Entry> e;
  return e;
}

}  // namespace

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

void register_accelerator(const std::string& name, AcceleratorFactory factory) {
  entries()[name].factory = std::move(factory);
}

std::vector<std::string> accelerator_names() {
  std::vector<std::string> out;
  for (const auto& [name, e] : entries()) out.push_back(name);
  return out;
}

Accelerator& accelerator(const std::string& name) {
  auto it = entries().find(name);
  if (it == entries().end()) {
    throw InputError(
        {}, "arch",
        "unknown accelerator '" + name + "'; available: " + join(accelerator_names(), ", "));
  }
  if (!it->second.instance) it->second.instance = it->second.factory();
  return *it->second.instance;
}

}  // namespace coda::sim
