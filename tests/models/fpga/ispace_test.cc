// HotNAS iSpace (§III-②, Properties 2-5): which dimensions each iDetect class
// gets, the cuts that keep tiles full, and the editable file.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/files.h"
#include "models/fpga/config.h"
#include "models/fpga/ispace.h"
#include "models/network/yaml_io.h"
#include "models/network/zoo.h"
#include "tests/util/cli.h"
#include "tests/util/errors.h"

namespace coda::test {
namespace {

using network::CompressionDimension;
using network::CompressionKind;

ParamSet zcu102(int tm) {
  ParamSet p =
      load_params_file(fpga::fpga_params(),
                       std::string(CODA_SOURCE_DIR) + "/configs/hardware/fpga/zcu102.yaml", "fpga");
  p.set("tm", tm);
  p.set("tn", 0);
  return p;
}

// conv3x3 (3x3, 64 outputs) -> conv1x1 (1x1, 64) -> fc: the layers a test
// gives iDetect classes by hand.
network::Network small_net() {
  return network::load_network_yaml(std::string(CODA_SOURCE_DIR) +
                                    "/tests/fixtures/ispace_net.yaml");
}

// A layer's real iDetect record with its class and Lat1 terms set by hand.
fpga::LayerDetect detect(const network::Network& net, const fpga::FpgaConfig& hw,
                         const std::string& layer, char cls, double t_comp, double t_i, double t_w,
                         double cycles) {
  for (auto d : fpga::idetect(net, hw)) {
    if (d.layer != layer) continue;
    d.bottleneck = cls;
    d.estimate.t_comp = t_comp, d.estimate.t_i = t_i, d.estimate.t_w = t_w;
    d.estimate.lat1 = std::max({t_comp, t_i, t_w});
    d.estimate.t_o = 0;
    d.estimate.steps_n = 1;
    d.estimate.cycles = cycles;
    return d;
  }
  ADD_FAILURE() << "no layer " << layer;
  return {};
}

std::vector<std::string> kinds(const std::vector<CompressionDimension>& dims) {
  std::vector<std::string> out;
  for (const auto& d : dims) {
    out.push_back(network::compression_kind_name(d.kind));
  }
  return out;
}

using Kinds = std::vector<std::string>;

TEST(ISpace, EachIDetectClassGetsItsTechnique) {
  const auto net = small_net();
  const auto hw = fpga::FpgaConfig::from(zcu102(16));
  const fpga::ISpaceOptions o;
  // Compute-bound 3x3: patterns of the 3x3 categories, PAT_n 4 (Property 3).
  auto c = fpga::layer_dimensions(net, detect(net, hw, "conv3x3", 'C', 100, 10, 10, 1e12), hw, o);
  EXPECT_EQ(kinds(c), (Kinds{"pattern"}));
  EXPECT_EQ(c.at(0).values, (std::vector<int>{0, 2, 3, 4}));
  EXPECT_EQ(c.at(0).patterns, 4);
  // Weight-bound: quantization (Property 5); with slack (the grown kernel's
  // latency fits in the layer's) also kernel expansion (Theorem 1).
  auto w = fpga::layer_dimensions(net, detect(net, hw, "conv3x3", 'W', 10, 10, 100, 1e12), hw, o);
  EXPECT_EQ(kinds(w), (Kinds{"quant", "kernel_expand"}));
  EXPECT_EQ(w.at(0).values, (std::vector<int>{0, 12, 8, 6}));
  auto w_tight =
      fpga::layer_dimensions(net, detect(net, hw, "conv3x3", 'W', 10, 10, 100, 1), hw, o);
  EXPECT_EQ(kinds(w_tight), (Kinds{"quant"}));
  // IFM-bound: a channel cut that drops one Tm = 16 tile of 64 outputs
  // (Property 4), at most a quarter of them.
  auto i = fpga::layer_dimensions(net, detect(net, hw, "conv3x3", 'I', 10, 100, 10, 1), hw, o);
  EXPECT_EQ(kinds(i), (Kinds{"channel_cut"}));
  EXPECT_EQ(i.at(0).values, (std::vector<int>{0, 16}));
  // IFM and weight loads within 10%: both techniques (HotNAS Table V, layer4).
  auto iw = fpga::layer_dimensions(net, detect(net, hw, "conv3x3", 'W', 10, 95, 100, 1), hw, o);
  EXPECT_EQ(kinds(iw), (Kinds{"quant", "channel_cut"}));
  // A 1x1 kernel has no pattern to prune; a linear layer only quantizes.
  EXPECT_TRUE(
      fpga::layer_dimensions(net, detect(net, hw, "conv1x1", 'C', 100, 10, 10, 1), hw, o).empty());
  EXPECT_EQ(kinds(fpga::layer_dimensions(net, detect(net, hw, "fc", 'W', 1, 1, 100, 1), hw, o)),
            (Kinds{"quant"}));
}

TEST(ISpace, OutputBoundLayerCutsFractionsOfAPartialTile) {
  const auto net = small_net();
  const auto hw = fpga::FpgaConfig::from(zcu102(100));  // 64 outputs fit one Tm = 100 tile
  auto d = detect(net, hw, "conv3x3", 'O', 10, 10, 10, 1);
  d.estimate.t_o = 1000;
  const auto dims = fpga::layer_dimensions(net, d, hw, fpga::ISpaceOptions{});
  ASSERT_EQ(kinds(dims), (Kinds{"channel_cut"}));
  EXPECT_EQ(dims.at(0).values, (std::vector<int>{0, 8, 16}));
}

TEST(ISpace, CutsThatBreakAResidualAddAreLeftOut) {
  const auto net = network::build_zoo("resnet18");
  const auto hw = fpga::FpgaConfig::from(zcu102(16));
  // layer1.0.conv2 feeds the block's add: cutting it cannot build.
  EXPECT_TRUE(fpga::layer_dimensions(net, detect(net, hw, "layer1.0.conv2", 'I', 1, 100, 1, 1), hw,
                                     fpga::ISpaceOptions{})
                  .empty());
  // layer1.0.conv1 feeds conv2 only.
  EXPECT_EQ(kinds(fpga::layer_dimensions(net, detect(net, hw, "layer1.0.conv1", 'I', 1, 100, 1, 1),
                                         hw, fpga::ISpaceOptions{})),
            (Kinds{"channel_cut"}));
}

TEST(ISpace, GeneratedFileReadsBackAndEditsAreChecked) {
  const auto net = network::build_zoo("resnet18");
  const std::string space_file = std::string(CODA_SOURCE_DIR) + "/configs/spaces/fpga_hotnas.yaml";
  const auto hws = space::HwSpace::load(space_file, "fpga", fpga::fpga_params());
  ParamSet design = hws.point(0);
  design.set("tm", 70), design.set("tr", 32), design.set("tc", 32);
  design.set("ib", 10), design.set("wb", 14), design.set("ob", 6);
  const auto s = fpga::generate_ispace(net, design, hws, fpga::ISpaceOptions{});
  // ResNet-18 on this design: 3x3 layers of layer1-3 compute-bound, layer4
  // weight-bound (as HotNAS Table V finds on its design).
  std::map<std::string, Kinds> by_layer;
  for (const auto& d : s.compression) by_layer[d.layer].push_back(compression_kind_name(d.kind));
  EXPECT_EQ(by_layer["layer1.0.conv1"], (Kinds{"pattern"}));
  EXPECT_EQ(by_layer["layer4.1.conv2"], (Kinds{"quant"}));
  EXPECT_EQ(by_layer["fc"], (Kinds{"quant"}));
  EXPECT_EQ(by_layer.count("conv1"), 0u);  // 7x7: no 3x3 pattern category
  // The file still lists it, with its class (iDesign's iDetect of every layer).
  EXPECT_NE(s.to_yaml().find("- layer: conv1\n    idetect: C\n"), std::string::npos) << s.to_yaml();
  // H: each swept field keeps the design's neighbours in the space's lists.
  for (const auto& d : s.hardware.dimensions()) {
    if (d.name == "tm") {
      EXPECT_EQ(d.values, (std::vector<double>{40, 70, 100}));
    }
    if (d.name == "ib") {
      EXPECT_EQ(d.values, (std::vector<double>{6, 10, 14}));
    }
  }
  const std::string dir = temp_dir("ispace");
  write_file(dir + "/resnet18.yaml", s.to_yaml());
  const auto back = fpga::load_ispace(dir + "/resnet18.yaml", net, hws);
  ASSERT_EQ(back.compression.size(), s.compression.size());
  for (std::size_t k = 0; k < s.compression.size(); ++k) {
    EXPECT_EQ(back.compression[k].name(), s.compression[k].name());
    EXPECT_EQ(back.compression[k].values, s.compression[k].values);
  }
  EXPECT_EQ(back.hardware.size(), s.hardware.size());
  // An edit that does not apply names the file, line and layer.
  std::string text = s.to_yaml();
  const auto at = text.find("quant: [0, 12, 8, 6]");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 20, "quant: [0, 12, 40]");
  write_file(dir + "/bad.yaml", text);
  const std::string err = input_error_of([&] { fpga::load_ispace(dir + "/bad.yaml", net, hws); });
  EXPECT_NE(err.find(dir + "/bad.yaml:"), std::string::npos) << err;
  EXPECT_NE(err.find("value 40 does not apply"), std::string::npos) << err;
}

}  // namespace
}  // namespace coda::test
