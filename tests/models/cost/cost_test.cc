#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "models/cost/cost_model.h"
#include "models/cost/dataset.h"
#include "models/cost/featurizer.h"
#include "models/edge/config.h"
#include "models/network/zoo.h"
#include "sim/accelerator.h"
#include "tests/util/cli.h"
#include "tests/util/errors.h"
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
    EXPECT_NE(
        std::string(e.what()).find(
            "unknown cost model 'oracle'; available: analytical, lut, mlp, mlp-layer, simulator"),
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

// A two-decision space (3 and 2 labels), one hardware field, 10 samples.
nlohmann::json small_schema() {
  return {{"format", "coda-dataset/2"},
          {"arch", "edge"},
          {"nas_decisions",
           {{{"name", "a"}, {"labels", {"x", "y", "z"}}}, {{"name", "b"}, {"labels", {"p", "q"}}}}},
          {"hw_fields", {"pes_x"}},
          {"samples", 10}};
}

Sample small_sample(long long i) {
  Sample s;
  s.index = i;
  s.nas = {static_cast<int>(i % 3), 1};
  s.hw = {1.0};
  s.metrics = {true, "", 1e-3 * static_cast<double>(i + 1), 1e-3, 1.0};
  return s;
}

std::string write_small(const std::string& name, std::initializer_list<long long> rows) {
  const std::string dir = test::temp_dir(name);
  DatasetWriter w(dir, small_schema(), false);
  for (long long i : rows) w.append(i, sample_to_csv(small_sample(i)));
  w.close();
  return dir;
}

void append_line(const std::string& file, const std::string& text) {
  std::ofstream(file, std::ios::app) << text;
}

TEST(Dataset, ReadsSamplesInIndexOrderWhateverTheFileOrder) {
  const std::string dir = write_small("ds-order", {3, 0, 2, 1});
  const auto samples = read_dataset(dir);
  ASSERT_EQ(samples.size(), 4u);
  for (long long i = 0; i < 4; ++i) {
    EXPECT_EQ(samples[static_cast<std::size_t>(i)].index, i);
    EXPECT_EQ(samples[static_cast<std::size_t>(i)].nas.at(0), i % 3);
  }
}

TEST(Dataset, BadRowsAreErrorsNamingShardLineAndColumn) {
  const auto error_after = [](const std::string& name, const std::string& line) {
    const std::string dir = write_small(name, {0, 1});
    append_line(dir + "/shard-00000.csv", line);
    const std::string e = test::input_error_of([&] { read_dataset(dir); });
    return e.rfind(dir, 0) == 0 ? e.substr(dir.size()) : e;
  };
  const std::string shard = "/shard-00000.csv:4: ";
  EXPECT_EQ(error_after("ds-nan", "2,ok,nan,0.001,1,\"0 1\",\"1\",\"\",\"\"\n"),
            shard + "'latency_s': 'nan' is not a finite number >= 0");
  EXPECT_EQ(error_after("ds-dup", "1,ok,0.002,0.001,1,\"1 1\",\"1\",\"\",\"\"\n"),
            shard + "'index': sample 1 was already read at shard-00000.csv:3");
  EXPECT_EQ(error_after("ds-range", "10,ok,0.002,0.001,1,\"1 1\",\"1\",\"\",\"\"\n"),
            shard + "'index': '10' is not a sample index in 0..9");
  EXPECT_EQ(error_after("ds-cols", "garbage\n"),
            shard +
                "expected 9 columns (index,status,latency_s,energy_j,area_mm2,nas,hw,reason,"
                "layers), found 1");
  EXPECT_EQ(error_after("ds-layers", "2,ok,0.002,0.001,1,\"1 1\",\"1\",\"\",\"3:1e-6 4\"\n"),
            shard +
                "'layers': '4' is not position:latency_s (a layer's position in topological "
                "order and its latency >= 0)");
  EXPECT_EQ(error_after("ds-choice", "2,ok,0.002,0.001,1,\"3 1\",\"1\",\"\",\"\"\n"),
            shard + "'nas': choice 0 '3' is not in 0..2");
  EXPECT_EQ(error_after("ds-space", "2,ok,0.002,0.001,1,\"1 1 0 0\",\"1\",\"\",\"\"\n"),
            shard + "'nas': 4 choices; the schema's space has 2 decisions");
  EXPECT_EQ(error_after("ds-hw", "2,ok,0.002,0.001,1,\"1 1\",\"1 inf\",\"\",\"\"\n"),
            shard + "'hw': 'inf' is not a finite number");
  EXPECT_EQ(error_after("ds-status", "2,maybe,0.002,0.001,1,\"1 1\",\"1\",\"\",\"\"\n"),
            shard + "'status': 'maybe' is not one of: ok, infeasible");
  EXPECT_EQ(error_after("ds-cut", "2,ok,0.00"),
            shard +
                "the last row is cut short (the dataset job was killed); finish it with coda "
                "dataset --resume");
}

TEST(Dataset, ResumeDropsARowCutByAKillButRejectsAShardFromAnotherSpace) {
  const std::string dir = write_small("ds-resume", {0, 1});
  append_line(dir + "/shard-00000.csv", "2,ok,0.00");
  {
    DatasetWriter w(dir, small_schema(), true);
    EXPECT_EQ(w.done(), (std::set<long long>{0, 1}));
    w.append(2, sample_to_csv(small_sample(2)));
    w.close();
  }
  EXPECT_EQ(read_dataset(dir).size(), 3u);

  // A shard of a space with three decisions, copied in beside this one's.
  const std::string other = test::temp_dir("ds-other");
  {
    nlohmann::json schema = small_schema();
    schema["nas_decisions"].push_back({{"name", "c"}, {"labels", {"u", "v"}}});
    DatasetWriter w(other, schema, false);
    Sample s = small_sample(4);
    s.nas.push_back(0);
    w.append(4, sample_to_csv(s));
    w.close();
  }
  std::filesystem::copy_file(other + "/shard-00000.csv", dir + "/shard-00001.csv");
  EXPECT_EQ(test::input_error_of([&] { DatasetWriter(dir, small_schema(), true); }),
            dir + "/shard-00001.csv:2: 'nas': 3 choices; the schema's space has 2 decisions");
  // And a schema from another space is refused before any shard is read.
  nlohmann::json moved = small_schema();
  moved["hw_fields"] = {"pes_x", "pes_y"};
  EXPECT_EQ(test::input_error_of([&] { DatasetWriter(dir, moved, true); }),
            dir +
                "/schema.json: 'hw_fields': differs from this run's ([\"pes_x\"] vs "
                "[\"pes_x\",\"pes_y\"]); resume with the same settings");
}

TEST(Dataset, FirstFormatDatasetsStillReadWithoutLayerLatencies) {
  const std::string dir = test::temp_dir("ds-v1");
  nlohmann::json schema = small_schema();
  schema["format"] = "coda-dataset/1";
  test::write_file(dir + "/schema.json", schema.dump());
  test::write_file(dir + "/shard-00000.csv",
                   "index,status,latency_s,energy_j,area_mm2,nas,hw,reason\n"
                   "0,ok,0.002,0.001,1,\"1 1\",\"1\",\"\"\n");
  const auto samples = read_dataset(dir);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_DOUBLE_EQ(samples[0].metrics.latency_s, 0.002);
  EXPECT_TRUE(samples[0].layers.empty());
  // Written now, a sample keeps its layers.
  Sample s = small_sample(1);
  s.layers = {{1, 2.5e-6}, {3, 1e-5}};
  const std::string fresh = test::temp_dir("ds-v2");
  {
    DatasetWriter w(fresh, small_schema(), false);
    w.append(1, sample_to_csv(s));
    w.close();
  }
  EXPECT_EQ(read_dataset(fresh).at(0).layers, s.layers);
}

TEST(Dataset, AFullDiskIsAnErrorNotAShortShard) {
  const std::string dir = test::temp_dir("ds-full");
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink("/dev/full", dir + "/shard-00000.csv");
  EXPECT_EQ(test::input_error_of([&] {
              DatasetWriter w(dir, small_schema(), false);
              w.append(0, sample_to_csv(small_sample(0)));
            }),
            dir + "/shard-00000.csv: cannot write: No space left on device");
}

}  // namespace
}  // namespace coda::cost
