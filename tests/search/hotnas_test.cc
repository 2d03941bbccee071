// The HotNAS flow (§III): eq. 18 by hand, the iSpace as a search space, and a
// small end-to-end run from a tiny zoo: Table III's pruning, the winner's
// re-simulation and checkpoint, and --resume after a kill.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "models/fpga/config.h"
#include "models/network/compression_plan.h"
#include "models/network/yaml_io.h"
#include "models/network/zoo.h"
#include "search/objective.h"
#include "search/objectives/objectives.h"
#include "search/space.h"
#include "tests/util/cli.h"
#include "tests/util/errors.h"

namespace coda::test {
namespace {

using network::CompressionDimension;
using network::CompressionKind;

TEST(Hotnas, Eq18OnHandComputedCases) {
  // T 5 ms, alpha 0.7, A_ori 70%, A_min 60%, T_min 2.5 ms.
  search::HotnasReward p{5, 0.7, 0.70, 0.60, 2.5};
  // r_acc = (0.69 - 0.6) / 0.1 * 2 - 1 = 0.8, r_lat = (5 - 4) / 2.5 * 2 - 1 = -0.2.
  EXPECT_NEAR(search::hotnas_reward(0.69, 4, p), 0.7 * 0.8 + 0.3 * -0.2, 1e-12);
  // At T_min with A_ori: both terms 1.
  EXPECT_NEAR(search::hotnas_reward(0.70, 2.5, p), 1.0, 1e-12);
  // Past T: r_acc = -1, r_lat = T - lat, whatever the accuracy.
  EXPECT_NEAR(search::hotnas_reward(0.99, 6, p), 0.7 * -1 + 0.3 * (5 - 6), 1e-12);

  // The registered objective: A_min = A_ori - accuracy_drop, T_min = T / 2,
  // no fine-tuning past T.
  const auto o = search::make_objective(
      "hotnas", "{latency_ms: 5, alpha: 0.7, accuracy_original: 0.7, accuracy_drop: 0.1}");
  search::Measured m;
  m.accuracy = 0.69, m.latency_ms = 4;
  EXPECT_NEAR(o->reward(m), 0.50, 1e-12);
  EXPECT_TRUE(o->needs_accuracy(m));
  EXPECT_TRUE(o->satisfied(m));
  m.latency_ms = 6;
  EXPECT_FALSE(o->needs_accuracy(m));
  EXPECT_FALSE(o->satisfied(m));
  m.feasible = false;  // charged as 2T
  EXPECT_NEAR(o->reward(m), 0.7 * -1 + 0.3 * (5 - 10), 1e-12);
  const std::string err = input_error_of(
      [] { search::make_objective("hotnas", "{latency_ms: 5, latency_min_ms: 6}"); });
  EXPECT_NE(err.find("T_min must be below"), std::string::npos) << err;
}

TEST(Hotnas, SearchSpaceAppliesCompressionToTheBackbone) {
  const auto net = network::build_zoo("resnet18");
  const std::vector<CompressionDimension> dims = {
      {"layer1.0.conv1", CompressionKind::kPattern, {0, 3}, 4, ""},
      {"layer4.0.conv1", CompressionKind::kChannelCut, {0, 32}, 0, ""},
      {"layer4.1.conv2", CompressionKind::kQuant, {0, 8}, 0, ""},
      {"layer2.0.downsample", CompressionKind::kKernelExpand, {0, 1}, 0, ""},
  };
  ParamSet hw(fpga::fpga_params());
  const search::SearchSpace s(net, dims, std::nullopt, hw);
  EXPECT_EQ(s.dimensions().size(), 4u);
  EXPECT_EQ(s.dimensions()[0].labels, (std::vector<std::string>{"none", "3x4"}));
  const auto d = s.decode({1, 1, 1, 1});
  const auto& c1 = d.net.layer(d.net.id("layer1.0.conv1"));
  EXPECT_EQ(c1.compression.pattern_zeros, 3);
  EXPECT_EQ(c1.compression.patterns, 4);
  // The cut ripples: layer4.0.conv2 reads 480 channels.
  EXPECT_EQ(d.net.layer(d.net.id("layer4.0.conv2")).in_shapes.at(0).c, 480);
  const auto& q = d.net.layer(d.net.id("layer4.1.conv2")).quant;
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->weight_bits(), 8);
  EXPECT_FALSE(q->quantizes_activations());
  EXPECT_EQ(d.net.layer(d.net.id("layer2.0.downsample")).effective_kernel_h(), 3);
  EXPECT_EQ(s.describe({0, 0, 1, 0}), "resnet18[layer4.1.conv2.quant=8b]");
  EXPECT_EQ(s.describe({0, 0, 0, 0}), "resnet18");
  // A weights-only quantization survives the YAML round trip.
  const std::string file = temp_dir("hotnas-yaml") + "/winner.yaml";
  write_file(file, network::to_yaml(d.net));
  const auto back = network::load_network_yaml(file);
  EXPECT_EQ(network::network_hash(back), network::network_hash(d.net));
}

std::string experiment(const std::string& dir, double t_ms) {
  const std::string path = dir + "/hotnas.yaml";
  write_file(path,
             "name: hotnas_tiny\narch: fpga\nflow: hotnas\n"
             "hardware_space: " +
                 std::string(CODA_SOURCE_DIR) +
                 "/configs/spaces/fpga_hotnas.yaml\n"
                 "strategy: {name: reinforce}\n"
                 "objective: {name: hotnas, latency_ms: " +
                 std::to_string(t_ms) +
                 "}\n"
                 "cost_model: simulator\n"
                 "accuracy: {evaluator: hot-start, zoo: " +
                 dir +
                 "/zoo, zoo_subset: 2048, beta: 2, batch: 32, subset: 256, test_subset: 200, "
                 "bn_images: 64, threads: 1}\n"
                 "budget: {backbones: [" +
                 std::string(CODA_SOURCE_DIR) + "/configs/networks/cnn4.yaml, " +
                 std::string(CODA_SOURCE_DIR) +
                 "/tests/fixtures/hotnas_cnn.yaml], monte_carlo: 12, keep: 2, episodes: 8, "
                 "batch: 4, final_epochs: 1}\n"
                 "seed: 3\n");
  return path;
}

TEST(Hotnas, TheFlowNamesWhatItNeeds) {
  const std::string dir = temp_dir("hotnas-bad");
  auto run = [&](const std::string& arch, const std::string& space, const std::string& objective) {
    write_file(dir + "/bad.yaml", "name: bad\narch: " + arch + "\nflow: hotnas\nhardware_space: " +
                                      std::string(CODA_SOURCE_DIR) + "/configs/spaces/" + space +
                                      "\nstrategy: {name: random}\nobjective: " + objective +
                                      "\naccuracy: {evaluator: table}\n"
                                      "budget: {backbones: [resnet18]}\n");
    return run_coda("run " + dir + "/bad.yaml --out " + dir + "/out");
  };
  const auto edge = run("edge", "edge_hw.yaml", "{name: hotnas, latency_ms: 8}");
  EXPECT_EQ(edge.code, 1);
  EXPECT_NE(edge.err.find(dir + "/bad.yaml: 'arch': the hotnas flow searches the HotNAS FPGA "
                                "engine; allowed: fpga"),
            std::string::npos)
      << edge.err;
  const auto no_t = run("fpga", "fpga_hotnas.yaml", "{name: nahas, area_mm2: 10}");
  EXPECT_EQ(no_t.code, 1);
  EXPECT_NE(no_t.err.find(dir + "/bad.yaml: 'objective': the hotnas flow needs the timing "
                                "constraint T as the objective's latency_ms, e.g. {name: hotnas, "
                                "latency_ms: 8}"),
            std::string::npos)
      << no_t.err;
}

nlohmann::json rows_without_times(const std::string& file) {
  auto j = nlohmann::json::parse(read_file(file));
  j.erase("search_seconds");
  for (auto& b : j["backbones"]) {
    for (const char* k : {"cosearch", "hardware_only", "compression_only"}) b[k].erase("seconds");
  }
  return j;
}

TEST(Hotnas, SmallRunFromATinyZooReloadsAndResumes) {
  const std::string dir = temp_dir("hotnas");
  auto full = run_coda("run " + experiment(dir, 100) + " --out " + dir + "/full");
  ASSERT_EQ(full.code, 0) << full.err;
  const auto report = nlohmann::json::parse(read_file(dir + "/full/hotnas.json"));
  ASSERT_EQ(report["backbones"].size(), 2u);
  for (const auto& b : report["backbones"]) {
    const std::string name = b["backbone"];
    SCOPED_TRACE(name);
    EXPECT_TRUE(b["kept"].get<bool>());
    EXPECT_TRUE(b["meets"].get<bool>());
    // The zoo trained each backbone once; A_ori is its checkpoint's accuracy.
    EXPECT_GT(b["accuracy_original"].get<double>(), 0.2);
    EXPECT_LE(b["monte_carlo_min_ms"].get<double>(), b["monte_carlo_avg_ms"].get<double>());
    EXPECT_GT(b["compression_dimensions"].get<int>(), 0);
    EXPECT_TRUE(b["hardware_only"].contains("meets"));
    EXPECT_TRUE(b["compression_only"].contains("meets"));
    // The search used SystemC: its latency and the re-simulation agree.
    EXPECT_DOUBLE_EQ(b["hotnas_latency_ms"].get<double>(),
                     b["hotnas_latency_systemc_ms"].get<double>());
    // Table V's reductions add up to the winner's change.
    double sum = 0;
    for (const auto& r : b["table5"]["rows"]) sum += r["reduction_ms"].get<double>();
    EXPECT_NEAR(sum, b["table5"]["from_ms"].get<double>() - b["table5"]["to_ms"].get<double>(),
                1e-9);
    EXPECT_NEAR(b["table5"]["to_ms"].get<double>(), b["hotnas_latency_ms"].get<double>(), 1e-9);
    // The fine-tuned winner reloads with the accuracy reported.
    const auto test =
        run_coda("zoo test --network " + dir + "/full/" + name + "/winner.yaml --checkpoint " +
                 dir + "/full/" + name + "/winner.pt --test-subset 200");
    ASSERT_EQ(test.code, 0) << test.err;
    char want[64];
    std::snprintf(want, sizeof want, "accuracy %.4f", b["hotnas_accuracy_final"].get<double>());
    EXPECT_NE(test.out.find(want), std::string::npos) << test.out << " vs " << want;
    EXPECT_TRUE(std::filesystem::exists(dir + "/full/" + name + "/ispace.yaml"));
  }
  EXPECT_NE(read_file(dir + "/full/hotnas.md").find("## Table III"), std::string::npos);
  const auto zoo = run_coda("zoo list --zoo " + dir + "/zoo");
  EXPECT_NE(zoo.out.find("cnn4"), std::string::npos) << zoo.out;
  EXPECT_NE(zoo.out.find("hotnas_cnn"), std::string::npos) << zoo.out;

  // Killed part way through the co-search, then resumed: the same result.
  const pid_t pid = spawn_coda("run " + experiment(dir, 100) + " --out " + dir + "/cut");
  const std::string journal = dir + "/cut/cnn4/cosearch/journal.jsonl";
  for (int i = 0; i < 3000 && !std::filesystem::exists(journal); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_FALSE(std::filesystem::exists(dir + "/cut/hotnas.json"))
      << "the run finished before the kill; nothing was tested";
  auto resumed = run_coda("run " + experiment(dir, 100) + " --out " + dir + "/cut --resume");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  auto a = rows_without_times(dir + "/full/hotnas.json");
  auto b = rows_without_times(dir + "/cut/hotnas.json");
  for (auto* j : {&a, &b}) {
    for (auto& r : (*j)["backbones"]) {
      r.erase("winner_files");
      r.erase("winner_checkpoint");
    }
  }
  EXPECT_EQ(a, b);

  // A timing constraint between the two Monte Carlo minima prunes the slower.
  double lo = 1e9, hi = 0;
  for (const auto& r : report["backbones"]) {
    lo = std::min(lo, r["monte_carlo_min_ms"].get<double>());
    hi = std::max(hi, r["monte_carlo_min_ms"].get<double>());
  }
  ASSERT_LT(lo, hi);
  auto tight = run_coda("run " + experiment(dir, (lo + hi) / 2) + " --out " + dir + "/tight");
  ASSERT_EQ(tight.code, 0) << tight.err;
  const auto t = nlohmann::json::parse(read_file(dir + "/tight/hotnas.json"));
  int pruned = 0;
  for (const auto& r : t["backbones"]) {
    if (!r["kept"].get<bool>()) {
      ++pruned;
      EXPECT_NE(r["pruned_because"].get<std::string>().find("> T"), std::string::npos);
    }
  }
  EXPECT_EQ(pruned, 1);
}

}  // namespace
}  // namespace coda::test
