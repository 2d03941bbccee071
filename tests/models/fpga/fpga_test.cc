// The tiled FPGA engine (HotNAS iDesign): the paper's calibration row, the
// equations in closed form, resource checks, compression, and the SystemC
// pipeline against its analytical twin.
#include <gtest/gtest.h>

#include "models/fpga/config.h"
#include "models/fpga/idesign.h"
#include "models/network/builder.h"
#include "models/network/compression_plan.h"
#include "models/network/zoo.h"
#include "sim/accelerator.h"
#include "tests/util/systemc_fixture.h"

namespace coda::test {
namespace {

using fpga::FpgaConfig;
using fpga::Scope;
using network::Builder;
using network::ConvSpec;

class Fpga : public SystemCTest {
 protected:
  static sim::Accelerator& acc() { return sim::accelerator("fpga"); }
  static ParamSet zcu102() {
    return load_params_file(fpga::fpga_params(),
                            std::string(CODA_SOURCE_DIR) + "/configs/hardware/fpga/zcu102.yaml",
                            "fpga");
  }
  static ParamSet design(std::initializer_list<std::pair<const char*, double>> fields) {
    ParamSet p = zcu102();
    for (const auto& [k, v] : fields) p.set(k, v);
    return p;
  }
  static sim::SimResult analytical(const network::Network& net, const ParamSet& hw,
                                   const std::string& scope = "network") {
    sim::SimOptions o;
    o.scope = scope;
    return acc().analytical(net, hw, o);
  }
  static const sim::LayerResult& layer(const sim::SimResult& r, const std::string& name) {
    for (const auto& l : r.layers)
      if (l.name == name) return l;
    throw std::runtime_error("no layer " + name);
  }
};

// reference/fpga.md calibration row: HotNAS Table II AlexNet, Tm 70, Tn 36,
// Tr 64, Tc 32, W_b 18, I_b 6, O_b 2, 16 bit at 200 MHz, conv layers only:
// 2.02 ms with bottlenecks C 4, W 1.
TEST_F(Fpga, AlexNetCalibrationRow) {
  const auto r = analytical(network::build_zoo("alexnet"), zcu102(), "conv_only");
  ASSERT_TRUE(r.feasible) << r.reason;
  EXPECT_NEAR(r.latency_s * 1e3, 2.02, 0.03 * 2.02);
  EXPECT_DOUBLE_EQ(r.cycles, 404830);  // the authors' released model gives the same cycles
  ASSERT_EQ(r.layers.size(), 5u);       // conv layers only
  EXPECT_EQ(r.extra["bottlenecks"]["C"], 4);
  EXPECT_EQ(r.extra["bottlenecks"]["W"], 1);
  EXPECT_EQ(r.layers[0].bottleneck, "W");  // conv1: 70*36*121/18 = 16940 > 15*8*121
  EXPECT_DOUBLE_EQ(r.layers[0].cycles, 2 * 16940.0);
}

// The ResNet-18 row cannot be reproduced with true shapes (reference/fpga.md):
// the same formulas give about 7.4 ms, not 6.27.
TEST_F(Fpga, ResNet18TableIIDesignWithTrueShapes) {
  const auto r = analytical(network::build_zoo("resnet18"),
                            design({{"tr", 64}, {"tc", 64}, {"ob", 6}}), "conv_only");
  ASSERT_TRUE(r.feasible) << r.reason;
  EXPECT_NEAR(r.latency_s * 1e3, 7.44, 0.01);
  EXPECT_EQ(r.layers.size(), 20u);
}

// Eq. 2, 7-13 in the exact geometry for one conv, by hand: 64 -> 128, 3x3,
// stride 1, pad 1, 28x28, on Tm 70, Tn 36, Tr 64, Tc 32.
TEST_F(Fpga, ExactGeometryClosedForm) {
  fpga::FpgaLayer l;
  l.kind = fpga::Kind::kConv;
  l.m = 128;
  l.n = 64;
  l.h = l.w = l.r = l.c = 28;
  l.kh = l.kw = 3;
  l.ph = l.pw = 1;
  l.kernel_ones = 9;
  const FpgaConfig hw = FpgaConfig::from(zcu102());
  const auto e = fpga::estimate(l, hw, Scope::kNetwork);
  // IFM tile min(64, 30) x min(32, 30) -> 28 x 28 outputs; one spatial tile.
  EXPECT_EQ(e.tiles_r, 1);
  EXPECT_EQ(e.tiles_c, 1);
  EXPECT_EQ(e.tiles_m, 2);   // ceil(128 / 70)
  EXPECT_EQ(e.steps_n, 2);   // ceil(64 / 36)
  EXPECT_DOUBLE_EQ(e.t_comp, 9.0 * 28 * 28);           // eq. 2
  EXPECT_DOUBLE_EQ(e.t_i, 36.0 * 30 * 30 / 6);          // eq. 7 with the halo
  EXPECT_DOUBLE_EQ(e.t_w, std::ceil(70.0 * 36 * 9 / 18)); // eq. 8
  EXPECT_DOUBLE_EQ(e.t_o, 70.0 * 28 * 28 / 2);          // eq. 9
  const double lat1 = 9.0 * 28 * 28;                    // eq. 11: compute-bound
  const double lat2 = 70.0 * 28 * 28 / 2;               // eq. 12: 27440 > 2 * 7056
  EXPECT_DOUBLE_EQ(e.lat2, lat2);
  EXPECT_EQ(e.bottleneck, 'O');
  EXPECT_DOUBLE_EQ(e.cycles, 2 * lat2 + lat2 + lat1);   // eq. 13 with its fill term
}

TEST_F(Fpga, ResourceChecksNameTheConstraint) {
  const auto net = network::build_zoo("resnet18");
  auto r = acc().simulate(net, design({{"tm", 100}}), {});
  EXPECT_FALSE(r.feasible);
  EXPECT_EQ(r.reason,
            "DSP (eq. 14): (Tm*Tn + Tm(d)) * 1 DSP/MAC = (100*36 + 0) * 1 = 3600 exceeds the "
            "zcu102's 2520 DSPs");
  r = acc().simulate(net, design({{"ob", 8}}), {});  // 6 + 18 + 8 = 32 words
  EXPECT_FALSE(r.feasible);
  EXPECT_EQ(r.reason,
            "bandwidth (eq. 10): I_b + W_b + O_b = 6 + 18 + 8 = 32 words/cycle of 16 bit must "
            "stay below the zcu102's 512-bit ports (32 words/cycle)");
  r = acc().simulate(net, design({{"tr", 256}, {"tc", 256}}), {});
  EXPECT_FALSE(r.feasible);
  EXPECT_NE(r.reason.find("BRAM (eq. 3-6)"), std::string::npos) << r.reason;
  r = acc().simulate(network::build_zoo("mobilenet_v2"), zcu102(), {});
  EXPECT_FALSE(r.feasible);
  EXPECT_NE(r.reason.find("tm_dw = 0"), std::string::npos) << r.reason;
  // A layer the engine cannot run is an infeasible result naming it.
  Builder b("dilated", {16, 32, 32});
  ConvSpec dil = ConvSpec::make(16, 3);
  dil.dilation = 2;
  b.conv("atrous", b.input(), dil);
  r = acc().simulate(b.take(), zcu102(), {});
  EXPECT_FALSE(r.feasible);
  EXPECT_NE(r.reason.find("layer 'atrous'"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("dilation 1 only"), std::string::npos) << r.reason;
  // The feasible design reports what it uses.
  r = acc().analytical(net, zcu102());
  ASSERT_TRUE(r.feasible);
  EXPECT_EQ(r.extra["resources"]["dsp"]["used"], 2520);
  EXPECT_EQ(r.extra["resources"]["bandwidth_words_per_cycle"]["used"], 26);
  EXPECT_EQ(r.extra["resources"]["bandwidth_words_per_cycle"]["available"], 32);
}

TEST_F(Fpga, TnZeroIsTheLargestTheDspsAllow) {
  EXPECT_EQ(FpgaConfig::from(design({{"tm", 100}, {"tn", 0}})).tn, 25);
  EXPECT_EQ(FpgaConfig::from(design({{"tm", 100}, {"tn", 0}, {"tm_dw", 832}})).tn, 16);
  EXPECT_EQ(FpgaConfig::from(design({{"tm", 220}, {"tn", 0}})).tn, 11);
}

TEST_F(Fpga, BramFollowsEquationsThreeToSix) {
  const FpgaConfig hw = FpgaConfig::from(zcu102());
  // AlexNet's 11x11 weight buffer (2 * 2520 * 121 * 16 bit = 9.8 Mbit) exceeds
  // the 8.8 Mbit of LUT RAM: it goes to BRAM, two 16-bit lanes per block.
  const auto m11 = hw.memory(11);
  EXPECT_EQ(m11.bram_ifm, 2 * 36 * 2);  // 64 x 32 words x 16 bit = 2 blocks per lane
  EXPECT_EQ(m11.bram_ofm, 2 * 70 * 2);
  EXPECT_EQ(m11.bram_weights, 1260);
  EXPECT_DOUBLE_EQ(m11.lutram_mbit, 0);
  const auto m7 = hw.memory(7);
  EXPECT_EQ(m7.bram_weights, 0);
  EXPECT_NEAR(m7.lutram_mbit, 2.0 * 2520 * 49 * 16 / 1e6, 1e-9);
}

// Builds layers where the paper's assumptions hold (full tiles, many steps,
// streams below the DDR limit), one per bottleneck class.
network::Network steady_layers() {
  Builder b("steady", {720, 32, 32});
  // I: 1x1, 720 -> 700 on 32x32: 36 * 1024 / 6 words per 1024-cycle step,
  // 10 x 20 full steps.
  auto x = b.conv("i_bound", b.input(), ConvSpec::make(700, 1));
  // C: 3x3 over 32x32 (30x30 out), 10 x 20 steps of 9 * 900 cycles.
  x = b.conv("c_bound", x, ConvSpec::make(700, 3).with_pad(0));
  // O: 1x1, 36 -> 7000: one step per tile, 100 tiles of 70 * 900 / 2 words.
  x = b.conv("o_reduce", x, ConvSpec::make(36, 1));
  x = b.conv("o_bound", x, ConvSpec::make(7000, 1));
  x = b.global_avg_pool("gap", x);
  x = b.flatten("flat", x);
  b.linear("w_bound", x, 4096);
  return b.take();
}

TEST_F(Fpga, SystemCAgreesWithTheTwinWhereTheAssumptionsHold) {
  const auto net = steady_layers();
  const ParamSet hw = design({{"tr", 32}, {"tc", 32}});
  const auto sim = acc().simulate(net, hw, {});
  const auto twin = acc().analytical(net, hw);
  ASSERT_TRUE(sim.feasible) << sim.reason;
  const std::map<std::string, std::string> expected = {
      {"c_bound", "C"}, {"i_bound", "I"}, {"o_bound", "O"}, {"w_bound", "W"}};
  for (const auto& [name, cls] : expected) {
    const auto& s = layer(sim, name);
    const auto& a = layer(twin, name);
    EXPECT_NEAR(s.cycles, a.cycles, 0.02 * a.cycles) << name;
    EXPECT_EQ(a.bottleneck, cls) << name;
    EXPECT_EQ(s.bottleneck, cls) << name;
    EXPECT_NEAR(s.extra["difference_pct"].get<double>(), 100 * (a.cycles - s.cycles) / s.cycles,
                1e-9);
  }
}

// Where the assumptions fail, the simulator counts what the formula cannot:
// the last partial tile moves and computes less.
TEST_F(Fpga, PartialTilesAreCountedBySimulation) {
  Builder b("partial", {36, 40, 40});
  b.conv("conv", b.input(), ConvSpec::make(70, 3));  // 40 wide on Tc 32: 30 + 10 columns
  const auto net = b.take();
  const ParamSet hw = design({{"tr", 64}, {"tc", 32}});
  const auto sim = acc().simulate(net, hw, {});
  const auto twin = acc().analytical(net, hw);
  ASSERT_TRUE(sim.feasible);
  const auto e = fpga::estimate(fpga::engine_layers(net, Scope::kNetwork, 16)[0],
                                FpgaConfig::from(hw), Scope::kNetwork);
  EXPECT_EQ(e.tiles_c, 2);
  // Two tiles of 40 x 30 are charged; the second really has 10 columns.
  EXPECT_LT(sim.cycles, 0.8 * twin.cycles);
  EXPECT_GT(layer(sim, "conv").extra["difference_pct"].get<double>(), 20);
}

// Every layer of a whole network gets a class from both models.
TEST_F(Fpga, EveryLayerHasABottleneckFromBothModels) {
  const auto net = network::build_zoo("resnet18");
  const auto sim = acc().simulate(net, zcu102(), {});
  ASSERT_TRUE(sim.feasible) << sim.reason;
  int classes = 0;
  for (const auto& l : sim.layers) {
    EXPECT_NE(std::string("OIWC").find(l.bottleneck), std::string::npos) << l.name;
    EXPECT_NE(std::string("OIWC").find(l.extra["analytical_bottleneck"].get<std::string>()),
              std::string::npos);
    ++classes;
  }
  EXPECT_EQ(classes, 31);  // 20 conv, 8 add, max pool, global pool, fc (flatten is free)
  EXPECT_GT(sim.latency_s, 0);
  int sum = 0;
  for (const char* c : {"O", "I", "W", "C"}) sum += sim.extra["bottlenecks"][c].get<int>();
  EXPECT_EQ(sum, classes);
}

// Depthwise layers run on Tm(d) lanes with Tn = 1.
TEST_F(Fpga, DepthwiseEngine) {
  Builder b("dw", {96, 28, 28});
  b.conv("dw", b.input(), ConvSpec::make(96, 3).with_groups(96));
  const auto layers = fpga::engine_layers(b.take(), Scope::kNetwork, 16);
  ASSERT_EQ(layers[0].kind, fpga::Kind::kDepthwise);
  const FpgaConfig hw = FpgaConfig::from(design({{"tm", 100}, {"tn", 0}, {"tm_dw", 64}}));
  const auto e = fpga::estimate(layers[0], hw, Scope::kNetwork);
  EXPECT_EQ(e.tiles_m, 2);  // ceil(96 / 64) channel groups
  EXPECT_EQ(e.steps_n, 1);
  EXPECT_DOUBLE_EQ(e.t_comp, 9.0 * 28 * 28);
  EXPECT_DOUBLE_EQ(e.t_w, std::ceil(64.0 * 9 / 18));
  EXPECT_DOUBLE_EQ(e.t_i, 64.0 * 30 * 30 / 6);
}

network::Network three_convs() {
  Builder b("three", {64, 28, 28});
  auto x = b.conv("a", b.input(), ConvSpec::make(128, 3));
  x = b.conv("b", x, ConvSpec::make(128, 3));
  x = b.conv("pw", x, ConvSpec::make(64, 1));
  return b.take();
}

TEST_F(Fpga, CompressionChangesTheRightTerms) {
  const FpgaConfig hw = FpgaConfig::from(zcu102());
  auto est = [&](const network::Network& n, const std::string& name) {
    for (const auto& l : fpga::engine_layers(n, Scope::kNetwork, 16))
      if (l.name == name) return fpga::estimate(l, hw, Scope::kNetwork);
    throw std::runtime_error(name);
  };
  const auto base = three_convs();
  auto plan = [&](const std::string& yaml) {
    network::Network n = three_convs();
    network::apply_compression_plan(n, load_yaml_string(yaml, "plan.yaml"));
    return n;
  };
  // Pattern pruning: 4 zeros of 9 cut compute (eq. 15), not weight loads (Property 3).
  const auto pat = plan("layers:\n  a: {pattern: {zeros: 4, patterns: 8}}\n");
  EXPECT_DOUBLE_EQ(est(pat, "a").t_comp, est(base, "a").t_comp * 5 / 9);
  EXPECT_DOUBLE_EQ(est(pat, "a").t_w, est(base, "a").t_w);
  // Channel cut on a: a's M and b's N shrink (eq. 16-17): 128 - 58 = 70 = one Tm tile.
  const auto cut = plan("layers:\n  a: {channel_cut: 58}\n");
  EXPECT_EQ(est(cut, "a").tiles_m, 1);
  EXPECT_EQ(est(base, "a").tiles_m, 2);
  EXPECT_EQ(est(cut, "b").steps_n, 2);  // ceil(70 / 36)
  EXPECT_EQ(est(base, "b").steps_n, 4);
  // Quantization: 8-bit weights pack two per 16-bit word: half the weight beats.
  const auto q = plan("layers:\n  b: {quant: {w_int: 1, w_frac: 7}}\n");
  EXPECT_DOUBLE_EQ(est(q, "b").t_w, std::ceil(est(base, "b").t_w / 2));
  // Kernel expansion 3 -> 5 with padding 1 -> 2 (Theorem 1): same output size.
  const auto ex = plan("layers:\n  b: {kernel_expand: 1}\n");
  EXPECT_DOUBLE_EQ(est(ex, "b").t_comp, est(base, "b").t_comp * 25 / 9);
  EXPECT_EQ(ex.layer("b").out_shape, base.layer("b").out_shape);
}

TEST_F(Fpga, BadCompressionPlansAreClearErrors) {
  auto error_of = [](const std::string& yaml) {
    network::Network n = three_convs();
    try {
      network::apply_compression_plan(n, load_yaml_string(yaml, "plan.yaml"));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto e = error_of("layers:\n  a: {channel_cut: 128}\n");
  EXPECT_NE(e.find("plan.yaml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("allowed cut 0-127"), std::string::npos) << e;
  e = error_of("layers:\n  pw: {pattern: {zeros: 1, patterns: 2}}\n");
  EXPECT_NE(e.find("1x1 kernel"), std::string::npos) << e;
  e = error_of("layers:\n  nope: {channel_cut: 1}\n");
  EXPECT_NE(e.find("unknown layer 'nope'"), std::string::npos) << e;
  EXPECT_NE(e.find("a, b, pw"), std::string::npos) << e;
  e = error_of("layers:\n  a: {pattern: {zeros: 9, patterns: 2}}\n");
  EXPECT_NE(e.find("allowed 1-8"), std::string::npos) << e;
  e = error_of("layers:\n  a: {cut: 3}\n");
  EXPECT_NE(e.find("cut"), std::string::npos) << e;
  EXPECT_NE(e.find("channel_cut"), std::string::npos) << e;
}

// Quantization shortens a weight-bound FC layer in the simulator too.
TEST_F(Fpga, QuantizedWeightsLoadFasterInSimulation) {
  Builder b("fc", {9216, 1, 1});
  b.linear("fc", b.input(), 4096);
  network::Network net = b.take();
  const auto full = acc().simulate(net, zcu102(), {});
  net.mutable_layer(net.id("fc")).quant = network::Quant{1, 7, 8, 8};
  net.infer_shapes();
  const auto q8 = acc().simulate(net, zcu102(), {});
  ASSERT_TRUE(full.feasible && q8.feasible);
  EXPECT_EQ(full.layers[0].bottleneck, "W");
  EXPECT_NEAR(q8.cycles / full.cycles, 0.5, 0.03);
}


// Each stream has its own port rate, under the DDR's shared limit: at 800 MHz
// the 18-word weight port would move 28.8 GB/s, but the ZCU102's DDR gives
// 19.2, so the weight-bound layer takes 1.5x what eq. 8 says.
TEST_F(Fpga, SharedDramLimitsFastPorts) {
  Builder b("fc", {9216, 1, 1});
  b.linear("fc", b.input(), 4096);
  const auto net = b.take();
  const ParamSet hw = design({{"clock_mhz", 800}});
  const auto sim = acc().simulate(net, hw, {});
  const auto twin = acc().analytical(net, hw);
  ASSERT_TRUE(sim.feasible);
  EXPECT_NEAR(sim.cycles / twin.cycles, 28.8 / 19.2, 0.03);
}

}  // namespace
}  // namespace coda::test
