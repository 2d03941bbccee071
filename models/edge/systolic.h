// The systolic microarchitecture of the PE array, next to the SIMD-lane one:
// rows x cols PEs, output-, weight- or input-stationary dataflow, separate
// ifmap/filter/ofmap SRAMs, DRAM bandwidth in words per cycle. It reads
// SCALE-Sim v2's .cfg, convolution-topology and GEMM (M,N,K) files as they
// are, and in the stall-free case gives SCALE-Sim v2's per-layer cycles and
// SRAM access counts exactly, in closed form per fold.
#pragma once

#include <string>
#include <vector>

namespace coda::edge {

enum class Dataflow { kOs, kWs, kIs };
const char* dataflow_name(Dataflow df);

struct SystolicConfig {
  std::string run_name;
  int rows = 32;
  int cols = 32;
  double ifmap_sram_kb = 64, filter_sram_kb = 64, ofmap_sram_kb = 64;
  long long ifmap_offset = 0, filter_offset = 10000000, ofmap_offset = 20000000;
  Dataflow dataflow = Dataflow::kOs;
  std::vector<double> bandwidth_words_per_cycle = {10};
  // SCALE-Sim's InterfaceBandwidth: CALC sizes the interface so that no
  // stall occurs; USER holds it to `bandwidth_words_per_cycle`.
  bool calc_bandwidth = true;
  int memory_banks = 1;
};

struct SystolicLayer {
  std::string name;
  int ifmap_h = 0, ifmap_w = 0, filter_h = 0, filter_w = 0, channels = 0, filters = 0;
  int stride_h = 1, stride_w = 1;
};

// InputError on malformed files, naming the file, line and field or column.
SystolicConfig load_scalesim_config(const std::string& path);
// `gemm`: the "Layer Name, M, N, K" format, mapped as SCALE-Sim maps it.
// Layers whose name contains "DP" are depthwise and expand into one layer per
// channel, as in SCALE-Sim.
std::vector<SystolicLayer> load_scalesim_topology(const std::string& path, bool gemm);

struct SystolicCounts {
  long long ofmap_h = 0, ofmap_w = 0;
  long long sr = 0, sc = 0, t = 0;  // spatial rows, spatial columns, temporal extent
  long long row_folds = 0, col_folds = 0;
  long long compute_cycles = 0;  // stall-free total cycles
  long long macs = 0;
  long long ifmap_sram_reads = 0, filter_sram_reads = 0, ofmap_sram_writes = 0;
  double overall_util_pct = 0, mapping_efficiency_pct = 0, compute_util_pct = 0;
  // coda's off-chip model: every operand element read once, every output written once.
  long long ifmap_dram_words = 0, filter_dram_words = 0, ofmap_dram_words = 0;
};

// Closed-form per-layer counts, fold by fold (SCALE-Sim v2 semantics).
SystolicCounts systolic_counts(const SystolicLayer& layer, const SystolicConfig& cfg);

}  // namespace coda::edge
