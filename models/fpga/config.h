// The HotNAS tiled FPGA engine's parameters (reference/fpga.md, HotNAS
// §III-③): the device preset, clock, data width, the tile sizes
// D = <Tm, Tn, Tr, Tc, Tm(d)> and the words per cycle of the three DMA
// streams <I_b, W_b, O_b>; and the resource checks of eq. 1/14, 3-6 and 10.
#pragma once

#include <string>
#include <vector>

#include "core/params.h"

namespace coda::fpga {

const std::vector<ParamDecl>& fpga_params();

// A board: what the resource constraints are checked against.
struct Device {
  std::string name;
  int dsp;                 // DSP slices
  int bram18k;             // 18 Kb block RAMs
  double lutram_mbit;      // distributed (LUT) RAM
  int port_bits;           // PL-DDR port width per cycle, all streams together (eq. 10's W)
  double dram_gbps;        // DDR bandwidth shared by the streams
  double dram_latency_ns;  // first-word latency of a DMA request
};

const std::vector<Device>& devices();

// Data bits one BRAM18K holds at 8/16/32-bit widths (x9/x18/x36 modes keep
// the parity bits unused), and a block's widest port (simple dual port).
inline constexpr int kBramDataBits = 16 * 1024;
inline constexpr int kBramPortBits = 36;
inline constexpr int kBramDepthAtPortBits = 512;

// Where the weight buffer lives (see FpgaConfig::memory).
struct MemoryUse {
  int bram_ifm = 0, bram_ofm = 0, bram_weights = 0;
  double lutram_mbit = 0;  // the weight buffer, when it sits in LUT RAM
  int bram() const { return bram_ifm + bram_ofm + bram_weights; }
};

struct FpgaConfig {
  // Filled by from(); the defaults live in the parameter declaration alone.
  Device device;
  double clock_mhz{};
  int data_bits{};
  int tm{}, tn{}, tr{}, tc{}, tm_dw{};
  int ib{}, wb{}, ob{};  // words per cycle

  // tn = 0 in a file means "the largest Tn the DSPs allow" (eq. 14), as the
  // HotNAS space does; from() resolves it.
  static FpgaConfig from(const ParamSet& p);
  double clock_hz() const { return clock_mhz * 1e6; }
  // DSP slices per multiply-accumulate at this data width: 16-bit fixed point
  // one (HotNAS §III-③), 8-bit two MACs per DSP48E2 (Xilinx WP486), 32-bit
  // float five (the authors' released model).
  double dsp_per_mac() const;
  int dsp_used() const;
  int words_per_cycle() const { return ib + wb + ob; }
  // On-chip memory for the double-buffered tiles with a k x k weight buffer.
  // IFM and OFM tiles follow eq. 3 and 4: 2 * lanes * ceil(Tr*Tc*bits / 16K),
  // shared by the conv and depthwise engines as in the paper. Eq. 5 as
  // written (2 * Tm * Tn blocks) exceeds the ZCU102 for every Table II
  // design, so the weight buffer - Tm*Tn + Tm(d) lanes of k*k words, read
  // all at once - is bound the way HLS binds small partitioned arrays: to
  // LUT RAM when it fits the device's, otherwise to BRAM with
  // floor(36 / bits) lanes per block and ping and pong in a block's depth
  // (docs/design-notes.md "FPGA on-chip memory").
  MemoryUse memory(int k) const;
};

// Empty when the design fits; otherwise the violated constraint with its
// numbers. `max_kernel` sizes the weight buffer (1 checks the design alone).
std::string check_resources(const FpgaConfig& hw, int max_kernel);

}  // namespace coda::fpga
