// Every coefficient of the edge accelerator's timing, area and energy models,
// with its source. "calibrated" marks the free parameters fitted to the two
// calibration rows of reference/edge.md (NAHAS Table 3: MobileNetV2 and
// EfficientNet-B0 without SE/Swish on the baseline); nothing is fitted to any
// other row.
#pragma once

namespace coda::edge::coef {

// ---- Timing --------------------------------------------------------------
// Cycles to configure all PEs for a layer and synchronise them after it
// (descriptor fetch, barrier, pipeline fill of the SIMD lanes). calibrated.
inline constexpr double kLayerSetupCycles = 900;
// Local memory to register-file bandwidth: one 512-bit port per PE (an
// assumption: the paper gives no port widths).
inline constexpr double kLocalMemBytesPerCyclePerPe = 64;
// Non-linear unit throughput, elements per cycle per PE. Sigmoid and swish
// need a transcendental (LUT + interpolation); the hard variants are
// piecewise linear. NAHAS §3.2.2 and Table 3 only say these are poorly
// supported; the numbers are assumptions, not calibrated.
inline constexpr double kNluTranscendentalPerCyclePerPe = 1;
inline constexpr double kNluPiecewisePerCyclePerPe = 4;
// Off-chip access latency (LPDDR4 class, ~100 ns row-miss access).
inline constexpr double kDramLatencyS = 100e-9;
// Tiles per layer in the I/O -> local memory -> register file -> lanes
// pipeline: 4 to 32, about one per kMinTileCycles of work (more when weights
// stream in more tiles). Fine tiles keep the pipeline fill small.
inline constexpr int kPipelineTiles = 32;
inline constexpr double kMinTileCycles = 2048;
// DMA burst size on the interconnect.
inline constexpr unsigned kBurstBytes = 16 * 1024;

// ---- Area at 45 nm, scaled to the reported 16 nm node ------------------------
// Horowitz, "Computing's energy problem", ISSCC 2014, Fig. 1.1.9 (45 nm):
// 8-bit multiplier 282 um^2, 32-bit adder 137 um^2 (the accumulator).
inline constexpr double kMult8AreaUm2 = 282;
inline constexpr double kAdd32AreaUm2 = 137;
// 6T SRAM cell 0.346 um^2 at 45 nm (Mistry et al., IEDM 2007, Intel 45 nm),
// at 70% array efficiency (periphery, sense amps).
inline constexpr double kSramUm2PerBit = 0.346 / 0.7;
// Register files are multi-ported latch arrays: about 4x a 6T cell per bit
// (CACTI's register-file vs. SRAM cell ratio for 2R1W ports).
inline constexpr double kRegFileUm2PerBit = 4 * 0.346;
// Off-chip interface: an LPDDR4 x32 PHY is about 4 mm^2 at 45 nm for 15 GB/s;
// we scale it linearly with bandwidth (assumption).
inline constexpr double kIoAreaMm2PerGBps = 4.0 / 15.0;
// Control, on-chip network and host interface: a fixed block plus a share of
// the datapath (assumption).
inline constexpr double kFixedAreaMm2 = 2.0;
inline constexpr double kOverheadFraction = 0.10;
// Ideal area scaling 45 nm -> 16 nm: (16/45)^2.
inline constexpr double kAreaScale = (16.0 / 45.0) * (16.0 / 45.0);

// ---- Energy -------------------------------------------------------------
// Horowitz ISSCC 2014 (45 nm, 0.9 V): 8-bit multiply 0.2 pJ, 32-bit add
// 0.1 pJ; SRAM read of 64 bits: 10 pJ (8 KB), 20 pJ (32 KB), 100 pJ (1 MB),
// i.e. 1.25 pJ/byte at 8 KB growing with sqrt(capacity).
inline constexpr double kMult8EnergyPj = 0.2;
inline constexpr double kAdd32EnergyPj = 0.1;
inline constexpr double kSram8KbPjPerByte = 1.25;
// Off-chip DRAM: mobile DRAM (LPDDR4) about 5 pJ/bit including I/O
// (O'Connor et al., MICRO 2017, Table 1 range for mobile/stacked DRAM).
inline constexpr double kDramPjPerByte = 5.0 * 8;
// On-chip dynamic energy scale from the 45 nm figures to the accelerator's
// process and voltage. calibrated.
inline constexpr double kOnChipEnergyScale = 0.255;
// Static (leakage and clock-tree) power per mm^2 of reported area. calibrated.
inline constexpr double kStaticWattsPerMm2 = 0.005;

}  // namespace coda::edge::coef
