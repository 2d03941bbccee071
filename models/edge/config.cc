#include "models/edge/config.h"

namespace coda::edge {

const std::vector<ParamDecl>& edge_params() {
  // Defaults are the NAHAS baseline (§3.3). Ranges cover Table 1 with room
  // for studies beyond it; Table 1's own values live in configs/spaces/.
  static const std::vector<ParamDecl> decls = {
      {"pes_x", "PE", 4, 1, 64, "processing elements along x", true, {}, {}},
      {"pes_y", "PE", 4, 1, 64, "processing elements along y", true, {}, {}},
      {"simd_units", "unit/lane", 64, 1, 1024, "SIMD MAC units per compute lane", true, {}, {}},
      {"compute_lanes", "lane/PE", 4, 1, 64, "compute lanes per PE", true, {}, {}},
      {"local_memory_mb",
       "MiB/PE",
       2,
       0.0625,
       64,
       "local memory per PE, shared by its lanes",
       false,
       {},
       {}},
      {"register_file_kb",
       "KiB/lane",
       32,
       1,
       4096,
       "register file per compute lane",
       false,
       {},
       {}},
      {"io_bandwidth_gbps", "GB/s", 15, 0.1, 1000, "off-chip I/O bandwidth", false, {}, {}},
      {"clock_ghz", "GHz", 0.8, 0.05, 5, "clock frequency", false, {}, {}},
      {"data_bits",
       "bit",
       8,
       4,
       32,
       "operand width (a SIMD unit is 32/data_bits-way)",
       true,
       {4, 8, 16, 32},
       {}},
  };
  return decls;
}

EdgeConfig EdgeConfig::from(const ParamSet& p) {
  EdgeConfig c;
  c.pes_x = p.get_int("pes_x");
  c.pes_y = p.get_int("pes_y");
  c.simd_units = p.get_int("simd_units");
  c.compute_lanes = p.get_int("compute_lanes");
  c.local_memory_mb = p.get("local_memory_mb");
  c.register_file_kb = p.get("register_file_kb");
  c.io_bandwidth_gbps = p.get("io_bandwidth_gbps");
  c.clock_ghz = p.get("clock_ghz");
  c.data_bits = p.get_int("data_bits");
  return c;
}

}  // namespace coda::edge
