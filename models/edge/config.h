// Hardware parameters of the NAHAS PE-array edge accelerator (NAHAS §3.3,
// Table 1; reference/edge.md), declared once.
#pragma once

#include <vector>

#include "core/params.h"

namespace coda::edge {

const std::vector<ParamDecl>& edge_params();

// The resolved, immutable view the models take (STYLE.md 3).
struct EdgeConfig {
  int pes_x = 4;
  int pes_y = 4;
  int simd_units = 64;            // per lane
  int compute_lanes = 4;          // per PE
  double local_memory_mb = 2;     // per PE, shared by its lanes
  double register_file_kb = 32;   // per lane
  double io_bandwidth_gbps = 15;  // off-chip, GB/s
  double clock_ghz = 0.8;
  int data_bits = 8;

  static EdgeConfig from(const ParamSet& p);

  int pes() const { return pes_x * pes_y; }
  int lanes() const { return pes() * compute_lanes; }
  // A SIMD unit is 4-way for 8-bit operands: it splits 32 bits of datapath.
  int ways() const { return 32 / data_bits; }
  double bytes_per_element() const { return data_bits / 8.0; }
  long long macs_per_cycle() const { return static_cast<long long>(lanes()) * simd_units * ways(); }
  double local_memory_bytes() const { return local_memory_mb * 1024 * 1024; }
  double register_file_bytes() const { return register_file_kb * 1024; }
  double clock_hz() const { return clock_ghz * 1e9; }
  double peak_tops() const { return 2.0 * macs_per_cycle() * clock_hz() / 1e12; }
};

}  // namespace coda::edge
