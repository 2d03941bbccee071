#include <gtest/gtest.h>

#include "core/error.h"
#include "models/cost/cost_model.h"
#include "models/cost/dataset.h"
#include "models/cost/featurizer.h"
#include "models/edge/config.h"
#include "models/network/zoo.h"
#include "sim/accelerator.h"
#include "tests/util/cli.h"
#include "tests/util/systemc_fixture.h"

namespace coda::test {
namespace {

class Cost : public SystemCTest {};

TEST_F(Cost, SimulatorAndAnalyticalWrapTheAccelerator) {
  const auto net = network::build_zoo("mobilenet_v2");
  const ParamSet hw(edge::edge_params());
  auto simulator = cost::make_cost_model("simulator", "edge");
  auto analytical = cost::make_cost_model("analytical", "edge");
  const auto m = simulator->evaluate({{&net, &hw}, {&net, &hw}});
  ASSERT_EQ(m.size(), 2u);
  const auto direct = sim::accelerator("edge").simulate(net, hw, {});
  EXPECT_EQ(m[0].latency_s, direct.latency_s);
  EXPECT_EQ(m[1].energy_j, direct.energy_j);
  EXPECT_NEAR(analytical->evaluate({{&net, &hw}})[0].latency_s / direct.latency_s, 1.0, 0.25);
  EXPECT_EQ(simulator->name(), "simulator");
  try {
    cost::make_cost_model("oracle", "edge");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "unknown cost model 'oracle'; available: analytical, lut, mlp, simulator"),
              std::string::npos)
        << e.what();
  }
}

TEST(Featurizer, FixedSizeMaskedAndNormalised) {
  const cost::Featurizer f(edge::edge_params(), 80);
  EXPECT_EQ(f.size(), 80u * static_cast<std::size_t>(cost::Featurizer::per_layer()) + 4 + 9);
  EXPECT_EQ(f.names().size(), f.size());
  ParamSet hw(edge::edge_params());
  const auto small = f.features(network::build_zoo("resnet18"), hw);
  const auto again = f.features(network::build_zoo("resnet18"), hw);
  EXPECT_EQ(small, again);
  // resnet18: 20 convs, 8 adds, maxpool, avgpool, fc are costed (31 slots).
  int used = 0;
  for (int i = 0; i < 80; ++i)
    used += small[static_cast<std::size_t>(i * cost::Featurizer::per_layer())] > 0;
  EXPECT_EQ(used, 31);
  for (std::size_t i = f.size() - 9; i < f.size(); ++i) {
    EXPECT_GE(small[i], 0.0f) << f.names()[i];
    EXPECT_LE(small[i], 1.0f) << f.names()[i];
  }
  hw.set("pes_x", 8);
  EXPECT_NE(f.features(network::build_zoo("resnet18"), hw), small);
}

}  // namespace
}  // namespace coda::test

namespace coda::cost {
namespace {

TEST(Dataset, ReadsSamplesInIndexOrderWhateverTheFileOrder) {
  const std::string dir = test::temp_dir("ds-order");
  {
    DatasetWriter w(dir, {{"format", "coda-dataset/1"}}, false);
    for (long long i : {3, 0, 2, 1}) {
      Sample s;
      s.index = i;
      s.nas = {static_cast<int>(i)};
      s.hw = {1.0};
      s.metrics = {true, "", 1e-3 * static_cast<double>(i + 1), 1e-3, 1.0};
      w.append(i, sample_to_csv(s));
    }
  }
  const auto samples = read_dataset(dir);
  ASSERT_EQ(samples.size(), 4u);
  for (long long i = 0; i < 4; ++i) {
    EXPECT_EQ(samples[static_cast<std::size_t>(i)].index, i);
    EXPECT_EQ(samples[static_cast<std::size_t>(i)].nas.at(0), i);
  }
}

}  // namespace
}  // namespace coda::cost
