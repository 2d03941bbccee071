#include "models/fpga/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace coda::fpga {

const std::vector<Device>& devices() {
  // ZCU102 (XCZU9EG, DS891): 2520 DSP, 1824 BRAM18K (32.1 Mb), 8.8 Mb
  // distributed RAM, 4 HP ports x 128 bit (reference/fpga.md); PS DDR4-2400
  // x64 = 19.2 GB/s.
  static const std::vector<Device> d = {
      {"zcu102", 2520, 1824, 8.8, 512, 19.2, 100},
  };
  return d;
}

const std::vector<ParamDecl>& fpga_params() {
  static const std::vector<ParamDecl> decls = [] {
    std::vector<std::string> names;
    for (const auto& d : devices()) names.push_back(d.name);
    return std::vector<ParamDecl>{
        {"device", "", 0, 0, static_cast<double>(names.size() - 1),
         "board: DSPs, BRAM18K blocks, port width and DDR (zcu102: 2520, 1824, 512 bit)", true,
         {}, names},
        {"clock_mhz", "MHz", 200, 50, 800, "accelerator clock (HotNAS Table II: 200)", false, {},
         {}},
        {"data_bits", "bit", 16, 8, 32, "feature-map and weight width (HotNAS: 16-bit fixed point)",
         true, {8, 16, 32}, {}},
        {"tm", "channel", 70, 1, 4096, "Tm: output-channel tile (parallel MAC rows)", true, {}, {}},
        {"tn", "channel", 36, 0, 4096,
         "Tn: input-channel tile; 0 = the largest the DSPs allow (eq. 14)", true, {}, {}},
        {"tr", "row", 64, 1, 1024, "Tr: rows of the on-chip IFM tile", true, {}, {}},
        {"tc", "column", 32, 1, 1024, "Tc: columns of the on-chip IFM tile", true, {}, {}},
        {"tm_dw", "channel", 0, 0, 4096,
         "Tm(d): channels of the depthwise engine (Tn = 1); 0 = no depthwise engine", true, {},
         {}},
        {"ib", "word/cycle", 6, 1, 256, "I_b: IFM stream bandwidth", true, {}, {}},
        {"wb", "word/cycle", 18, 1, 256, "W_b: weight stream bandwidth", true, {}, {}},
        {"ob", "word/cycle", 2, 1, 256, "O_b: OFM stream bandwidth", true, {}, {}},
    };
  }();
  return decls;
}

double FpgaConfig::dsp_per_mac() const {
  return data_bits <= 8 ? 0.5 : data_bits <= 16 ? 1.0 : 5.0;
}

FpgaConfig FpgaConfig::from(const ParamSet& p) {
  FpgaConfig c;
  c.device = devices().at(static_cast<std::size_t>(p.get_int("device")));
  c.clock_mhz = p.get("clock_mhz");
  c.data_bits = p.get_int("data_bits");
  c.tm = p.get_int("tm");
  c.tn = p.get_int("tn");
  c.tr = p.get_int("tr");
  c.tc = p.get_int("tc");
  c.tm_dw = p.get_int("tm_dw");
  c.ib = p.get_int("ib");
  c.wb = p.get_int("wb");
  c.ob = p.get_int("ob");
  if (c.tn == 0) {
    // Eq. 14: Tm * Tn + Tm(d) <= DSPs (at one DSP per MAC for 16 bit).
    const double macs = c.device.dsp / c.dsp_per_mac() - c.tm_dw;
    c.tn = std::max(1, static_cast<int>(std::floor(macs / c.tm)));
  }
  return c;
}

int FpgaConfig::dsp_used() const {
  return static_cast<int>(std::ceil((static_cast<double>(tm) * tn + tm_dw) * dsp_per_mac()));
}

MemoryUse FpgaConfig::memory(int k) const {
  MemoryUse m;
  const long long tile = static_cast<long long>(tr) * tc;
  const long long per_lane = (tile * data_bits + kBramDataBits - 1) / kBramDataBits;
  m.bram_ifm = static_cast<int>(2 * tn * per_lane);  // eq. 3
  m.bram_ofm = static_cast<int>(2 * tm * per_lane);  // eq. 4
  const long long lanes = static_cast<long long>(tm) * tn + tm_dw;
  const long long depth = 2LL * k * k;  // ping and pong
  const double mbit = static_cast<double>(lanes) * depth * data_bits / 1e6;
  if (mbit <= device.lutram_mbit) {
    m.lutram_mbit = mbit;
  } else {
    const long long per_block = std::max(1, kBramPortBits / data_bits);
    const long long deep = (depth + kBramDepthAtPortBits - 1) / kBramDepthAtPortBits;
    m.bram_weights = static_cast<int>((lanes + per_block - 1) / per_block * deep);  // eq. 5
  }
  return m;
}

std::string check_resources(const FpgaConfig& hw, int max_kernel) {
  const Device& d = hw.device;
  if (hw.dsp_used() > d.dsp) {
    return fmt::format(
        "DSP (eq. 14): (Tm*Tn + Tm(d)) * {} DSP/MAC = ({}*{} + {}) * {} = {} exceeds the {}'s {} "
        "DSPs",
        hw.dsp_per_mac(), hw.tm, hw.tn, hw.tm_dw, hw.dsp_per_mac(), hw.dsp_used(), d.name, d.dsp);
  }
  if (hw.words_per_cycle() * hw.data_bits >= d.port_bits) {
    return fmt::format(
        "bandwidth (eq. 10): I_b + W_b + O_b = {} + {} + {} = {} words/cycle of {} bit must stay "
        "below the {}'s {}-bit ports ({} words/cycle)",
        hw.ib, hw.wb, hw.ob, hw.words_per_cycle(), hw.data_bits, d.name, d.port_bits,
        d.port_bits / hw.data_bits);
  }
  if (hw.tr < max_kernel || hw.tc < max_kernel) {
    return fmt::format("tile: Tr x Tc = {} x {} cannot hold a {}x{} kernel window", hw.tr, hw.tc,
                       max_kernel, max_kernel);
  }
  const MemoryUse m = hw.memory(max_kernel);
  if (m.bram() >= d.bram18k) {
    return fmt::format(
        "BRAM (eq. 3-6): bI + bO + bW = {} + {} + {} = {} BRAM18K for Tm {}, Tn {}, Tr {}, Tc {}, "
        "Tm(d) {}, K {} reaches the {}'s {}",
        m.bram_ifm, m.bram_ofm, m.bram_weights, m.bram(), hw.tm, hw.tn, hw.tr, hw.tc, hw.tm_dw,
        max_kernel, d.name, d.bram18k);
  }
  return "";
}

}  // namespace coda::fpga
