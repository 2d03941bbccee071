#include "models/dpu/config.h"

#include "core/text.h"

namespace coda::dpu {

const std::vector<ParamDecl>& dpu_params() {
  static const std::vector<ParamDecl> decls = {
      {"arch",
       "",
       7,
       0,
       7,
       "DPU size: peak ops per cycle (PP x ICP x OCP x 2)",
       true,
       {},
       {"B512", "B800", "B1024", "B1152", "B1600", "B2304", "B3136", "B4096"}},
      {"banks",
       "",
       0,
       0,
       2,
       "on-chip bank configuration (dpu_targets.csv)",
       true,
       {},
       {"MAX", "MIN", "BG2"}},
      {"clock_mhz",
       "MHz",
       281,
       100,
       500,
       "DPU clock (the Vitis AI zoo: 281; Zeng et al.: 333)",
       false,
       {},
       {}},
      {"cores", "core", 3, 1, 4, "DPU cores; one inference runs on one core", true, {}, {}},
      {"ddr_bandwidth_gbps",
       "GB/s",
       19.2,
       1,
       100,
       "DDR bandwidth shared by the cores (ZCU102 PS DDR4-2400 x64: 19.2 GB/s)",
       false,
       {},
       {}},
      {"host_overhead_ms",
       "ms",
       1.5,
       0,
       1000,
       "host CPU pre- and post-processing per inference (resize, normalise, softmax)",
       false,
       {},
       {}},
  };
  return decls;
}

const std::vector<Target>& targets() {
  // From dpu_targets.csv (Vitis-AI target_factory) and PG338 Table 9.
  static const std::vector<Target> t = {
      {"DPUCZDX8G_ISA0_B512_MAX", 4, 8, 8, 3, 196608, 131072, 2, 2, 1, true, true, 20177, 98, 69.5},
      {"DPUCZDX8G_ISA0_B512_MIN", 4, 8, 8, 2, 131072, 131072, 1, 0, 1, false, false, 20177, 98,
       69.5},
      {"DPUCZDX8G_ISA0_B800_MAX", 4, 10, 10, 3, 245760, 204800, 2, 2, 1, true, true, 0, 0, 0},
      {"DPUCZDX8G_ISA0_B800_MIN", 4, 10, 10, 2, 163840, 204800, 1, 0, 1, false, false, 0, 0, 0},
      {"DPUCZDX8G_ISA0_B1024_MAX", 8, 8, 8, 3, 393216, 131072, 4, 4, 1, true, true, 27377, 194,
       101.5},
      {"DPUCZDX8G_ISA0_B1024_MIN", 8, 8, 8, 2, 262144, 131072, 1, 0, 1, false, false, 27377, 194,
       101.5},
      {"DPUCZDX8G_ISA0_B1152_MAX", 4, 12, 12, 3, 294912, 294912, 2, 2, 1, true, true, 0, 0, 0},
      {"DPUCZDX8G_ISA0_B1152_MIN", 4, 12, 12, 2, 196608, 294912, 1, 0, 1, false, false, 0, 0, 0},
      {"DPUCZDX8G_ISA0_B1600_MAX", 8, 10, 10, 3, 491520, 204800, 4, 4, 1, true, true, 30877, 282,
       123},
      {"DPUCZDX8G_ISA0_B1600_MIN", 8, 10, 10, 2, 327680, 204800, 1, 0, 1, false, false, 30877, 282,
       123},
      {"DPUCZDX8G_ISA0_B2304_MAX", 8, 12, 12, 3, 589824, 294912, 4, 4, 1, true, true, 34379, 386,
       161.5},
      {"DPUCZDX8G_ISA0_B2304_MAX_BG2", 8, 12, 12, 2, 393216, 294912, 4, 4, 1, true, true, 34379,
       386, 161.5},
      {"DPUCZDX8G_ISA0_B2304_MIN", 8, 12, 12, 2, 393216, 294912, 1, 0, 1, false, false, 34379, 386,
       161.5},
      {"DPUCZDX8G_ISA0_B3136_MAX", 8, 14, 14, 3, 688128, 401408, 4, 4, 1, true, true, 38555, 506,
       203.5},
      {"DPUCZDX8G_ISA0_B3136_MAX_BG2", 8, 14, 14, 2, 458752, 401408, 4, 4, 1, true, true, 38555,
       506, 203.5},
      {"DPUCZDX8G_ISA0_B3136_MIN", 8, 14, 14, 2, 458752, 401408, 1, 0, 1, false, false, 38555, 506,
       203.5},
      {"DPUCZDX8G_ISA0_B4096_MAX", 8, 16, 16, 3, 786432, 524288, 4, 4, 1, true, true, 40865, 642,
       249.5},
      {"DPUCZDX8G_ISA0_B4096_MAX_BG2", 8, 16, 16, 2, 524288, 524288, 4, 4, 1, true, true, 40865,
       642, 249.5},
      {"DPUCZDX8G_ISA0_B4096_MIN", 8, 16, 16, 2, 524288, 524288, 1, 0, 1, false, false, 40865, 642,
       249.5},
  };
  return t;
}

DpuConfig DpuConfig::from(const ParamSet& p) {
  DpuConfig c;
  const std::string arch = p.get_label("arch");
  c.arch_ops = std::stoi(arch.substr(1));
  c.banks = p.get_label("banks");
  c.clock_mhz = p.get("clock_mhz");
  c.cores = p.get_int("cores");
  c.ddr_bandwidth_gbps = p.get("ddr_bandwidth_gbps");
  c.host_overhead_ms = p.get("host_overhead_ms");
  const std::string name = "DPUCZDX8G_ISA0_" + arch + "_" + c.banks;
  std::vector<std::string> available;
  for (const auto& t : targets()) {
    if (t.name == name) {
      c.target = t;
      return c;
    }
    if (t.name.find("_" + arch + "_") != std::string::npos) {
      available.push_back(t.name.substr(t.name.rfind(arch) + arch.size() + 1));
    }
  }
  throw InputError({}, "banks",
                   "'" + c.banks + "' is not a bank configuration of " + arch +
                       "; available: " + join(available, ", "));
}

}  // namespace coda::dpu
