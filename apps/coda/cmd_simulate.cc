// `coda simulate`: one network on one hardware configuration.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "apps/coda/report.h"
#include "core/error.h"
#include "models/network/zoo.h"
#include "sim/accelerator.h"
#include "sim/session.h"

namespace coda::app {
namespace {

std::string summary_table(const sim::SimResult& r) {
  std::string out = fmt::format("{} on {}: ", r.network, r.arch);
  if (!r.feasible) return out + "INFEASIBLE: " + r.reason + "\n";
  out += fmt::format("latency {:.4f} ms ({:.0f} cycles), ", r.latency_s * 1e3, r.cycles);
  if (r.extra.contains("e2e_latency_ms")) {
    out += fmt::format("end-to-end {:.4f} ms, ", r.extra["e2e_latency_ms"].get<double>());
  }
  if (r.extra.contains("resources")) {
    for (const auto& [k, v] : r.extra["resources"].items()) {
      out += fmt::format("{} {}/{}, ", k, v["used"].dump(), v["available"].dump());
    }
  } else {
    out += fmt::format("energy {:.4f} mJ, area {:.2f} mm2, ", r.energy_j * 1e3, r.area_mm2);
  }
  out += fmt::format("utilization {:.1f}%\n\n", 100 * r.utilization);
  out += fmt::format("{:<34} {:<14} {:>11} {:>10} {:>14} {:>6}  {}\n", "layer", "op", "cycles", "ms",
                     "MACs", "util%", "bottleneck");
  for (const auto& l : r.layers) {
    std::string name = l.name.size() > 34 ? "…" + l.name.substr(l.name.size() - 33) : l.name;
    out += fmt::format("{:<34} {:<14} {:>11.0f} {:>10.5f} {:>14} {:>6.1f}  {}\n", name, l.op,
                       l.cycles, l.latency_s * 1e3, grouped(l.macs), 100 * l.utilization,
                       l.bottleneck);
  }
  return out;
}

}  // namespace

ParamSet load_hw(const sim::Accelerator& acc, const std::string& path,
                 const std::vector<std::string>& overrides) {
  ParamSet hw(acc.params());
  if (!path.empty()) hw = load_params_file(acc.params(), path, acc.name() + " hardware config");
  for (const auto& o : overrides) hw.apply_override(o);
  return hw;
}

void register_simulate_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string arch, hw, network, json, trace, model = "systemc";
    std::vector<std::string> set;
    bool dump_params = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("simulate", "Simulate a network on an accelerator");
  cmd->add_option("--arch", a->arch, "accelerator family (edge, dpu)")->required();
  cmd->add_option("--hw", a->hw, "hardware config YAML (defaults to the family's baseline)");
  cmd->add_option("--network", a->network, "zoo name[:key=value,...] or network .yaml");
  cmd->add_option("--set", a->set, "override a hardware field: field=value (repeatable)");
  cmd->add_option("--model", a->model, "systemc (ground truth) or analytical (the twin)")
      ->check(CLI::IsMember({"systemc", "analytical"}))
      ->capture_default_str();
  cmd->add_option("--json", a->json, "write JSON to FILE ('-' = stdout)");
  cmd->add_option("--trace", a->trace, "write a VCD trace of engine activity (GTKWave)");
  cmd->add_flag("--dump-params", a->dump_params, "print the hardware fields with units and ranges");
  cmd->callback([a, &exit_code] {
    sim::Accelerator& acc = sim::accelerator(a->arch);
    const ParamSet hw = load_hw(acc, a->hw, a->set);
    if (a->dump_params) {
      std::cout << hw.dump_yaml();
      return;
    }
    if (a->network.empty()) throw InputError({}, "--network", "is required");
    const network::Network net = network::load_network(a->network);
    if (!a->trace.empty()) {
      std::string base = a->trace;
      if (base.size() > 4 && base.substr(base.size() - 4) == ".vcd") base.resize(base.size() - 4);
      sim::Session::enable_trace(base);
    }
    const sim::SimResult r = a->model == "analytical" ? acc.analytical(net, hw)
                                                      : acc.simulate(net, hw, {!a->trace.empty()});
    if (!a->json.empty()) write_json(sim::to_json(r), a->json);
    if (a->json != "-") std::cout << summary_table(r);
    if (!r.feasible) exit_code = 3;
  });
}

}  // namespace coda::app
