// The edge accelerator: calibration, the roofline twin, and the behaviours
// reference/edge.md asks for.
#include <gtest/gtest.h>

#include "models/edge/area_energy.h"
#include "models/edge/config.h"
#include "models/edge/mapper.h"
#include "models/network/blocks.h"
#include "models/network/zoo.h"
#include "sim/accelerator.h"
#include "tests/util/systemc_fixture.h"

namespace coda::test {
namespace {

using network::Builder;
using network::ConvSpec;

class Edge : public SystemCTest {
 protected:
  static sim::Accelerator& edge() { return sim::accelerator("edge"); }
  static ParamSet baseline() {
    return load_params_file(edge::edge_params(),
                            std::string(CODA_SOURCE_DIR) + "/configs/hardware/edge/baseline.yaml",
                            "edge");
  }
  static sim::SimResult run(const std::string& net, ParamSet hw = baseline()) {
    return edge().simulate(network::build_zoo(net), hw, {});
  }
};

TEST_F(Edge, BaselineMatchesThePaper) {
  const edge::EdgeConfig c = edge::EdgeConfig::from(baseline());
  EXPECT_EQ(c.macs_per_cycle(), 16 * 4 * 64 * 4);
  EXPECT_NEAR(c.peak_tops(), 26.2, 0.05);  // NAHAS §3.3: "26 TOPS"
}

// reference/edge.md calibration rows (NAHAS Table 3), each within +-10%.
TEST_F(Edge, CalibrationRowsWithinTenPercent) {
  const auto mbv2 = run("mobilenet_v2");
  EXPECT_NEAR(mbv2.latency_s * 1e3, 0.30, 0.030);
  EXPECT_NEAR(mbv2.energy_j * 1e3, 0.70, 0.070);
  const auto enb0 = run("efficientnet_b0:se=false,act=relu");
  EXPECT_NEAR(enb0.latency_s * 1e3, 0.35, 0.035);
  EXPECT_NEAR(enb0.energy_j * 1e3, 1.00, 0.100);
}

TEST_F(Edge, DeterministicInAnyOrder) {
  const auto a = run("mobilenet_v2");
  run("resnet18");
  const auto b = run("mobilenet_v2");
  EXPECT_EQ(a.cycles, b.cycles);
  EXPECT_EQ(a.energy_j, b.energy_j);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i)
    EXPECT_EQ(a.layers[i].cycles, b.layers[i].cycles);
}

// A compute-bound convolution that maps perfectly: 256 -> 256 channels, 3x3,
// 64x64 pixels on the baseline (O and P split evenly), weights resident.
TEST_F(Edge, RooflineTwinAgreesOnComputeBoundConv) {
  Builder b("conv", {256, 64, 64});
  b.conv("c", b.input(), ConvSpec::make(256, 3).without_bn());
  const network::Network net = b.take();
  const auto sim = edge().simulate(net, baseline(), {});
  const auto twin = edge().analytical(net, baseline());
  ASSERT_TRUE(sim.feasible) << sim.reason;
  EXPECT_EQ(sim.layers[0].bottleneck, "compute");
  EXPECT_GT(sim.layers[0].utilization, 0.95);
  EXPECT_NEAR(sim.latency_s / twin.latency_s, 1.0, 0.02);
  // Closed form: 256*256*9*64*64 MACs at 16384 MACs/cycle, after the setup.
  EXPECT_NEAR(sim.layers[0].cycles, 256.0 * 256 * 9 * 64 * 64 / 16384 + 500, 0.02 * 147456);
}

TEST_F(Edge, TwinTracksSimulatorOnWholeNetworks) {
  for (const char* n : {"mobilenet_v2", "resnet18", "efficientnet_b0"}) {
    const auto sim = run(n);
    const auto twin = edge().analytical(network::build_zoo(n), baseline());
    EXPECT_NEAR(twin.latency_s / sim.latency_s, 1.0, 0.25) << n;
  }
}

// NAHAS §3.2.2: a regular conv uses the array far better than its depthwise
// counterpart on early-layer shapes.
TEST_F(Edge, SmallLayersInALongChainStreamTheirWeights) {
  // 1,024 16-channel 3x3 convs hold 4.6 MiB of weights, more than the
  // baseline keeps resident, so they stream; each layer's 2,304 bytes of
  // weights is one whole tile. The 4 KiB tile minimum used to make this
  // infeasible while the same chain at 32 channels was feasible.
  auto chain = [](int channels) {
    Builder b("chain", {channels, 32, 32});
    auto x = b.input();
    for (int i = 0; i < 1024; ++i) {
      x = b.conv("c" + std::to_string(i), x, ConvSpec::make(channels, 3).without_bn());
    }
    return b.take();
  };
  const edge::EdgeConfig hw = edge::EdgeConfig::from(baseline());
  const auto small = edge::plan_network(chain(16), hw);
  ASSERT_TRUE(small.feasible) << small.reason;
  EXPECT_FALSE(small.weights_resident);
  EXPECT_DOUBLE_EQ(small.weight_tile_bytes, small.layers.front().weight_bytes);
  for (const auto& p : small.layers) EXPECT_EQ(p.tiles, 1);
  const auto wide = edge::plan_network(chain(32), hw);
  ASSERT_TRUE(wide.feasible) << wide.reason;
  const auto a = edge().analytical(chain(16), baseline());
  const auto b = edge().analytical(chain(32), baseline());
  ASSERT_TRUE(a.feasible) << a.reason;
  EXPECT_LT(a.latency_s, b.latency_s);  // a quarter of the MACs
}

TEST_F(Edge, RegularConvUsesTheArrayBetterThanDepthwise) {
  const edge::EdgeConfig hw = edge::EdgeConfig::from(baseline());
  Builder b("t", {32, 112, 112});
  auto dw = b.conv("dw", b.input(), ConvSpec::make(32, 3).with_groups(32));
  auto full = b.conv("full", b.input(), ConvSpec::make(32, 3));
  const network::Network net = b.take();
  std::string err;
  const auto pdw = edge::map_layer(net.layer(dw), hw, &err);
  const auto pfull = edge::map_layer(net.layer(full), hw, &err);
  ASSERT_TRUE(err.empty());
  auto util = [&](const edge::LayerPlan& p) {
    return p.macs / (std::max(p.compute_cycles, p.lm_cycles) * hw.macs_per_cycle());
  };
  EXPECT_GE(util(pfull), 2 * util(pdw)) << util(pfull) << " vs " << util(pdw);
}

TEST_F(Edge, SqueezeExciteAndSwishCostTime) {
  const double plain = run("efficientnet_b0:se=false,act=relu").latency_s;
  const double swish = run("efficientnet_b0:se=false").latency_s;
  const double se = run("efficientnet_b0:act=relu").latency_s;
  EXPECT_GT(swish, 1.2 * plain);
  EXPECT_GT(se, 1.05 * plain);
}

// The documented policy: weights are resident when they fit next to the
// activations in each PE's local memory; otherwise they stream.
TEST_F(Edge, WeightsStreamWhenTheyDoNotFitAndThatCostsTime) {
  ParamSet big = baseline();
  big.set("local_memory_mb", 4);
  const auto resident = run("mobilenet_v2", big);
  const auto streamed = run("mobilenet_v2");
  EXPECT_TRUE(resident.extra["weights"]["resident"].get<bool>());
  EXPECT_FALSE(streamed.extra["weights"]["resident"].get<bool>());
  EXPECT_GT(streamed.latency_s, 1.2 * resident.latency_s);
  EXPECT_GT(streamed.stats["dram_bytes_read"]["value"].get<double>(), 3.5e6);
  EXPECT_LT(resident.stats["dram_bytes_read"]["value"].get<double>(), 2e5);
}

TEST_F(Edge, InfeasibleDesignsAreResultsWithReasons) {
  ParamSet tiny = baseline();
  tiny.set("pes_x", 1);
  tiny.set("pes_y", 1);
  tiny.set("local_memory_mb", 0.5);
  const auto r = run("mobilenet_v2", tiny);
  EXPECT_FALSE(r.feasible);
  EXPECT_NE(r.reason.find("activations live at layer"), std::string::npos) << r.reason;

  ParamSet small_rf = baseline();
  small_rf.set("register_file_kb", 1);
  Builder b("big_kernel", {8, 64, 64});
  b.conv("k13", b.input(), ConvSpec::make(8, 13));
  const auto rf = edge().simulate(b.take(), small_rf, {});
  EXPECT_FALSE(rf.feasible);
  EXPECT_NE(rf.reason.find("register file"), std::string::npos) << rf.reason;
}

// NAHAS §4.4: small, tight-latency models want more PEs and less memory. On
// the baseline's area budget, the fastest design for a small model trades
// local memory for PEs (here 8x8 PEs with 0.5 MB each).
TEST_F(Edge, SmallModelsFavourMorePes) {
  // 0.25 MB of weights: resident even in 0.5 MB of local memory.
  const network::Network net = network::build_zoo("mobilenet_v2:width=0.25,classes=10");
  const double budget = edge().area_mm2(baseline());
  double best = 1e9;
  int best_pes = 0;
  double best_mem = 0;
  for (int px : {2, 4, 6, 8}) {
    for (double mem : {0.5, 1.0, 2.0, 4.0}) {
      for (int lanes : {1, 2, 4}) {
        for (double rf : {8.0, 16.0, 32.0}) {
          ParamSet hw = baseline();
          hw.set("pes_x", px);
          hw.set("pes_y", px);
          hw.set("local_memory_mb", mem);
          hw.set("compute_lanes", lanes);
          hw.set("register_file_kb", rf);
          if (edge().area_mm2(hw) > budget) continue;
          const auto r = edge().simulate(net, hw, {});
          if (r.feasible && r.latency_s < best) {
            best = r.latency_s;
            best_pes = px * px;
            best_mem = mem;
          }
        }
      }
    }
  }
  EXPECT_GT(best_pes, 16);
  EXPECT_LT(best_mem, 2.0);
}

TEST_F(Edge, AreaAndEnergyAddUpFromComponents) {
  const edge::EdgeConfig hw = edge::EdgeConfig::from(baseline());
  const auto a = edge::area(hw);
  EXPECT_NEAR(a.total_mm2(),
              a.mac_mm2 + a.register_file_mm2 + a.local_memory_mm2 + a.io_mm2 + a.overhead_mm2,
              1e-12);
  EXPECT_GT(a.local_memory_mm2, a.mac_mm2);  // 32 MiB of SRAM dominates
  const auto r = run("resnet18");
  const auto& e = r.extra["energy"];
  EXPECT_NEAR(e["total_mj"].get<double>(), r.energy_j * 1e3, 1e-9);
  // Doubling the register file raises its per-access energy by sqrt(2).
  EXPECT_NEAR(edge::sram_pj_per_byte(64 * 1024) / edge::sram_pj_per_byte(32 * 1024), std::sqrt(2.0),
              1e-12);
}

}  // namespace
}  // namespace coda::test
