// Hardware parameters of the NAHAS PE-array edge accelerator (NAHAS §3.3,
// Table 1; reference/edge.md), declared once.
#pragma once

#include <vector>

#include "core/params.h"

namespace coda::edge {

const std::vector<ParamDecl>& edge_params();

// The resolved, immutable view the models take (STYLE.md 3).
struct EdgeConfig {
  // Filled by from(); the defaults live in the parameter declaration alone.
  int pes_x{};
  int pes_y{};
  int simd_units{};            // per lane
  int compute_lanes{};         // per PE
  double local_memory_mb{};    // per PE, shared by its lanes
  double register_file_kb{};   // per lane
  double io_bandwidth_gbps{};  // off-chip, GB/s
  double clock_ghz{};
  int data_bits{};

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
