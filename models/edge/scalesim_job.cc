// SCALE-Sim mode: a SCALE-Sim .cfg and topology run on the systolic
// microarchitecture, with SCALE-Sim's report files.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "core/report.h"
#include "core/text.h"
#include "models/edge/edge.h"

namespace coda::edge {
namespace {

bool is_gemm_topology(const std::string& path) {
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  const auto cols = split(header, ',');
  return cols.size() > 1 && trim(cols[1]) == "M";
}

// SCALE-Sim mode: its .cfg and topology files, its report files.
}  // namespace

ScaleSimReport run_scalesim(const ScaleSimJob& job) {
  const std::string& topo_path = job.topology;
  const std::string& report_dir = job.report_dir;
  const double clock_ghz = job.clock_ghz;
  const SystolicConfig cfg = load_scalesim_config(job.config);
  const auto layers = load_scalesim_topology(topo_path, is_gemm_topology(topo_path));
  const auto runs = simulate_systolic(layers, cfg);
  ScaleSimReport report;
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
  {
    report.json = nlohmann::json{{"status", "ok"},
                                 {"arch", "edge"},
                                 {"microarch", "systolic"},
                                 {"dataflow", dataflow_name(cfg.dataflow)},
                                 {"array", {cfg.rows, cfg.cols}},
                                 {"network", topo_name},
                                 {"latency_ms", cycles / (clock_ghz * 1e6)},
                                 {"cycles", cycles},
                                 {"energy_mj", nullptr},
                                 {"area_mm2", nullptr},
                                 {"utilization", util},
                                 {"layers", jl}};
  }
  if (!report_dir.empty()) {
    std::filesystem::create_directories(report_dir);
    std::string comp =
        "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute "
        "Util %,\n";
    std::string det =
        "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter "
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
      comp +=
          fmt::format("{}, {}, {}, {:.12g}, {:.12g}, {:.12g},\n", i, r.total_cycles, r.stall_cycles,
                      c.overall_util_pct, c.mapping_efficiency_pct, c.compute_util_pct);
      det += fmt::format(
          "{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {},\n", i, 0,
          r.total_cycles, c.ifmap_sram_reads, 0, r.total_cycles, c.filter_sram_reads, 0,
          r.total_cycles, c.ofmap_sram_writes, r.dram_ifmap_start, r.dram_ifmap_stop,
          c.ifmap_dram_words, r.dram_filter_start, r.dram_filter_stop, c.filter_dram_words,
          r.dram_ofmap_start, r.dram_ofmap_stop, c.ofmap_dram_words);
    }
    write_text(comp, report_dir + "/COMPUTE_REPORT.csv");
    write_text(det, report_dir + "/DETAILED_ACCESS_REPORT.csv");
  }
  {
    report.table +=
        fmt::format("{} on a {}x{} {} systolic array: {} cycles, utilization {:.1f}%\n\n",
                    topo_name, cfg.rows, cfg.cols, dataflow_name(cfg.dataflow), cycles, 100 * util);
    report.table +=
        fmt::format("{:<24} {:>12} {:>8} {:>7} {:>7} {:>14} {:>14} {:>12}\n", "layer", "cycles",
                    "stall", "util%", "map%", "ifmap reads", "filter reads", "ofmap writes");
    for (const auto& r : runs) {
      report.table += fmt::format("{:<24} {:>12} {:>8} {:>7.2f} {:>7.2f} {:>14} {:>14} {:>12}\n",
                                  r.name, r.total_cycles, r.stall_cycles, r.counts.overall_util_pct,
                                  r.counts.mapping_efficiency_pct, r.counts.ifmap_sram_reads,
                                  r.counts.filter_sram_reads, r.counts.ofmap_sram_writes);
    }
  }
  return report;
}

}  // namespace coda::edge
