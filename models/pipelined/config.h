// The parameters of Lu et al.'s pipelined accelerator on a LUT-based FPGA
// (ICCAD'19 §3.4 and §4; reference/fpga.md "Lu et al. setting"), declared
// once: the platform (an Altera Cyclone IV at 100 MHz), the design
// specification <rL, rT> the hardware search must meet, the bit widths of
// layers that carry no quantization, and what the SystemC model streams.
// Each layer's tiles (Tm, Tn) and the partitions are not parameters: the
// family finds them with Algorithm 1 for every network.
#pragma once

#include <vector>

#include "core/params.h"

namespace coda::pipelined {

const std::vector<ParamDecl>& pipelined_params();

struct PipelinedConfig {
  // Filled by from(); the defaults live in the parameter declaration alone.
  double clock_mhz{};
  long long lut_budget{};   // rL
  double throughput_fps{};  // rT
  int input_bits{};         // bits of the image pixels entering the first layer
  int act_int{}, act_frac{}, weight_int{}, weight_frac{};  // layers without quant
  int frames{};        // frames the SystemC model streams through each partition
  double dram_gbps{};  // weights of a partition load over this before it runs

  static PipelinedConfig from(const ParamSet& p);
  double clock_hz() const { return clock_mhz * 1e6; }
};

}  // namespace coda::pipelined
