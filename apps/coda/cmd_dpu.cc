// `coda dpu compile`: the DPU compiler's fused groups and instruction stream.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "apps/coda/report.h"
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
    const ParamSet hw = load_hw(acc, a->hw, a->set);
    const dpu::DpuConfig cfg = dpu::DpuConfig::from(hw);
    const network::Network net = network::load_network(a->network);
    const dpu::Program prog = dpu::compile(net, cfg);
    if (!a->dump.empty()) write_text(dpu::listing(prog), a->dump);
    nlohmann::json groups = nlohmann::json::array();
    std::array<long long, dpu::kOpcodes> totals{};
    for (const auto& g : prog.groups) {
      nlohmann::json counts = nlohmann::json::object();
      for (int o = 0; o < dpu::kOpcodes; ++o) {
        if (!g.counts[o]) continue;
        counts[dpu::opcode_name(static_cast<dpu::Opcode>(o))] = g.counts[o];
        totals[o] += g.counts[o];
      }
      groups.push_back({{"layers", g.layers},
                        {"kind", g.kind},
                        {"tiles", g.tiles},
                        {"instructions", counts},
                        {"host", g.host_reason}});
    }
    if (!a->json.empty()) {
      write_json({{"network", net.name()},
                  {"target", cfg.target.name},
                  {"feasible", prog.feasible},
                  {"reason", prog.reason},
                  {"instructions", prog.insts.size()},
                  {"groups", groups},
                  {"host_layers", prog.host_layers}},
                 a->json);
    }
    if (a->json != "-" && a->dump != "-") {
      std::cout << fmt::format("{} on {}: {} layers fused into {} groups, {} instructions\n",
                               net.name(), cfg.target.name, net.size() - 1, prog.groups.size(),
                               prog.insts.size());
      std::string t;
      for (int o = 0; o < dpu::kOpcodes; ++o) {
        if (totals[o])
          t += fmt::format(" {}={}", dpu::opcode_name(static_cast<dpu::Opcode>(o)), totals[o]);
      }
      std::cout << "instructions:" << t << "\n";
      for (const auto& h : prog.host_layers) std::cout << "on the host: " << h << "\n";
      if (!prog.feasible) std::cout << "INFEASIBLE: " << prog.reason << "\n";
    }
    if (!prog.feasible) exit_code = 3;
  });
}

}  // namespace coda::app
