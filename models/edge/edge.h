// The NAHAS PE-array edge accelerator: SystemC execution of the mapper's
// plan, its roofline twin, area and energy.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "models/edge/systolic.h"
#include "sim/accelerator.h"
#include "sim/engine.h"
#include "sim/session.h"

namespace coda::edge {

// The SystemC modules, elaborated once per process: an I/O engine driving a
// DMA on the shared interconnect, the local-memory stage that fills the
// register files, the PE array's SIMD lanes, and the non-linear unit.
class EdgePart : public sc_core::sc_module {
 public:
  EdgePart(sc_core::sc_module_name name, sim::Session& session);

  sim::Dma dma{"dma"};
  sim::Engine io{"io"};
  sim::Engine lm{"lm"};
  sim::Engine array{"array"};
  sim::Engine nlu{"nlu"};
};

// One layer of the systolic mode, executed on the edge part's engines: the
// I/O engine streams each chunk of folds' operands from DRAM (double
// buffered) while the array computes the previous chunk, then stores the
// outputs. In SCALE-Sim's CALC bandwidth mode the interface never stalls, so
// total cycles equal the closed-form compute cycles.
struct SystolicRun {
  std::string name;
  SystolicCounts counts;
  long long total_cycles = 0;
  long long stall_cycles = 0;
  long long dram_ifmap_start = 0, dram_ifmap_stop = 0;
  long long dram_filter_start = 0, dram_filter_stop = 0;
  long long dram_ofmap_start = 0, dram_ofmap_stop = 0;
};
std::vector<SystolicRun> simulate_systolic(const std::vector<SystolicLayer>& layers,
                                           const SystolicConfig& cfg);

// SCALE-Sim mode (`coda simulate --scalesim-*`): a SCALE-Sim .cfg and
// topology CSV (convolutions, or GEMM M,N,K) on the systolic
// microarchitecture. Writes COMPUTE_REPORT.csv and DETAILED_ACCESS_REPORT.csv
// into `report_dir` when it is given.
struct ScaleSimJob {
  std::string config, topology, report_dir;
  double clock_ghz = 0;
};
struct ScaleSimReport {
  nlohmann::json json;  // the `simulate --json` document
  std::string table;    // the readable per-layer table
};
ScaleSimReport run_scalesim(const ScaleSimJob& job);

// Registers the "edge" accelerator and its SystemC part.
void register_edge();

std::unique_ptr<sim::Accelerator> make_edge_accelerator();

}  // namespace coda::edge
