// Timing coefficients of the DPU model that are not in the public
// documentation. "calibrated" marks those fitted to the two calibration rows
// of reference/dpu.md (Vitis AI zoo ResNet-50 and MobileNetV2 on ZCU102
// B4096 at 281 MHz); nothing is fitted to the Zeng et al. numbers.
#pragma once

namespace coda::dpu::coef {

// Per compute instruction: fetch, decode and pipeline fill of the engine.
// calibrated.
inline constexpr double kInstructionCycles = 40;
// Per *INIT instruction (engine configuration).
inline constexpr double kInitCycles = 20;
// DDR access latency seen by the DPU's AXI masters.
inline constexpr double kDdrLatencyS = 150e-9;
// Instruction encoding and fetch block (the instruction buffer is refilled
// a block at a time).
inline constexpr unsigned kInstructionBytes = 16;
inline constexpr unsigned kFetchBlock = 64;
// AXI burst size.
inline constexpr unsigned kBurstBytes = 4096;
// Host (Cortex-A53 at 1.2 GHz, NEON) costs of operators the DPU cannot run,
// including the round trip through DDR. Assumptions, not calibrated.
inline constexpr double kHostNsPerTranscendental = 4.0;  // sigmoid, swish, hard-*
inline constexpr double kHostNsPerSimpleElement = 1.0;   // shuffle, broadcast multiply
inline constexpr double kHostNsPerMac = 0.5;             // convolutions outside the DPU limits

}  // namespace coda::dpu::coef
