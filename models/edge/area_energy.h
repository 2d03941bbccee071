// Component-based area and energy of the edge accelerator. Coefficients and
// their sources are in coefficients.h.
#pragma once

#include <nlohmann/json.hpp>

#include "models/edge/config.h"
#include "models/edge/mapper.h"

namespace coda::edge {

struct AreaBreakdown {
  double mac_mm2 = 0;
  double register_file_mm2 = 0;
  double local_memory_mm2 = 0;
  double io_mm2 = 0;
  double overhead_mm2 = 0;
  double total_mm2() const {
    return mac_mm2 + register_file_mm2 + local_memory_mm2 + io_mm2 + overhead_mm2;
  }
  nlohmann::json to_json() const;
};

AreaBreakdown area(const EdgeConfig& hw);

struct EnergyBreakdown {
  double mac_j = 0;
  double register_file_j = 0;
  double local_memory_j = 0;
  double dram_j = 0;
  double static_j = 0;
  double total_j() const { return mac_j + register_file_j + local_memory_j + dram_j + static_j; }
  nlohmann::json to_json() const;
};

// Energy of running `plan` for `latency_s` seconds.
EnergyBreakdown energy(const NetworkPlan& plan, const EdgeConfig& hw, double latency_s);

// Energy per byte of an SRAM of `bytes` capacity (CACTI-like sqrt scaling of
// Horowitz's 8 KB figure), before the process scale.
double sram_pj_per_byte(double bytes);

}  // namespace coda::edge
