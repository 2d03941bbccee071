// Lu et al.'s pipelined accelerator: the QCE library's components, eq. 6-9,
// Algorithm 1 against exhaustive enumeration, the SystemC model against its
// analytical twin, and the CLI's report.
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <random>

#include "models/network/builder.h"
#include "models/network/zoo.h"
#include "models/pipelined/config.h"
#include "models/pipelined/design.h"
#include "models/pipelined/qce.h"
#include "sim/accelerator.h"
#include "tests/util/cli.h"
#include "tests/util/systemc_fixture.h"

namespace coda::pipelined {
namespace {

TEST(Pipelined, QceLutsFromItsComponents) {
  EXPECT_EQ(multiplier_luts(8, 8), 8 * 8 + 8);  // array rows plus the sign row
  EXPECT_EQ(multiplier_luts(1, 5), 5);          // a row of AND gates
  EXPECT_EQ(multiplier_luts(0, 5), 0);
  // Four 16-bit products: two 17-bit adders, then one 18-bit adder.
  EXPECT_EQ(adder_tree_luts(4, 16), 2 * 17 + 18);
  // Three products: one adder at the first level, one at the second.
  EXPECT_EQ(adder_tree_luts(3, 10), 11 + 12);
  EXPECT_EQ(adder_tree_luts(1, 10), 0);
  // One lane: 2 multipliers of 4 x 3 bits (4 * 3 + 4 = 16 each), a 2-input
  // tree of 7-bit products (8), a 7 + ceil(log2 18) = 12-bit accumulator, and
  // a truncator to 4 bits: 12 - (2 + 2) = 8 integer bits in, 4 - 2 = 2 out,
  // 6 dropped (two 4-LUTs) + 4; two lanes and the controller (200).
  const QceBits bits{4, 4, 3, 2, 2, 2};
  EXPECT_EQ(qce_luts(2, 2, bits, 18), 2 * (2 * 16 + 8 + 12 + 4 + 2) + 200);
}

network::Network chain(const std::vector<std::array<int, 3>>& layers, int size) {
  // Each layer: out channels, kernel, stride.
  network::Builder b("chain", {3, size, size});
  std::string x = b.input();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    auto spec = network::ConvSpec::make(layers[i][0], layers[i][1], layers[i][2],
                                        network::Activation::kRelu)
                    .with_bias()
                    .without_bn();
    x = b.conv("conv" + std::to_string(i + 1), x, spec);
  }
  return b.take();
}

PipelinedConfig config() {
  return PipelinedConfig::from(ParamSet(pipelined_params()));
}

TEST(Pipelined, Equations7To9) {
  const auto net = chain({{4, 3, 1}, {6, 5, 2}}, 8);
  const auto layers = pipe_layers(net, config(), nullptr);
  ASSERT_EQ(layers.size(), 2u);
  // Eq. 7: ceil(3/2) ceil(4/3) 8 x 8 x 3 x 3 = 2 * 2 * 576.
  EXPECT_EQ(layer_cycles(layers[0], 2, 3), 2 * 2 * 8 * 8 * 9);
  EXPECT_EQ(layer_cycles(layers[1], 4, 6), 4 * 4 * 25);  // 4 -> 6 channels at 4 x 4
  // The second layer reads the first's 8-bit activations.
  EXPECT_EQ(layers[1].bits.in_bits, 8);
  EXPECT_EQ(layers[0].bits.in_bits, 8);  // the input pixels
  // Eq. 8-9: one partition sums LUTs and takes the slower layer; two
  // partitions take the larger LUTs and add latencies.
  Design d;
  d.tiles = {{2, 3, 1000, 2304}, {4, 6, 3000, 400}};
  d.partition_starts = {0};
  evaluate_design(d);
  EXPECT_EQ(d.luts, 4000);
  EXPECT_EQ(d.cycles, 2304);
  d.partition_starts = {0, 1};
  evaluate_design(d);
  EXPECT_EQ(d.luts, 3000);
  EXPECT_EQ(d.cycles, 2704);
  EXPECT_DOUBLE_EQ(d.throughput_fps(100e6), 100e6 / 2704);
}

// Every tiling and partitioning, depth first, for the fastest design that
// keeps every partition within rL and the frame within 1/rT.
long long exhaustive_best(const std::vector<PipeLayer>& layers, long long rl, double budget) {
  long long best = std::numeric_limits<long long>::max();
  std::function<void(std::size_t, long long, long long, long long)> go =
      [&](std::size_t l, long long part_luts, long long part_cycles, long long before) {
        if (l == layers.size()) {
          best = std::min(best, before + part_cycles);
          return;
        }
        for (long long tm = 1; tm <= layers[l].in_channels; ++tm) {
          for (long long tn = 1; tn <= layers[l].out_channels; ++tn) {
            const long long luts = layer_luts(layers[l], tm, tn);
            const long long cycles = layer_cycles(layers[l], tm, tn);
            // Join the last partition...
            if (l > 0 && part_luts + luts <= rl &&
                static_cast<double>(before + std::max(part_cycles, cycles)) <= budget) {
              go(l + 1, part_luts + luts, std::max(part_cycles, cycles), before);
            }
            // ...or start a new one.
            if (luts <= rl && static_cast<double>(before + part_cycles + cycles) <= budget) {
              go(l + 1, luts, cycles, before + part_cycles);
            }
          }
        }
      };
  go(0, 0, 0, 0);
  return best;
}

TEST(Pipelined, DynamicSearchEqualsExhaustiveEnumeration) {
  std::mt19937_64 rng(9);
  int feasible = 0, infeasible = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int depth = 2 + trial % 5;  // 2 to 6 layers
    std::vector<std::array<int, 3>> spec;
    for (int l = 0; l < depth; ++l) {
      spec.push_back({1 + static_cast<int>(rng() % 3), 1 + 2 * static_cast<int>(rng() % 2), 1});
    }
    const auto layers =
        pipe_layers(chain(spec, 4 + static_cast<int>(rng() % 5)), config(), nullptr);
    const long long rl = 250 + static_cast<long long>(rng() % 1500);
    const double clock = 100e6, rt = clock / static_cast<double>(200 + rng() % 8000);
    const SearchResult dp = search_hardware(layers, rl, rt, clock);
    const long long truth = exhaustive_best(layers, rl, clock / rt);
    const bool exists = truth != std::numeric_limits<long long>::max();
    ASSERT_EQ(dp.exists, exists) << "trial " << trial;
    if (!exists) {
      ++infeasible;
      continue;
    }
    ++feasible;
    EXPECT_EQ(dp.best.cycles, truth) << "trial " << trial;
    for (const Design& d : dp.frontier) {  // every frontier design meets <rL, rT>
      EXPECT_LE(d.luts, rl);
      EXPECT_LE(static_cast<double>(d.cycles), clock / rt);
    }
  }
  EXPECT_GT(feasible, 10);  // both answers occur
  EXPECT_GT(infeasible, 5);
}

class PipelinedSim : public test::SystemCTest {};

TEST_F(PipelinedSim, SystemCAgreesWithTheTwinWhenThePipelineIsBalanced) {
  auto& acc = sim::accelerator("pipelined");
  ParamSet hw(acc.params());
  hw.set("lut_budget", 60000);
  // Three identical layers: the same tiles, the same latency per stage.
  const auto balanced = chain({{16, 3, 1}, {16, 3, 1}, {16, 3, 1}}, 16);
  const auto s = acc.simulate(balanced, hw, {});
  const auto a = acc.analytical(balanced, hw);
  ASSERT_TRUE(s.feasible) << s.reason;
  EXPECT_NEAR(s.latency_s / a.latency_s, 1.0, 0.02);
  EXPECT_NEAR(
      s.extra.at("throughput_fps").get<double>() / a.extra.at("throughput_fps").get<double>(), 1.0,
      0.02);
  for (const auto& l : s.layers) EXPECT_NEAR(l.extra.at("difference_pct").get<double>(), 0, 2);
  // Lu's D: stages of different latency wait for the slowest; the report
  // says by how much each differs from its own eq. 7.
  const auto d = acc.simulate(network::build_zoo("lu_d"), hw, {});
  ASSERT_TRUE(d.feasible) << d.reason;
  double spread = 0;
  for (const auto& l : d.layers) {
    spread = std::max(spread, std::abs(l.extra.at("difference_pct").get<double>()));
  }
  EXPECT_GT(spread, 5);
  // Every partition's LUTs fit rL.
  for (const auto& p : d.extra.at("partitions")) EXPECT_LE(p.at("luts").get<long long>(), 60000);
}

TEST(PipelinedCli, SimulateReportsLutsThroughputAndPartitions) {
  const std::string hw = CODA_SOURCE_DIR "/configs/hardware/pipelined/cyclone4.yaml";
  auto r = test::run_coda("simulate --arch pipelined --hw " + hw + " --network lu_b1 --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_LE(j.at("luts").get<long long>(), 100000);
  EXPECT_GE(j.at("throughput_fps").get<double>(), 500 * 0.98);
  ASSERT_GE(j.at("partitions").size(), 1u);
  EXPECT_TRUE(j["partitions"][0].contains("latency_ms"));
  EXPECT_EQ(j.at("layers").size(), 6u);
  EXPECT_TRUE(j["layers"][0].contains("tm"));
  EXPECT_EQ(j.at("stats").at("frames").at("unit"), "frame");
  // No design exists: exit 3 with the reason, the JSON still written.
  r = test::run_coda("simulate --arch pipelined --hw " + hw +
                     " --network lu_b1 --set lut_budget=30000 --set throughput_fps=2000 --json -");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("no tiling and partitioning meets rL = 30000 LUTs and rT = 2000"),
            std::string::npos);
  // A residual network cannot be chained on the engines.
  r = test::run_coda("simulate --arch pipelined --network resnet18:input=32");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("cannot run on the pipelined engines"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace coda::pipelined
