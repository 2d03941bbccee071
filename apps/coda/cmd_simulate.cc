// `coda simulate`: one network on one hardware configuration.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "apps/coda/report.h"
#include "core/error.h"
#include "core/text.h"
#include "models/edge/edge.h"
#include "models/network/compression_plan.h"
#include "models/network/zoo.h"
#include "sim/accelerator.h"
#include "sim/session.h"

#include <filesystem>
#include <fstream>

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
  out += fmt::format("utilization {:.1f}%\n", 100 * r.utilization);
  if (r.extra.contains("bottlenecks")) {
    const auto& b = r.extra["bottlenecks"];
    out += fmt::format("bottlenecks (iDetect): C {}, I {}, W {}, O {}\n", b["C"].get<int>(),
                       b["I"].get<int>(), b["W"].get<int>(), b["O"].get<int>());
  }
  out += "\n";
  out += fmt::format("{:<34} {:<14} {:>11} {:>10} {:>14} {:>6}  {}\n", "layer", "op", "cycles",
                     "ms", "MACs", "util%", "bottleneck");
  for (const auto& l : r.layers) {
    std::string name = l.name.size() > 34 ? "…" + l.name.substr(l.name.size() - 33) : l.name;
    std::string twin;
    if (l.extra.contains("analytical_bottleneck")) {
      twin = fmt::format("  (analytical {} {:+.1f}%)", l.extra["analytical_bottleneck"].get<std::string>(),
                         l.extra["difference_pct"].get<double>());
    }
    out += fmt::format("{:<34} {:<14} {:>11.0f} {:>10.5f} {:>14} {:>6.1f}  {}{}\n", name, l.op,
                       l.cycles, l.latency_s * 1e3, grouped(l.macs), 100 * l.utilization,
                       l.bottleneck, twin);
  }
  return out;
}

bool is_gemm_topology(const std::string& path) {
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  const auto cols = split(header, ',');
  return cols.size() > 1 && trim(cols[1]) == "M";
}

// SCALE-Sim mode: its .cfg and topology files, its report files.
void run_scalesim(const std::string& cfg_path, const std::string& topo_path, double clock_ghz,
                  const std::string& json_path, const std::string& report_dir) {
  const edge::SystolicConfig cfg = edge::load_scalesim_config(cfg_path);
  const auto layers = edge::load_scalesim_topology(topo_path, is_gemm_topology(topo_path));
  const auto runs = edge::simulate_systolic(layers, cfg);
  const std::string topo_name = std::filesystem::path(topo_path).stem().string();
  long long cycles = 0, macs = 0;
  nlohmann::json jl = nlohmann::json::array();
  for (const auto& r : runs) {
    cycles += r.total_cycles;
    macs += r.counts.macs;
    jl.push_back({{"name", r.name},
                  {"op", "conv2d"},
                  {"cycles", r.total_cycles},
                  {"stall_cycles", r.stall_cycles},
                  {"latency_ms", r.total_cycles / (clock_ghz * 1e6)},
                  {"macs", r.counts.macs},
                  {"utilization", r.counts.overall_util_pct / 100},
                  {"mapping_efficiency", r.counts.mapping_efficiency_pct / 100},
                  {"bottleneck", r.stall_cycles > 0 ? "io" : "compute"},
                  {"sram_ifmap_reads", r.counts.ifmap_sram_reads},
                  {"sram_filter_reads", r.counts.filter_sram_reads},
                  {"sram_ofmap_writes", r.counts.ofmap_sram_writes}});
  }
  const double util =
      static_cast<double>(macs) / (static_cast<double>(cycles) * cfg.rows * cfg.cols);
  if (!json_path.empty()) {
    write_json({{"status", "ok"},
                {"arch", "edge"},
                {"microarch", "systolic"},
                {"dataflow", edge::dataflow_name(cfg.dataflow)},
                {"array", {cfg.rows, cfg.cols}},
                {"network", topo_name},
                {"latency_ms", cycles / (clock_ghz * 1e6)},
                {"cycles", cycles},
                {"energy_mj", nullptr},
                {"area_mm2", nullptr},
                {"utilization", util},
                {"layers", jl}},
               json_path);
  }
  if (!report_dir.empty()) {
    std::filesystem::create_directories(report_dir);
    std::ofstream comp(report_dir + "/COMPUTE_REPORT.csv");
    comp << "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute "
            "Util %,\n";
    std::ofstream det(report_dir + "/DETAILED_ACCESS_REPORT.csv");
    det << "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter "
           "Start "
           "Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, SRAM OFMAP Start Cycle, SRAM OFMAP "
           "Stop "
           "Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP "
           "Reads, "
           "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start "
           "Cycle, "
           "DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,\n";
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto& r = runs[i];
      const auto& c = r.counts;
      comp << fmt::format("{}, {}, {}, {:.12g}, {:.12g}, {:.12g},\n", i, r.total_cycles,
                          r.stall_cycles, c.overall_util_pct, c.mapping_efficiency_pct,
                          c.compute_util_pct);
      det << fmt::format(
          "{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {},\n", i, 0,
          r.total_cycles, c.ifmap_sram_reads, 0, r.total_cycles, c.filter_sram_reads, 0,
          r.total_cycles, c.ofmap_sram_writes, r.dram_ifmap_start, r.dram_ifmap_stop,
          c.ifmap_dram_words, r.dram_filter_start, r.dram_filter_stop, c.filter_dram_words,
          r.dram_ofmap_start, r.dram_ofmap_stop, c.ofmap_dram_words);
    }
  }
  if (json_path != "-") {
    std::cout << fmt::format("{} on a {}x{} {} systolic array: {} cycles, utilization {:.1f}%\n\n",
                             topo_name, cfg.rows, cfg.cols, edge::dataflow_name(cfg.dataflow),
                             cycles, 100 * util);
    std::cout << fmt::format("{:<24} {:>12} {:>8} {:>7} {:>7} {:>14} {:>14} {:>12}\n", "layer",
                             "cycles", "stall", "util%", "map%", "ifmap reads", "filter reads",
                             "ofmap writes");
    for (const auto& r : runs) {
      std::cout << fmt::format("{:<24} {:>12} {:>8} {:>7.2f} {:>7.2f} {:>14} {:>14} {:>12}\n",
                               r.name, r.total_cycles, r.stall_cycles, r.counts.overall_util_pct,
                               r.counts.mapping_efficiency_pct, r.counts.ifmap_sram_reads,
                               r.counts.filter_sram_reads, r.counts.ofmap_sram_writes);
    }
  }
}

}  // namespace

void ModelChoice::add_options(CLI::App* cmd) {
  cmd->add_option("--model", model, "systemc (ground truth) or analytical (the twin)")
      ->check(CLI::IsMember({"systemc", "analytical"}))
      ->capture_default_str();
  cmd->add_option("--scope", scope,
                  "fpga: network (every layer) or conv_only (HotNAS Table II's convention)")
      ->check(CLI::IsMember({"network", "conv_only"}))
      ->capture_default_str();
}

void ModelChoice::check(const std::string& arch) const {
  if (scope != "network" && arch != "fpga") {
    throw InputError({}, "--scope", "conv_only is the fpga family's convention; use --arch fpga");
  }
}

sim::SimResult ModelChoice::run(sim::Accelerator& acc, const network::Network& net,
                                const ParamSet& hw, bool trace) const {
  sim::SimOptions opts;
  opts.trace = trace;
  opts.scope = scope;
  return model == "analytical" ? acc.analytical(net, hw, opts) : acc.simulate(net, hw, opts);
}

ParamSet load_hw(const sim::Accelerator& acc, const std::string& path,
                 const std::vector<std::string>& overrides) {
  ParamSet hw(acc.params());
  if (!path.empty()) hw = load_params_file(acc.params(), path, acc.name() + " hardware config");
  for (const auto& o : overrides) hw.apply_override(o);
  return hw;
}

void register_simulate_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string arch, hw, network, json, trace, compression;
    ModelChoice model;
    std::string scalesim_config, scalesim_topology, report_dir;
    std::vector<std::string> set;
    bool dump_params = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("simulate", "Simulate a network on an accelerator");
  cmd->add_option("--arch", a->arch, "accelerator family (edge, fpga, dpu)")->required();
  cmd->add_option("--hw", a->hw, "hardware config YAML (defaults to the family's baseline)");
  cmd->add_option("--network", a->network, "zoo name[:key=value,...] or network .yaml");
  cmd->add_option("--set", a->set, "override a hardware field: field=value (repeatable)");
  a->model.add_options(cmd);
  cmd->add_option("--compression", a->compression,
                  "a compression plan YAML (pattern, channel cut, quantization, kernel expansion "
                  "per conv layer) applied to the network first");
  cmd->add_option("--json", a->json, "write JSON to FILE ('-' = stdout)");
  cmd->add_option("--trace", a->trace, "write a VCD trace of engine activity (GTKWave)");
  cmd->add_flag("--dump-params", a->dump_params, "print the hardware fields with units and ranges");
  cmd->add_option("--scalesim-config", a->scalesim_config,
                  "edge only: a SCALE-Sim .cfg; runs the systolic microarchitecture");
  cmd->add_option("--scalesim-topology", a->scalesim_topology,
                  "edge only: a SCALE-Sim topology CSV (convolution or GEMM M,N,K)");
  cmd->add_option(
      "--report-dir", a->report_dir,
      "with --scalesim-*: write COMPUTE_REPORT.csv and DETAILED_ACCESS_REPORT.csv here");
  cmd->callback([a, &exit_code] {
    sim::Accelerator& acc = sim::accelerator(a->arch);
    const ParamSet hw = load_hw(acc, a->hw, a->set);
    if (a->dump_params) {
      std::cout << hw.dump_yaml();
      return;
    }
    if (!a->scalesim_config.empty() || !a->scalesim_topology.empty()) {
      if (a->arch != "edge") throw InputError({}, "--scalesim-config", "is for --arch edge");
      if (a->scalesim_config.empty() || a->scalesim_topology.empty()) {
        throw InputError({}, "--scalesim-config",
                         "needs both --scalesim-config and --scalesim-topology");
      }
      run_scalesim(a->scalesim_config, a->scalesim_topology, hw.get("clock_ghz"), a->json,
                   a->report_dir);
      return;
    }
    if (a->network.empty()) throw InputError({}, "--network", "is required");
    network::Network net = network::load_network(a->network);
    if (!a->compression.empty()) network::apply_compression_plan(net, a->compression);
    a->model.check(a->arch);
    if (!a->trace.empty()) {
      std::string base = a->trace;
      if (base.size() > 4 && base.substr(base.size() - 4) == ".vcd") base.resize(base.size() - 4);
      sim::Session::enable_trace(base);
    }
    const sim::SimResult r = a->model.run(acc, net, hw, !a->trace.empty());
    if (!a->json.empty()) write_json(sim::to_json(r), a->json);
    if (a->json != "-") std::cout << summary_table(r);
    if (!r.feasible) exit_code = 3;
  });
}

}  // namespace coda::app
