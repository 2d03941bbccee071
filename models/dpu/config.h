// DPUCZDX8G-like DPU parameters (reference/dpu.md, dpu_targets.csv), declared
// once, and the per-architecture facts from Xilinx PG338 and the public
// Vitis-AI target descriptions.
#pragma once

#include <string>
#include <vector>

#include "core/params.h"

namespace coda::dpu {

const std::vector<ParamDecl>& dpu_params();

// One compiler target: parallelism, banks and engine widths.
struct Target {
  std::string name;  // e.g. DPUCZDX8G_ISA0_B4096_MAX
  int pp, icp, ocp;  // pixel, input- and output-channel parallelism
  int img_bank_groups;
  long long img_bytes;     // image (feature map) banks, total bytes
  long long weight_bytes;  // conv weight banks, bytes
  int pool_pp;             // pixels per cycle of the pooling engine (0: no pool engine)
  int dw_pp;               // pixels per cycle of the depthwise engine (0: none)
  int eltwise_pp;
  bool pool_avg;
  bool leaky;
  int luts, dsps;  // PG338 v1.2 Table 9 (high DSP usage); 0 where not listed
  double bram36;
};

struct DpuConfig {
  // Filled by from(); the defaults live in the parameter declaration alone.
  int arch_ops{};  // B-size: peak ops per cycle
  std::string banks{};
  double clock_mhz{};
  int cores{};
  double ddr_bandwidth_gbps{};
  double host_overhead_ms{};
  Target target;

  // Throws InputError when the B-size has no such bank configuration.
  static DpuConfig from(const ParamSet& p);
  double clock_hz() const { return clock_mhz * 1e6; }
  long long macs_per_cycle() const {
    return static_cast<long long>(target.pp) * target.icp * target.ocp;
  }
};

const std::vector<Target>& targets();

}  // namespace coda::dpu
