// `coda dpu compile`: the DPU compiler's fused groups and instruction stream.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "core/report.h"
#include "models/dpu/compiler.h"
#include "models/network/zoo.h"

namespace coda::app {

void register_dpu_commands(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand("dpu", "DPU tools");
  group->require_subcommand(1);
  struct Args {
    std::string network, hw, dump, json;
    std::vector<std::string> set;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = group->add_subcommand("compile", "Fuse, tile and emit the DPU instruction stream");
  cmd->add_option("--network", a->network, "zoo name[:key=value,...] or network .yaml")->required();
  cmd->add_option("--hw", a->hw, "DPU hardware config YAML");
  cmd->add_option("--set", a->set, "override a hardware field: field=value (repeatable)");
  cmd->add_option("--dump", a->dump, "write the instruction listing to FILE ('-' = stdout)");
  cmd->add_option("--json", a->json, "write per-group instruction counts as JSON ('-' = stdout)");
  cmd->callback([a, &exit_code] {
    sim::Accelerator& acc = sim::accelerator("dpu");
    const ParamSet hw = sim::load_hw(acc, a->hw, a->set);
    const dpu::DpuConfig cfg = dpu::DpuConfig::from(hw);
    const network::Network net = network::load_network(a->network);
    const dpu::Program prog = dpu::compile(net, cfg);
    if (!a->dump.empty()) write_text(dpu::listing(prog), a->dump);
    if (!a->json.empty()) write_json(dpu::program_json(prog, net, cfg), a->json);
    if (a->json != "-" && a->dump != "-") {
      std::cout << fmt::format("{} on {}: {} layers fused into {} groups, {} instructions\n",
                               net.name(), cfg.target.name, net.size() - 1, prog.groups.size(),
                               prog.insts.size());
      std::cout << "instructions:" << dpu::opcode_totals(prog) << "\n";
      for (const auto& h : prog.host_layers) std::cout << "on the host: " << h << "\n";
      if (!prog.feasible) std::cout << "INFEASIBLE: " << prog.reason << "\n";
    }
    if (!prog.feasible) exit_code = 3;
  });
}

}  // namespace coda::app
