// The search framework: objectives against NAHAS eq. 4-6, the spaces'
// decoders, every strategy's save/restore and learning, and the driver's
// flows, journal and resume through the CLI.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "models/edge/config.h"
#include "models/network/zoo.h"
#include "models/space/nas_space.h"
#include "search/driver.h"
#include "search/experiment.h"
#include "search/flow.h"
#include "search/objective.h"
#include "search/space.h"
#include "search/strategy.h"
#include "sim/accelerator.h"
#include "tests/util/cli.h"
#include "tests/util/errors.h"

namespace coda::search {
namespace {

using test::input_error_of;

TEST(Objective, NahasWeightedProduct) {
  const auto hard = make_objective("nahas", "{latency_ms: 0.5, area_mm2: 10, kind: hard}");
  Measured m;
  m.accuracy = 0.8;
  m.latency_ms = 0.4;
  m.area_mm2 = 9;
  EXPECT_DOUBLE_EQ(hard->reward(m), 0.8);  // p = 0: constraints met, accuracy alone
  m.latency_ms = 0.6;
  EXPECT_DOUBLE_EQ(hard->reward(m), 0.8 / 1.2);  // q = -1
  const auto soft = make_objective("nahas", "{latency_ms: 0.5, area_mm2: 10}");
  EXPECT_NEAR(soft->reward(m), 0.8 * std::pow(1.2, -0.07) * std::pow(0.9, -0.07), 1e-12);
  // The slopes dnas descends: the exponent on the side of the target.
  using Slopes = std::vector<std::pair<std::string, double>>;
  EXPECT_EQ(hard->log_slopes(m), (Slopes{{"latency_ms", -1.0}, {"area_mm2", 0.0}}));
  EXPECT_EQ(soft->log_slopes(m), (Slopes{{"latency_ms", -0.07}, {"area_mm2", -0.07}}));
  const double h = 1e-6;
  Measured up = m;
  up.latency_ms *= std::exp(h);
  EXPECT_NEAR((std::log(soft->reward(up)) - std::log(soft->reward(m))) / h, -0.07, 1e-6);
  m.feasible = false;
  EXPECT_EQ(soft->reward(m), 0);
  EXPECT_EQ(input_error_of([&] {
              make_objective("nahas", "{constraints: [{metric: power, target: 1}]}", "o.yaml");
            }),
            "o.yaml:1:25: 'metric': unknown metric 'power'; available: latency_ms, energy_mj, "
            "area_mm2, params, macs");
  EXPECT_EQ(input_error_of([&] { make_objective("nahas", "{latency_ms: 0}", "o.yaml"); }),
            "o.yaml:1:14: 'latency_ms': objective nahas: 0 is not allowed; a number > 0");
  EXPECT_EQ(input_error_of([&] { make_objective("nahas", "{kind: firm}", "o.yaml"); }),
            "o.yaml:1:8: 'kind': objective nahas: 'firm' is not allowed; one of soft, hard");
}

TEST(NasSpaces, DecodersBuildTheirFamilies) {
  std::mt19937_64 rng(7);
  for (const char* name : {"nahas_s1", "nahas_s2", "nahas_evolved", "fbnet"}) {
    const auto s = *space::nas_spaces().make(name);
    for (int i = 0; i < 5; ++i) {
      const auto net = s.decode(s.sample(rng));
      EXPECT_EQ(net.layer(net.outputs()[0]).out_shape.c, 1000) << s.name();
    }
  }
  // All-fused evolved candidate: fused convs, no depthwise.
  const auto ev = *space::nas_spaces().make("nahas_evolved");
  std::vector<int> x(ev.decisions().size(), 0);
  for (std::size_t i = 0; i < x.size(); i += 5) x[i] = 1;  // type = fused
  const auto net = ev.decode(x);
  int fused = 0, depthwise = 0;
  for (auto id : net.layers()) {
    fused += net.layer(id).name.find(".fused") != std::string::npos;
    depthwise += net.layer(id).is_depthwise();
  }
  EXPECT_EQ(fused, 16);
  EXPECT_EQ(depthwise, 0);
  // FBNet skip choices drop blocks.
  const auto fb = *space::nas_spaces().make("fbnet");
  std::vector<int> all_skip(fb.decisions().size());
  for (std::size_t i = 0; i < all_skip.size(); ++i) {
    all_skip[i] = fb.decisions()[i].size() - 1;  // last = skip where allowed
  }
  EXPECT_LT(fb.decode(all_skip).size(), fb.decode(std::vector<int>(22, 3)).size());
}

// The builtins are registered by the test main.
class SearchFixture : public ::testing::Test {};

TEST_F(SearchFixture, JointSpaceDecodesHardwareInMixedRadix) {
  auto& acc = sim::accelerator("edge");
  const auto hw =
      space::HwSpace::load(CODA_SOURCE_DIR "/configs/spaces/edge_hw.yaml", "edge", acc.params());
  const SearchSpace joint(*space::nas_spaces().make("nahas_s1"), std::nullopt, hw, std::nullopt);
  ASSERT_EQ(joint.dimensions().size(), 34u + 7u);
  EXPECT_EQ(joint.nas_dimensions(), 34u);
  Candidate x(41, 0);
  x[34] = 2;  // pes_x = 4
  x[40] = 4;  // io_bandwidth = 25
  const Decoded d = joint.decode(x);
  EXPECT_EQ(d.hw.get("pes_x"), 4);
  EXPECT_EQ(d.hw.get("io_bandwidth_gbps"), 25);
  // Same as the hardware space's own point(): pes_x is the slowest digit.
  EXPECT_EQ(d.hw.key(), hw.point(2LL * 5 * 4 * 4 * 5 * 5 * 5 + 4).key());
  EXPECT_NE(joint.describe(x).find("pes_x=4"), std::string::npos);
  x[3] = 7;
  EXPECT_NE(input_error_of([&] { joint.decode(x); }).find("out of range"), std::string::npos);
}

std::vector<Dimension> toy_dims(int n, int size) {
  std::vector<Dimension> d;
  for (int i = 0; i < n; ++i) {
    Dimension x{"d" + std::to_string(i), {}};
    for (int c = 0; c < size; ++c) x.labels.push_back(std::to_string(c));
    d.push_back(x);
  }
  return d;
}

// Reward: the fraction of dimensions set to their last choice.
std::vector<double> toy_rewards(const std::vector<Candidate>& xs, int size) {
  std::vector<double> r;
  for (const auto& x : xs) {
    double s = 0;
    for (int v : x) s += v == size - 1;
    r.push_back(s / static_cast<double>(x.size()));
  }
  return r;
}

TEST_F(SearchFixture, HugeGridsAreRefusedNotWrappedOrAllocated) {
  const std::string dir = test::temp_dir("huge-grid");
  auto& acc = sim::accelerator("edge");
  auto values = [](int n, int v) {
    std::string out = "[";
    for (int i = 0; i < n; ++i) out += (i ? "," : "") + std::to_string(v);
    return out + "]";
  };
  // 600^7 > 2^62: reported at the field whose values overflow the grid
  // (it used to wrap to "0 points" and exit 0).
  std::string text = "arch: edge\nparams:\n";
  for (const char* f : {"pes_x", "pes_y", "simd_units", "compute_lanes", "register_file_kb",
                        "local_memory_mb", "io_bandwidth_gbps"}) {
    const int v = std::string(f) == "local_memory_mb" ? 1 : 8;
    text += std::string("  ") + f + ": " + values(600, v) + "\n";
  }
  test::write_file(dir + "/overflow.yaml", text);
  EXPECT_EQ(test::input_error_of(
                [&] { space::HwSpace::load(dir + "/overflow.yaml", "edge", acc.params()); }),
            dir +
                "/overflow.yaml:9:3: 'io_bandwidth_gbps': the grid has more than 2^62 points "
                "with this field; split the space");
  // 500^3 points fit the index type but not one sweep's index list.
  test::write_file(dir + "/big.yaml", "arch: edge\nparams:\n  pes_x: " + values(500, 4) +
                                          "\n  pes_y: " + values(500, 4) +
                                          "\n  simd_units: " + values(500, 32) + "\n");
  const auto big = space::HwSpace::load(dir + "/big.yaml", "edge", acc.params());
  EXPECT_EQ(big.size(), 125000000);
  EXPECT_EQ(test::input_error_of([&] { big.sample(0, 1); }),
            dir +
                "/big.yaml: 'samples': 125000000 points of a grid of 125000000; one sweep "
                "takes at most 100000000 (pass --samples N)");
  EXPECT_EQ(big.sample(5, 1).size(), 5u);
}

TEST_F(SearchFixture, EveryStrategyRestoresItsStateExactly) {
  const auto dims = toy_dims(6, 4);
  const std::string dir = test::temp_dir("strategy-state");
  for (const auto& name : strategies().names()) {
    auto a = make_strategy(name, dims, 5);
    for (int i = 0; i < 3; ++i) {
      auto xs = a->ask(4);
      a->tell(xs, toy_rewards(xs, 4));
    }
    a->save(dir + "/" + name);
    auto b = make_strategy(name, dims, 99);  // another seed: load must override it
    b->load(dir + "/" + name);
    for (int i = 0; i < 3; ++i) {
      auto xa = a->ask(4);
      auto xb = b->ask(4);
      EXPECT_EQ(xa, xb) << name;
      a->tell(xa, toy_rewards(xa, 4));
      b->tell(xb, toy_rewards(xb, 4));
    }
  }
}

TEST_F(SearchFixture, EvolutionTakesAFirstBatchLargerThanItsPopulation) {
  // It used to draw a tournament from an empty population.
  const auto dims = toy_dims(4, 3);
  auto s = make_strategy("evolution", dims, 1, {{"population", 2}, {"sample", 8}});
  for (int b = 0; b < 3; ++b) {
    auto xs = s->ask(8);
    ASSERT_EQ(xs.size(), 8u);
    for (const auto& x : xs) {
      ASSERT_EQ(x.size(), dims.size());
      for (std::size_t k = 0; k < x.size(); ++k) {
        EXPECT_GE(x[k], 0);
        EXPECT_LT(x[k], dims[k].size());
      }
    }
    s->tell(xs, toy_rewards(xs, 3));
  }
}

TEST_F(SearchFixture, LearningStrategiesBeatTheirStart) {
  const auto dims = toy_dims(8, 4);
  struct Run {
    std::string name;
    nlohmann::json opts;
    int batch, batches;
  };
  const std::vector<Run> runs = {
      {"evolution", {{"population", 16}, {"sample", 4}}, 8, 60},
      {"reinforce", {{"lr", 0.05}}, 8, 60},
      // Lu et al.'s controller: two 35-unit LSTM layers, plain SGA at lr 0.2,
      // batch 5; plain SGD moves slower than Adam, so it gets more batches.
      {"reinforce", {{"hidden", 35}, {"layers", 2}, {"optimizer", "sgd"}, {"lr", 0.2}}, 5, 200},
      {"ppo", {{"lr", 0.01}}, 8, 60},
      {"tunas", {{"lr", 0.05}}, 8, 60}};
  for (const auto& [name, opts, batch, batches] : runs) {
    auto s = make_strategy(name, dims, 1, opts);
    double first = 0, last = 0;
    for (int b = 0; b < batches; ++b) {
      auto xs = s->ask(batch);
      auto r = toy_rewards(xs, 4);
      double mean = 0;
      for (double v : r) mean += v / batch;
      if (b < 3) first += mean / 3;
      if (b >= batches - 3) last += mean / 3;
      s->tell(xs, r);
    }
    EXPECT_GT(last, first + 0.3) << name << " " << opts.dump() << ": " << first << " -> " << last;
  }
}

TEST_F(SearchFixture, DnasDescendsTowardTheChoicesWithTheSmallerGradient) {
  const auto dims = toy_dims(3, 4);
  auto s = make_strategy("dnas", dims, 1, {{"lr", 0.05}});
  auto* r = s->relaxed();
  ASSERT_NE(r, nullptr);
  for (int step = 0; step < 40; ++step) {
    const auto w = r->weights(step / 40.0);
    ASSERT_EQ(w.size(), dims.size());
    for (const auto& wd : w) {
      double sum = 0;
      for (double v : wd) sum += v;
      EXPECT_NEAR(sum, 1.0, 1e-9);
    }
    // A loss linear in the weights, lowest on choice 2 of every dimension.
    std::vector<std::vector<double>> g(dims.size(), std::vector<double>(4, 1.0));
    for (auto& gd : g) gd[2] = -1.0;
    r->descend(g);
  }
  for (const auto& p : s->distribution()) {
    EXPECT_GT(p[2], 0.5);
    EXPECT_EQ(std::max_element(p.begin(), p.end()) - p.begin(), 2);
  }
  // The multi-trial driver refuses it: it learns from gradients only.
  SearchSettings st;
  st.dir = test::temp_dir("dnas-refused");
  st.strategy = "dnas";
  st.strategy_options = Options::from_json(strategies().at("dnas").options, "strategy dnas",
                                           nlohmann::json::object());
  st.episodes = 8;
  const std::string e = input_error_of([&] {
    run_search(
        dims, [](const std::vector<Candidate>& xs) { return std::vector<Evaluation>(xs.size()); },
        nullptr, st);
  });
  EXPECT_NE(e.find("flow: oneshot"), std::string::npos) << e;
}

TEST_F(SearchFixture, GridEnumeratesInOrderAndOptionsAreChecked) {
  const auto dims = toy_dims(2, 3);
  auto g = make_strategy("grid", dims, 1);
  const auto xs = g->ask(9);
  EXPECT_EQ(xs.front(), (Candidate{0, 0}));
  EXPECT_EQ(xs[1], (Candidate{0, 1}));
  EXPECT_EQ(xs.back(), (Candidate{2, 2}));
  EXPECT_EQ(std::set<Candidate>(xs.begin(), xs.end()).size(), 9u);
  EXPECT_EQ(input_error_of([&] {
              make_strategy("evolution", dims, 1, {{"populaton", 10}});
            }),
            "'populaton': unknown option of strategy evolution; known: mutations, population, "
            "sample");
  EXPECT_EQ(input_error_of([&] {
              make_strategy("evolution", dims, 1, {{"population", 1}});
            }),
            "'population': strategy evolution: 1 is not allowed; an integer from 2 to 100000");
  EXPECT_NE(input_error_of([&] { make_strategy("anneal", dims, 1); })
                .find("unknown strategy 'anneal'; available: dnas, evolution, grid, ppo, random, "
                      "reinforce, tunas"),
            std::string::npos);
}

// An experiment over MobileNetV2's hardware with the simulator and the
// published accuracy: cheap enough to run to completion in a test.
std::string has_experiment(const std::string& dir, const std::string& strategy, int episodes,
                           int workers = 1) {
  const std::string path = dir + "/has-" + std::to_string(workers) + ".yaml";
  test::write_file(path,
                   "name: has-test\narch: edge\nflow: has\nnetwork: mobilenet_v2\n"
                   "hardware_space: " CODA_SOURCE_DIR
                   "/configs/spaces/edge_hw.yaml\n"
                   "strategy: {name: " +
                       strategy +
                       "}\n"
                       "objective: {latency_ms: 0.3, area_mm2: 23.4, kind: hard}\n"
                       "cost_model: simulator\naccuracy: {evaluator: table}\n"
                       "budget: {evaluations: " +
                       std::to_string(episodes) +
                       ", batch: 4}\n"
                       "seed: 11\ntop_k: 3\nworkers: " +
                       std::to_string(workers) + "\n");
  return path;
}

TEST_F(SearchFixture, KilledSearchResumesToTheUninterruptedResult) {
  const std::string dir = test::temp_dir("search-resume");
  const std::string exp = has_experiment(dir, "reinforce", 1200);
  auto full = test::run_coda("search --experiment " + exp + " --out " + dir + "/full");
  ASSERT_EQ(full.code, 0) << full.err;
  // The same search, killed with SIGKILL part way, then resumed.
  const pid_t pid = test::spawn_coda("search --experiment " + exp + " --out " + dir + "/cut");
  const std::string journal = dir + "/cut/journal.jsonl";
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream in(journal);
    const auto lines = std::count(std::istreambuf_iterator<char>(in), {}, '\n');
    if (lines >= 300) break;
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  const auto cut_lines = test::read_file(journal);
  const auto n_cut = std::count(cut_lines.begin(), cut_lines.end(), '\n');
  EXPECT_GT(n_cut, 0);
  EXPECT_LT(n_cut, 1200) << "the search finished before the kill; nothing was tested";
  auto again = test::run_coda("search --experiment " + exp + " --out " + dir + "/cut");
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("--resume"), std::string::npos);
  auto resumed = test::run_coda("search --experiment " + exp + " --out " + dir + "/cut --resume");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  const std::string h_full = test::read_file(dir + "/full/history.csv");
  const std::string h_cut = test::read_file(dir + "/cut/history.csv");
  EXPECT_TRUE(h_full == h_cut) << "histories differ (diff " << dir << "/{full,cut}/history.csv)";
  const auto a = nlohmann::json::parse(test::read_file(dir + "/full/best.json"));
  const auto b = nlohmann::json::parse(test::read_file(dir + "/cut/best.json"));
  EXPECT_EQ(a.at("candidate"), b.at("candidate"));
  EXPECT_EQ(a.at("reward"), b.at("reward"));
  EXPECT_EQ(a.at("top_k"), b.at("top_k"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/full/pareto.png"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/full/reward.png"));
}

TEST_F(SearchFixture, ASecondJobOnTheSameOutputFailsAndTheFirstFinishes) {
  const std::string dir = test::temp_dir("search-lock");
  // Long enough (about 5 s) that the first job is still running when the
  // second one starts.
  const std::string exp = has_experiment(dir, "reinforce", 2400);
  const pid_t pid = test::spawn_coda("search --experiment " + exp + " --out " + dir + "/out");
  const std::string journal = dir + "/out/journal.jsonl";
  test::wait_for_file(journal);
  // Both a plain run and a resume are refused while the first job runs.
  for (const std::string extra : {"", " --resume"}) {
    const auto second =
        test::run_coda("search --experiment " + exp + " --out " + dir + "/out" + extra);
    EXPECT_EQ(second.code, 1);
    EXPECT_NE(second.err.find("coda: error: " + dir +
                              "/out: 'out': is in use by another coda "
                              "job (pid " +
                              std::to_string(pid) + ")"),
              std::string::npos)
        << second.err;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const std::string lines = test::read_file(journal);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2400);
  // Once it is done, the directory is free again.
  const auto resumed =
      test::run_coda("search --experiment " + exp + " --out " + dir + "/out --resume");
  EXPECT_EQ(resumed.code, 0) << resumed.err;
}

TEST_F(SearchFixture, AnOutputThatCannotBeWrittenIsAnError) {
  const std::string dir = test::temp_dir("search-unwritable");
  const std::string exp = has_experiment(dir, "random", 8);
  // best.json is a directory: the write fails after the search, and the run
  // says so instead of exiting 0 with an empty file.
  std::filesystem::create_directories(dir + "/out/best.json/x");
  const auto r = test::run_coda("search --experiment " + exp + " --out " + dir + "/out");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("coda: error: " + dir + "/out/best.json: cannot write file: Is a directory"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(test::read_file(dir + "/out/history.csv").empty());  // written whole before
}

TEST_F(SearchFixture, ParallelWorkersGiveTheSameSearch) {
  const std::string dir = test::temp_dir("search-workers");
  for (int w : {1, 2}) {
    auto r = test::run_coda("search --experiment " + has_experiment(dir, "evolution", 32, w) +
                            " --out " + dir + "/w" + std::to_string(w));
    ASSERT_EQ(r.code, 0) << r.err;
  }
  EXPECT_EQ(test::read_file(dir + "/w1/history.csv"), test::read_file(dir + "/w2/history.csv"));
}

// The example plugin adds a strategy, an objective and an accuracy
// evaluator; one search, the plugin named in the experiment, uses all three.
TEST_F(SearchFixture, APluginAddsAStrategyAnObjectiveAndAnEvaluator) {
  const std::string dir = test::temp_dir("search-plugin-kinds");
  test::write_file(dir + "/exp.yaml",
                   "name: plugin\narch: edge\nflow: has\nnetwork: mobilenet_v2\n"
                   "hardware_space: " CODA_SOURCE_DIR
                   "/configs/spaces/edge_hw.yaml\n"
                   "plugins: [" CODA_BUILD_DIR
                   "/plugins/examples/libcoda_example_plugin.so]\n"
                   "strategy: {name: hill-climb, patience: 2}\n"
                   "objective: {name: accuracy-per-ms, scale_ms: 0.3}\n"
                   "accuracy: {evaluator: params, base: 0.1, slope: 0.1}\n"
                   "cost_model: analytical\nbudget: {evaluations: 24, batch: 4}\nseed: 3\n");
  auto r = test::run_coda("search --experiment " + dir + "/exp.yaml --out " + dir + "/out");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto best = nlohmann::json::parse(test::read_file(dir + "/out/best.json"));
  EXPECT_EQ(best.at("strategy"), "hill-climb");
  EXPECT_EQ(best.at("accuracy_evaluator"), "params");
  // params: 0.1 + 0.1 log10(3,504,872 parameters of MobileNetV2).
  const double accuracy = 0.1 + 0.1 * std::log10(3504872.0);
  EXPECT_NEAR(best.at("accuracy").get<double>(), accuracy, 1e-9);
  // accuracy-per-ms: accuracy / (1 + latency / 0.3 ms).
  const double latency = best.at("predicted").at("latency_ms").get<double>();
  EXPECT_NEAR(best.at("reward").get<double>(), accuracy / (1 + latency / 0.3), 1e-9);
  // Its Pareto axes are accuracy and latency: with one network, one design.
  const std::string pareto = test::read_file(dir + "/out/pareto.csv");
  EXPECT_EQ(std::count(pareto.begin(), pareto.end(), '\n'), 2) << pareto;
  // Its options are checked like a builtin's.
  test::write_file(dir + "/bad.yaml",
                   "arch: edge\nflow: has\nnetwork: mobilenet_v2\n"
                   "hardware_space: " CODA_SOURCE_DIR
                   "/configs/spaces/edge_hw.yaml\n"
                   "plugins: [" CODA_BUILD_DIR
                   "/plugins/examples/libcoda_example_plugin.so]\n"
                   "strategy: hill-climb\nobjective: {name: accuracy-per-ms, scale: 1}\n"
                   "accuracy: {evaluator: params}\n");
  auto bad = test::run_coda("search --experiment " + dir + "/bad.yaml --out " + dir + "/bad");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bad.yaml:7:36: 'scale': unknown option of objective accuracy-per-ms; "
                         "known: scale_ms"),
            std::string::npos)
      << bad.err;
}

TEST_F(SearchFixture, ExternalPluginAndBadExperiments) {
  const std::string dir = test::temp_dir("search-plugin");
  const std::string plugin = CODA_BUILD_DIR "/plugins/examples/libcoda_example_plugin.so";
  auto ok = test::run_coda("search --plugin " + plugin + " --experiment " +
                           has_experiment(dir, "hill-climb", 16) + " --out " + dir + "/hc");
  ASSERT_EQ(ok.code, 0) << ok.err;
  const auto best = nlohmann::json::parse(test::read_file(dir + "/hc/best.json"));
  EXPECT_EQ(best.at("strategy"), "hill-climb");
  EXPECT_EQ(best.at("episodes"), 16);
  auto missing =
      test::run_coda("search --plugin " + dir + "/nope.so --experiment x.yaml --out " + dir);
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find(dir + "/nope.so: 'plugin': cannot load: "), std::string::npos);
  EXPECT_NE(missing.err.find("No such file"), std::string::npos);
  test::write_file(dir + "/notplugin.so", "not an ELF file");
  auto junk =
      test::run_coda("search --plugin " + dir + "/notplugin.so --experiment x.yaml --out " + dir);
  EXPECT_EQ(junk.code, 1);
  EXPECT_NE(junk.err.find("notplugin.so: 'plugin': cannot load"), std::string::npos);
  auto unknown = test::run_coda("search --experiment " + has_experiment(dir, "anneal", 8) +
                                " --out " + dir + "/u");
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("unknown strategy 'anneal'; available: dnas, evolution, grid, "
                             "ppo, random, reinforce, tunas"),
            std::string::npos);
  test::write_file(dir + "/field.yaml", "arch: edge\nflow: has\nnetwork: mobilenet_v2\nspeed: 3\n");
  auto field = test::run_coda("search --experiment " + dir + "/field.yaml --out " + dir + "/f");
  EXPECT_EQ(field.code, 1);
  EXPECT_NE(field.err.find("field.yaml:4:1: 'speed': unknown field"), std::string::npos)
      << field.err;
  test::write_file(dir + "/acc.yaml",
                   "arch: edge\nflow: has\nnetwork: mobilenet_v2\nhardware_space: " CODA_SOURCE_DIR
                   "/configs/spaces/edge_hw.yaml\nstrategy: random\nobjective: {latency_ms: 1}\n"
                   "accuracy: {evaluator: oracle}\n");
  auto acc = test::run_coda("search --experiment " + dir + "/acc.yaml --out " + dir + "/a");
  EXPECT_EQ(acc.code, 1);
  EXPECT_NE(acc.err.find("acc.yaml:7:23: 'evaluator': unknown accuracy evaluator 'oracle'; "
                         "available: hot-start, table, train, zero-cost"),
            std::string::npos)
      << acc.err;
  test::write_file(dir + "/flow.yaml", "arch: edge\nflow: zigzag\n");
  auto flow = test::run_coda("search --experiment " + dir + "/flow.yaml --out " + dir + "/g");
  EXPECT_NE(flow.err.find("flow.yaml:2:7: 'flow': unknown flow 'zigzag'; available: "
                          "compare, has, hotnas, joint, nas, nested, oneshot, phase, specs"),
            std::string::npos)
      << flow.err;
  test::write_file(dir + "/space.yaml",
                   "arch: edge\nflow: nas\nnetwork_space: {space: nahas_s9}\n");
  auto space = test::run_coda("search --experiment " + dir + "/space.yaml --out " + dir + "/h");
  EXPECT_NE(space.err.find("space.yaml:3:24: 'space': unknown NAS space 'nahas_s9'; available: "
                           "fbnet, lu_arch, lu_joint, lu_quant_a1, lu_quant_b1, nahas_evolved, "
                           "nahas_s1, nahas_s2, zeng_all"),
            std::string::npos)
      << space.err;
}

// The NAS flows with zero-cost accuracy on small (32-pixel) candidates.
std::string nas_experiment(const std::string& dir, const std::string& flow,
                           const std::string& budget) {
  test::write_file(dir + "/fit.csv",
                   "dataset,proxy,batch,a,b,networks,kendall_tau,source\n"
                   "fashion-mnist,naswot,8,0.0,0.001,0,0,test\n");
  const std::string path = dir + "/" + flow + ".yaml";
  std::string text = "name: " + flow + "\narch: edge\nflow: " + flow +
                     "\nnetwork_space: {space: nahas_s1, input: 32, classes: 10}\n"
                     "strategy: {name: evolution, population: 4, sample: 2}\n"
                     "objective: {latency_ms: 0.05, area_mm2: 23.4, kind: soft}\n"
                     "cost_model: analytical\n"
                     "accuracy: {evaluator: zero-cost, dataset: fashion-mnist, batch: 8, "
                     "threads: 1, calibration: fit.csv}\n"
                     "budget: " +
                     budget + "\nseed: 2\ntop_k: 2\n";
  if (flow == "nas") text += "hardware: " CODA_SOURCE_DIR "/configs/hardware/edge/baseline.yaml\n";
  if (flow != "nas")
    text += "hardware_space: " CODA_SOURCE_DIR "/configs/spaces/edge_hw_small.yaml\n";
  if (flow == "phase" || flow == "nested") text += "network: mobilenet_v2:input=32,classes=10\n";
  test::write_file(path, text);
  return path;
}

TEST_F(SearchFixture, NasPhaseAndNestedFlows) {
  const std::string dir = test::temp_dir("search-flows");
  struct Case {
    std::string flow, budget;
    int episodes;
  };
  for (const Case& c : {Case{"nas", "{evaluations: 8, batch: 4}", 8},
                        Case{"joint", "{evaluations: 8, batch: 4}", 8},
                        Case{"phase", "{has: 8, nas: 8, batch: 4}", 8},
                        Case{"nested", "{outer: 2, inner: 4, batch: 2}", 2}}) {
    const std::string out = dir + "/" + c.flow + "-out";
    auto r = test::run_coda("search --experiment " + nas_experiment(dir, c.flow, c.budget) +
                            " --out " + out);
    ASSERT_EQ(r.code, 0) << c.flow << ": " << r.err;
    const auto best = nlohmann::json::parse(test::read_file(out + "/best.json"));
    EXPECT_EQ(best.at("episodes"), c.episodes) << c.flow;
    EXPECT_GT(best.at("accuracy").get<double>(), 0) << c.flow;
    EXPECT_TRUE(best.at("simulated").at("feasible").get<bool>()) << c.flow;
    EXPECT_NE(best.at("network").at("name").get<std::string>().find("nahas_s1:"), std::string::npos)
        << c.flow;
  }
  // phase: the NAS stage runs on the hardware the HAS stage chose.
  const auto p1 = nlohmann::json::parse(test::read_file(dir + "/phase-out/phase1-has/best.json"));
  const auto p2 = nlohmann::json::parse(test::read_file(dir + "/phase-out/best.json"));
  EXPECT_EQ(p1.at("hardware"), p2.at("hardware"));
  // Each stage's outputs are written once: the NAS stage's only at the top.
  EXPECT_TRUE(std::filesystem::exists(dir + "/phase-out/phase2-nas/journal.jsonl"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/phase-out/phase2-nas/best.json"));
  // nested: one inner NAS search per hardware candidate.
  EXPECT_GE(std::distance(std::filesystem::directory_iterator(dir + "/nested-out/inner"),
                          std::filesystem::directory_iterator{}),
            1);
}

// The FPGA family in search: HAS over the HotNAS hardware space, and a joint
// search over NAHAS S1 x that space with a depthwise engine.
TEST_F(SearchFixture, FpgaHardwareAndJointSpaces) {
  const std::string dir = test::temp_dir("search-fpga");
  test::write_file(dir + "/has.yaml",
                   "name: fpga_has\narch: fpga\nflow: has\nnetwork: resnet18\n"
                   "hardware_space: " CODA_SOURCE_DIR
                   "/configs/spaces/fpga_hotnas.yaml\n"
                   "strategy: {name: reinforce}\nobjective: {latency_ms: 12, kind: hard}\n"
                   "cost_model: simulator\naccuracy: {evaluator: table}\n"
                   "budget: {evaluations: 48, batch: 8}\nseed: 1\n");
  auto r = test::run_coda("search --experiment " + dir + "/has.yaml --out " + dir + "/has");
  ASSERT_EQ(r.code, 0) << r.err;
  auto best = nlohmann::json::parse(test::read_file(dir + "/has/best.json"));
  EXPECT_TRUE(best.at("simulated").at("feasible").get<bool>());
  for (const char* k : {"tm", "tn", "tr", "tc", "ib", "wb", "ob"})
    EXPECT_TRUE(best.at("hardware").contains(k)) << k;
  const double ports = best["hardware"]["ib"].get<double>() + best["hardware"]["wb"].get<double>() +
                       best["hardware"]["ob"].get<double>();
  EXPECT_LT(ports, 32);  // eq. 10 holds for the winner

  nas_experiment(dir, "nas", "{}");  // writes the zero-cost fit file
  test::write_file(dir + "/joint.yaml",
                   "name: fpga_joint\narch: fpga\nflow: joint\n"
                   "network_space: {space: nahas_s1, input: 32, classes: 10}\n"
                   "hardware_space: " CODA_SOURCE_DIR
                   "/configs/spaces/fpga_hotnas_dw.yaml\n"
                   "strategy: {name: evolution, population: 8, sample: 4}\n"
                   "objective: {latency_ms: 1, kind: soft}\ncost_model: analytical\n"
                   "accuracy: {evaluator: zero-cost, dataset: fashion-mnist, batch: 8, threads: 1, "
                   "calibration: fit.csv}\n"
                   "budget: {evaluations: 32, batch: 8}\nseed: 3\ntop_k: 2\n");
  r = test::run_coda("search --experiment " + dir + "/joint.yaml --out " + dir + "/joint");
  ASSERT_EQ(r.code, 0) << r.err;
  best = nlohmann::json::parse(test::read_file(dir + "/joint/best.json"));
  EXPECT_TRUE(best.at("simulated").at("feasible").get<bool>());
  EXPECT_GT(best.at("hardware").at("tm_dw").get<double>(), 0);
  EXPECT_NE(best.at("network").at("name").get<std::string>().find("nahas_s1:"), std::string::npos);
}

// Every shipped experiment loads: names, spaces, ranges and paths are valid.
// An experiment's sections take exactly the options their extensions
// declare, with the declared defaults, paths relative to the file.
TEST_F(SearchFixture, SectionsTakeTheDeclaredOptions) {
  const std::string dir = test::temp_dir("search-options");
  const std::string head =
      "arch: edge\nflow: has\nnetwork: mobilenet_v2\nhardware_space: " CODA_SOURCE_DIR
      "/configs/spaces/edge_hw.yaml\nstrategy: {name: evolution, sample: 4}\n";
  test::write_file(
      dir + "/e.yaml",
      head +
          "accuracy: {evaluator: train, schedule: constant, beta: 2, checkpoint: w.pt}\n"
          "objective: {latency_ms: 0.3}\nbudget: {evaluations: 40}\n");
  const Experiment e = load_experiment(dir + "/e.yaml");
  EXPECT_EQ(e.accuracy_options.text("schedule"), "constant");
  EXPECT_EQ(e.accuracy_options.integer("beta"), 2);
  EXPECT_EQ(e.accuracy_options.text("checkpoint"), dir + "/w.pt");
  EXPECT_EQ(e.accuracy_options.integer("epochs"), 1);  // declared default
  EXPECT_EQ(e.strategy_options.integer("sample"), 4);
  EXPECT_EQ(e.strategy_options.integer("population"), 50);
  EXPECT_EQ(e.objective, "nahas");  // the default objective
  EXPECT_EQ(e.budget.integer("evaluations"), 40);
  EXPECT_EQ(e.budget.integer("batch"), 8);
  auto error = [&](const std::string& tail) {
    test::write_file(dir + "/bad.yaml", head + tail);
    return test::input_error_of([&] { load_experiment(dir + "/bad.yaml"); });
  };
  EXPECT_EQ(error("accuracy: {evaluator: table}\nobjective: {latency_ms: 1}\nbudget: {has: 3}\n"),
            dir +
                "/bad.yaml:8:10: 'has': unknown option of flow has (budget); known: batch, "
                "evaluations");
  EXPECT_EQ(error("accuracy: {evaluator: zero-cost, proxy: grasp}\nobjective: {latency_ms: 1}\n"),
            dir +
                "/bad.yaml:6:41: 'proxy': accuracy evaluator zero-cost: 'grasp' is not "
                "allowed; one of naswot, synflow");
  EXPECT_EQ(error("accuracy: {evaluator: table}\nobjective: {name: ln}\n"),
            dir +
                "/bad.yaml:7:19: 'name': unknown objective 'ln'; available: enas, hotnas, lu, "
                "nahas, zeng");
  EXPECT_EQ(
      error("accuracy: {evaluator: table}\nobjective: {latency_ms: 1}\ncost_model: analytical\n"
            "cost_model_training: {samples: 10}\n"),
      dir +
          "/bad.yaml:9:23: 'samples': unknown option of cost model analytical; known: "
          "none");
  // Values that used to be accepted silently.
  const std::string ok = "accuracy: {evaluator: table}\nobjective: {latency_ms: 1}\n";
  EXPECT_EQ(error(ok + "top_k: -1\n"),
            dir +
                "/bad.yaml:8:8: 'top_k': the experiment: -1 is not allowed; an integer from 0 "
                "to 1000");
  EXPECT_EQ(error(ok + "workers: 0\n"),
            dir +
                "/bad.yaml:8:10: 'workers': the experiment: 0 is not allowed; an integer from 1 "
                "to 256");
  EXPECT_EQ(error(ok + "workers: 100000\n"),
            dir +
                "/bad.yaml:8:10: 'workers': the experiment: 100000 is not allowed; an integer "
                "from 1 to 256");
  EXPECT_EQ(error(ok + "cost_model: mlp\ncost_model_training: {epochs: 0}\n"),
            dir +
                "/bad.yaml:9:31: 'epochs': cost model mlp: 0 is not allowed; an integer from 1 "
                "to 10000");
  test::write_file(dir + "/phase.yaml",
                   "arch: edge\nflow: phase\nnetwork: mobilenet_v2\nnetwork_space: {space: "
                   "nahas_s1}\nhardware_space: " CODA_SOURCE_DIR
                   "/configs/spaces/edge_hw.yaml\nstrategy: random\nobjective: {latency_ms: 1}\n"
                   "accuracy: {evaluator: table}\nbudget: {has: 4}\n");
  EXPECT_EQ(test::input_error_of([&] { load_experiment(dir + "/phase.yaml"); }),
            dir +
                "/phase.yaml:9:9: 'nas': missing option of flow phase (budget) (episodes of the "
                "NAS stage; an integer from 1 to 1000000000)");
}

TEST_F(SearchFixture, ShippedExperimentsLoad) {
  int n = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(CODA_SOURCE_DIR "/configs/experiments")) {
    if (e.path().extension() != ".yaml") continue;
    ++n;
    try {
      const Experiment x = load_experiment(e.path().string());
      EXPECT_FALSE(x.name.empty()) << e.path();
    } catch (const InputError& err) {
      ADD_FAILURE() << e.path() << ": " << err.what();
    }
  }
  EXPECT_GE(n, 8);
}

}  // namespace
}  // namespace coda::search
