#include "models/pipelined/config.h"

namespace coda::pipelined {

const std::vector<ParamDecl>& pipelined_params() {
  static const std::vector<ParamDecl> decls = {
      {"clock_mhz", "MHz", 100, 1, 1000, "fabric clock (Lu et al. §4: 100 MHz)", false, {}, {}},
      {"lut_budget",
       "LUT",
       100000,
       1000,
       10000000,
       "rL: the LUTs one partition may use (§4: 30,000, 100,000 or 300,000)",
       true,
       {},
       {}},
      {"throughput_fps",
       "frame/s",
       500,
       1,
       10000000,
       "rT: the throughput the design must reach (§4: 500, 1000 or 2000)",
       false,
       {},
       {}},
      {"input_bits", "bit", 8, 1, 32, "bits of the input pixels (all fractional)", true, {}, {}},
      {"act_int", "bit", 3, 0, 16, "Ai of layers without quantization", true, {}, {}},
      {"act_frac", "bit", 5, 0, 16, "Af of layers without quantization", true, {}, {}},
      {"weight_int",
       "bit",
       1,
       0,
       16,
       "Wi (sign included) of layers without quantization",
       true,
       {},
       {}},
      {"weight_frac", "bit", 7, 0, 16, "Wf of layers without quantization", true, {}, {}},
      {"frames",
       "frame",
       1000,
       1,
       100000,
       "frames the SystemC model streams through each partition",
       true,
       {},
       {}},
      {"dram_gbps",
       "GB/s",
       0.4,
       0.01,
       100,
       "off-chip bandwidth that loads a partition's weights (DE2-115: 32-bit SDRAM at 100 MHz)",
       false,
       {},
       {}},
  };
  return decls;
}

PipelinedConfig PipelinedConfig::from(const ParamSet& p) {
  PipelinedConfig c;
  c.clock_mhz = p.get("clock_mhz");
  c.lut_budget = static_cast<long long>(p.get("lut_budget"));
  c.throughput_fps = p.get("throughput_fps");
  c.input_bits = p.get_int("input_bits");
  c.act_int = p.get_int("act_int");
  c.act_frac = p.get_int("act_frac");
  c.weight_int = p.get_int("weight_int");
  c.weight_frac = p.get_int("weight_frac");
  c.frames = p.get_int("frames");
  c.dram_gbps = p.get("dram_gbps");
  return c;
}

}  // namespace coda::pipelined
