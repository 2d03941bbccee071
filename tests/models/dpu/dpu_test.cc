// The DPU: compiler (fusion, operator checks, tiling, instruction stream),
// concurrent engines, calibration and the behaviours Zeng et al. rely on.
#include <gtest/gtest.h>

#include "models/dpu/compiler.h"
#include "models/dpu/config.h"
#include "models/network/builder.h"
#include "models/network/zoo.h"
#include "sim/accelerator.h"
#include "tests/util/systemc_fixture.h"

namespace coda::test {
namespace {

using network::Builder;
using network::ConvSpec;

class Dpu : public SystemCTest {
 protected:
  static sim::Accelerator& dpu() { return sim::accelerator("dpu"); }
  static ParamSet preset(const std::string& name) {
    return load_params_file(
        dpu::dpu_params(), std::string(CODA_SOURCE_DIR) + "/configs/hardware/dpu/" + name + ".yaml",
        "dpu");
  }
  static sim::SimResult run(const network::Network& net,
                            const ParamSet& hw = preset("zcu102_b4096")) {
    return dpu().simulate(net, hw, {});
  }
  static double e2e_ms(const sim::SimResult& r) { return r.extra["e2e_latency_ms"].get<double>(); }
};

// reference/dpu.md calibration rows: Vitis AI zoo, ZCU102 B4096 at 281 MHz.
TEST_F(Dpu, CalibrationRowsWithinTenPercent) {
  EXPECT_NEAR(e2e_ms(run(network::build_zoo("resnet50"))), 12.44, 1.244);
  EXPECT_NEAR(e2e_ms(run(network::build_zoo("mobilenet_v2"))), 3.93, 0.393);
}

TEST_F(Dpu, PresetsMatchTheirPlatforms) {
  const auto zoo = dpu::DpuConfig::from(preset("zcu102_b4096"));
  EXPECT_EQ(zoo.cores, 3);
  EXPECT_EQ(zoo.clock_mhz, 281);
  EXPECT_EQ(2 * zoo.macs_per_cycle(), 4096);
  const auto zeng = dpu::DpuConfig::from(preset("zeng_b4096"));
  EXPECT_EQ(zeng.cores, 1);
  EXPECT_EQ(zeng.clock_mhz, 333);
}

TEST_F(Dpu, FusesConvWithActivationEltwiseAndPool) {
  const auto cfg = dpu::DpuConfig::from(preset("zcu102_b4096"));
  const auto prog = dpu::compile(network::build_zoo("resnet18"), cfg);
  ASSERT_TRUE(prog.feasible) << prog.reason;
  int fused_add = 0, fused_pool = 0;
  for (const auto& g : prog.groups) {
    for (const auto& l : g.layers) {
      fused_add += l.find(".add") != std::string::npos;
      fused_pool += l == "maxpool";
    }
  }
  EXPECT_EQ(fused_add, 8);   // every residual add joins a conv
  EXPECT_EQ(fused_pool, 1);  // conv1 + maxpool
  for (const auto& g : prog.groups) EXPECT_NE(g.kind, "elew") << g.name;
  // Concat moves no data: SqueezeNet's fire concats emit no instructions.
  const auto sq = dpu::compile(network::build_zoo("squeezenet1_1"), cfg);
  for (const auto& g : sq.groups)
    for (const auto& l : g.layers) EXPECT_EQ(l.find(".cat"), std::string::npos) << l;
}

TEST_F(Dpu, InstructionStreamIsWellFormed) {
  const auto cfg = dpu::DpuConfig::from(preset("zcu102_b4096"));
  const auto prog = dpu::compile(network::build_zoo("mobilenet_v2"), cfg);
  ASSERT_FALSE(prog.insts.empty());
  for (std::size_t i = 0; i < prog.insts.size(); ++i) {
    for (int d : prog.insts[i].dpdon) EXPECT_LT(d, static_cast<int>(i));
    const auto op = prog.insts[i].op;
    if (op == dpu::Opcode::kConv || op == dpu::Opcode::kDptwise) {
      EXPECT_GT(prog.insts[i].cycles, 0);
    }
    if (op == dpu::Opcode::kLoad || op == dpu::Opcode::kSave) {
      EXPECT_GT(prog.insts[i].bytes, 0);
    }
  }
  EXPECT_EQ(prog.insts.back().op, dpu::Opcode::kEnd);
  const std::string text = dpu::listing(prog);
  EXPECT_NE(text.find("DPTWISE"), std::string::npos);
  EXPECT_NE(text.find("features.1.dw"), std::string::npos);
}

// The DPU is a black box whose latencies do not add up: layers measured alone
// pay their own loads, saves and pipeline fill; in the network they overlap
// and fuse.
TEST_F(Dpu, IsolatedLayerLatenciesDoNotAddUp) {
  const network::Network net = network::build_zoo("resnet18");
  double isolated = 0;
  int measured = 0;
  for (auto id : net.layers()) {
    const auto& l = net.layer(id);
    if (l.op == network::Op::kInput || l.op == network::Op::kFlatten) continue;
    // The layer alone, as a latency LUT would measure it: every operand
    // comes from DDR and the result goes back.
    Builder b("one", l.in_shapes[0]);
    network::Layer copy = l;
    copy.inputs.assign(l.inputs.size(), b.input());
    network::Network single = b.take();
    single.add(copy);
    isolated += run(single).latency_s;
    ++measured;
  }
  const double whole = run(net).latency_s;
  EXPECT_EQ(measured, 31);  // 20 convs, 8 adds, maxpool, avgpool, fc
  EXPECT_GT((isolated - whole) / whole, 0.05) << isolated << " vs " << whole;
  RecordProperty("isolated_sum_ms", std::to_string(isolated * 1e3));
  RecordProperty("network_ms", std::to_string(whole * 1e3));
}

TEST_F(Dpu, UnsupportedOperatorsRunOnTheHost) {
  const auto with = run(network::build_zoo("efficientnet_b0"));
  const auto without = run(network::build_zoo("efficientnet_b0:se=false,act=relu"));
  ASSERT_TRUE(with.feasible);
  EXPECT_FALSE(with.extra["host_layers"].empty());
  EXPECT_TRUE(without.extra["host_layers"].empty());
  EXPECT_GT(with.latency_s, 1.5 * without.latency_s);
  bool flagged_swish = false;
  for (const auto& h : with.extra["host_layers"])
    flagged_swish |= h.get<std::string>().find("swish") != std::string::npos;
  EXPECT_TRUE(flagged_swish);
}

TEST_F(Dpu, InfeasibleNetworksAndDesignsHaveReasons) {
  Builder b("wide_kernel", {512, 32, 32});
  b.conv("k16", b.input(), ConvSpec::make(64, 15));
  const auto r = run(b.take());
  EXPECT_FALSE(r.feasible);
  EXPECT_NE(r.reason.find("bank depth 2048"), std::string::npos) << r.reason;

  ParamSet four = preset("zcu102_b4096");
  four.set("cores", 4);
  const auto dsp = run(network::build_zoo("resnet18"), four);
  EXPECT_FALSE(dsp.feasible);
  EXPECT_NE(dsp.reason.find("DSPs"), std::string::npos) << dsp.reason;

  ParamSet bg2 = preset("zcu102_b4096");
  bg2.set("arch", 0);   // B512
  bg2.set("banks", 2);  // BG2
  EXPECT_THROW(dpu::DpuConfig::from(bg2), InputError);
}

// Zeng et al. §I: VGG-style networks keep the array far busier than
// MobileNet-style ones on the same DPU.
TEST_F(Dpu, MobileNetUsesTheArrayFarLessThanVgg) {
  const ParamSet zeng = preset("zeng_b4096");
  const double vgg = run(network::build_zoo("vgg16"), zeng).utilization;
  const double mbv2 = run(network::build_zoo("mobilenet_v2"), zeng).utilization;
  EXPECT_GT(vgg, 2.5 * mbv2) << vgg << " vs " << mbv2;
  EXPECT_GT(vgg, 0.6);
}

TEST_F(Dpu, CoresShareDdrSoThroughputScalesSublinearly) {
  ParamSet one = preset("zcu102_b4096");
  one.set("cores", 1);
  const double fps1 =
      run(network::build_zoo("resnet50"), one).extra["throughput_fps"].get<double>();
  const double fps3 = run(network::build_zoo("resnet50")).extra["throughput_fps"].get<double>();
  EXPECT_GT(fps3, 1.5 * fps1);
  EXPECT_LT(fps3, 3.0 * fps1);
}

TEST_F(Dpu, DeterministicAndTwinClose) {
  const auto net = network::build_zoo("mobilenet_v2");
  const auto a = run(net);
  run(network::build_zoo("resnet18"));
  const auto b = run(net);
  EXPECT_EQ(a.latency_s, b.latency_s);
  const auto twin = dpu().analytical(net, preset("zcu102_b4096"));
  EXPECT_NEAR(twin.latency_s / a.latency_s, 1.0, 0.35);
}

}  // namespace
}  // namespace coda::test
