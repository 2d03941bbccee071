// `coda simulate`: one network on one hardware configuration.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "core/error.h"
#include "core/report.h"
#include "core/text.h"
#include "models/edge/edge.h"
#include "models/network/compression_plan.h"
#include "models/network/zoo.h"
#include "sim/accelerator.h"
#include "sim/session.h"

namespace coda::app {
namespace {

std::string summary_table(const sim::SimResult& r) {
  std::string out = fmt::format("{} on {}: ", r.network, r.arch);
  if (!r.feasible) return out + "INFEASIBLE: " + r.reason + "\n";
  out += fmt::format("latency {:.4f} ms ({:.0f} cycles), ", r.latency_s * 1e3, r.cycles);
  if (r.extra.contains("throughput_fps")) {
    out += fmt::format("throughput {:.0f} frames/s, ", r.extra["throughput_fps"].get<double>());
  }
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
      twin = fmt::format("  (analytical {} {:+.1f}%)",
                         l.extra["analytical_bottleneck"].get<std::string>(),
                         l.extra["difference_pct"].get<double>());
    }
    out += fmt::format("{:<34} {:<14} {:>11.0f} {:>10.5f} {:>14} {:>6.1f}  {}{}\n", name, l.op,
                       l.cycles, l.latency_s * 1e3, grouped(l.macs), 100 * l.utilization,
                       l.bottleneck, twin);
  }
  return out;
}

}  // namespace

void add_model_options(CLI::App* cmd, sim::ModelChoice& choice) {
  cmd->add_option("--model", choice.model, "systemc (ground truth) or analytical (the twin)")
      ->check(CLI::IsMember({"systemc", "analytical"}))
      ->capture_default_str();
  cmd->add_option("--scope", choice.scope,
                  "fpga: network (every layer) or conv_only (HotNAS Table II's convention)")
      ->check(CLI::IsMember({"network", "conv_only"}))
      ->capture_default_str();
}

void register_simulate_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string arch, hw, network, json, trace, compression;
    sim::ModelChoice model;  // --model, --scope
    std::string scalesim_config, scalesim_topology, report_dir;
    std::vector<std::string> set;
    bool dump_params = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("simulate", "Simulate a network on an accelerator");
  cmd->add_option("--arch", a->arch, "accelerator family (edge, fpga, dpu)")->required();
  auto* hw =
      cmd->add_option("--hw", a->hw, "hardware config YAML (defaults to the family's baseline)");
  auto* network =
      cmd->add_option("--network", a->network, "zoo name[:key=value,...] or network .yaml");
  auto* set =
      cmd->add_option("--set", a->set, "override a hardware field: field=value (repeatable)");
  add_model_options(cmd, a->model);
  cmd->add_option("--compression", a->compression,
                  "a compression plan YAML (pattern, channel cut, quantization, kernel expansion "
                  "per conv layer) applied to the network first");
  cmd->add_option("--json", a->json, "write JSON to FILE ('-' = stdout)");
  cmd->add_option("--trace", a->trace, "write a VCD trace of engine activity (GTKWave)");
  cmd->add_flag("--dump-params", a->dump_params, "print the hardware fields with units and ranges");
  // A SCALE-Sim run takes its array and its layers from its own files.
  cmd->add_option("--scalesim-config", a->scalesim_config,
                  "edge only: a SCALE-Sim .cfg; runs the systolic microarchitecture")
      ->excludes(hw)
      ->excludes(network)
      ->excludes(set);
  cmd->add_option("--scalesim-topology", a->scalesim_topology,
                  "edge only: a SCALE-Sim topology CSV (convolution or GEMM M,N,K)")
      ->excludes(hw)
      ->excludes(network)
      ->excludes(set);
  cmd->add_option(
      "--report-dir", a->report_dir,
      "with --scalesim-*: write COMPUTE_REPORT.csv and DETAILED_ACCESS_REPORT.csv here");
  cmd->callback([a, &exit_code] {
    sim::Accelerator& acc = sim::accelerator(a->arch);
    const ParamSet hw = sim::load_hw(acc, a->hw, a->set);
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
      const auto report = edge::run_scalesim(
          {a->scalesim_config, a->scalesim_topology, a->report_dir, hw.get("clock_ghz")});
      if (!a->json.empty()) write_json(report.json, a->json);
      if (a->json != "-") std::cout << report.table;
      return;
    }
    const sim::SimResult r =
        sim::run_simulate_job(acc, hw, {a->network, a->compression, a->trace, a->model});
    if (!a->json.empty()) write_json(sim::to_json(r), a->json);
    if (a->json != "-") std::cout << summary_table(r);
    if (!r.feasible) exit_code = 3;
  });
}

}  // namespace coda::app
