#include "models/edge/area_energy.h"

#include <cmath>

#include "models/edge/coefficients.h"

namespace coda::edge {

nlohmann::json AreaBreakdown::to_json() const {
  return {{"mac_mm2", mac_mm2},
          {"register_file_mm2", register_file_mm2},
          {"local_memory_mm2", local_memory_mm2},
          {"io_mm2", io_mm2},
          {"overhead_mm2", overhead_mm2},
          {"total_mm2", total_mm2()}};
}

nlohmann::json EnergyBreakdown::to_json() const {
  return {{"mac_mj", mac_j * 1e3},
          {"register_file_mj", register_file_j * 1e3},
          {"local_memory_mj", local_memory_j * 1e3},
          {"dram_mj", dram_j * 1e3},
          {"static_mj", static_j * 1e3},
          {"total_mj", total_j() * 1e3}};
}

AreaBreakdown area(const EdgeConfig& hw) {
  AreaBreakdown a;
  // A SIMD unit holds `ways` multipliers of data_bits (area ~ bits^2) and a
  // 32-bit accumulator per way.
  const double bits_scale = (hw.data_bits / 8.0) * (hw.data_bits / 8.0);
  const double unit_um2 = hw.ways() * (coef::kMult8AreaUm2 * bits_scale + coef::kAdd32AreaUm2);
  const double units = static_cast<double>(hw.lanes()) * hw.simd_units;
  a.mac_mm2 = units * unit_um2 * 1e-6 * coef::kAreaScale;
  a.register_file_mm2 =
      hw.lanes() * hw.register_file_bytes() * 8 * coef::kRegFileUm2PerBit * 1e-6 * coef::kAreaScale;
  a.local_memory_mm2 =
      hw.pes() * hw.local_memory_bytes() * 8 * coef::kSramUm2PerBit * 1e-6 * coef::kAreaScale;
  a.io_mm2 = hw.io_bandwidth_gbps * coef::kIoAreaMm2PerGBps * coef::kAreaScale;
  a.overhead_mm2 = coef::kFixedAreaMm2 * coef::kAreaScale +
                   coef::kOverheadFraction * (a.mac_mm2 + a.register_file_mm2 + a.local_memory_mm2);
  return a;
}

double sram_pj_per_byte(double bytes) {
  return coef::kSram8KbPjPerByte * std::sqrt(std::max(bytes, 1024.0) / 8192.0);
}

EnergyBreakdown energy(const NetworkPlan& plan, const EdgeConfig& hw, double latency_s) {
  EnergyBreakdown e;
  double macs = 0, rf = 0, lm = 0, dram = 0;
  for (const auto& l : plan.layers) {
    macs += static_cast<double>(l.macs);
    rf += l.rf_bytes;
    lm += l.lm_bytes;
    dram += l.dram_read_bytes + l.dram_write_bytes;
  }
  const double bits_scale = (hw.data_bits / 8.0) * (hw.data_bits / 8.0);
  const double mac_pj = coef::kMult8EnergyPj * bits_scale + coef::kAdd32EnergyPj;
  const double s = coef::kOnChipEnergyScale * 1e-12;
  e.mac_j = macs * mac_pj * s;
  e.register_file_j = rf * sram_pj_per_byte(hw.register_file_bytes()) * s;
  e.local_memory_j = lm * sram_pj_per_byte(hw.local_memory_bytes()) * s;
  e.dram_j = dram * coef::kDramPjPerByte * 1e-12;
  e.static_j = coef::kStaticWattsPerMm2 * area(hw).total_mm2() * latency_s;
  return e;
}

}  // namespace coda::edge
