#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "models/network/zoo.h"
#include "search/joint_space.h"
#include "search/nas_space.h"

namespace coda::search {
namespace {

TEST(NasSpace, NahasS1DecodesMobileNetV2AtTheBaselineChoice) {
  const NasSpace s = NasSpace::nahas_s1();
  EXPECT_EQ(s.decisions().size(), 34u);  // 17 blocks x (kernel, expansion)
  EXPECT_NEAR(s.size(), std::pow(3.0, 17) * std::pow(2.0, 16), 1);  // ~8.4e12 (NAHAS §3.2.1)
  std::vector<int> baseline;
  for (std::size_t b = 0; b < 17; ++b) {
    baseline.push_back(0);               // kernel 3
    baseline.push_back(b == 0 ? 0 : 1);  // expansion 1, then 6
  }
  const auto net = s.decode(baseline);
  const auto ref = network::build_zoo("mobilenet_v2");
  EXPECT_EQ(net.params(), ref.params());
  EXPECT_EQ(net.macs(), ref.macs());
  EXPECT_EQ(s.describe(baseline).substr(0, 11), "k3e1-k3e6-k");
  std::vector<int> bad = baseline;
  bad[2] = 3;
  EXPECT_THROW(s.decode(bad), InputError);
}

TEST(NasSpace, LargerKernelsAndExpansionsCostMore) {
  const NasSpace s = NasSpace::nahas_s1();
  std::vector<int> small(34, 0), big;
  for (std::size_t i = 0; i < 34; ++i) big.push_back(i % 2 == 0 ? 2 : (i == 1 ? 0 : 1));
  EXPECT_LT(s.decode(small).macs(), s.decode(big).macs());
}

TEST(JointSpace, SamplesAreAFunctionOfSeedAndIndex) {
  const std::string src = CODA_SOURCE_DIR;
  std::vector<ParamDecl> decls = {{"pes_x", "PE", 4, 1, 64, "", true, {}, {}},
                                  {"pes_y", "PE", 4, 1, 64, "", true, {}, {}},
                                  {"simd_units", "", 64, 1, 1024, "", true, {}, {}},
                                  {"compute_lanes", "", 4, 1, 64, "", true, {}, {}},
                                  {"local_memory_mb", "", 2, 0.0625, 64, "", false, {}, {}},
                                  {"register_file_kb", "", 32, 1, 4096, "", false, {}, {}},
                                  {"io_bandwidth_gbps", "", 15, 0.1, 1000, "", false, {}, {}},
                                  {"clock_ghz", "", 0.8, 0.05, 5, "", false, {}, {}},
                                  {"data_bits", "", 8, 4, 32, "", true, {4, 8, 16, 32}, {}}};
  const auto space = JointSpace::load(src + "/configs/spaces/edge_joint.yaml", "edge", decls);
  const auto a = space.sample(7, 123), b = space.sample(7, 123), c = space.sample(8, 123);
  EXPECT_EQ(a.nas, b.nas);
  EXPECT_EQ(a.hw_point, b.hw_point);
  EXPECT_TRUE(a.nas != c.nas || a.hw_point != c.hw_point);
  EXPECT_EQ(space.hw().size(), 50000);
  EXPECT_THROW(JointSpace::load(src + "/configs/spaces/edge_joint.yaml", "dpu", decls), InputError);
}

}  // namespace
}  // namespace coda::search
