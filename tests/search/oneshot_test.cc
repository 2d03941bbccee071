// The oneshot flow end to end on a tiny space (a 3-layer IBN supernet on
// Fashion-MNIST x the edge accelerator's Table 1 hardware): tunas with the
// analytical twin, dnas with a small mlp-layer model, the per-step history,
// the retrained winner, resume after a kill, and the compare flow.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/util/cli.h"

namespace coda::test {
namespace {

const std::string kSrc = CODA_SOURCE_DIR;

const char* kTinySpace = R"(name: tiny_oneshot
input: 32
channels: 3
classes: 10
activation: relu6
decision_prefix: block
describe: "k{kernel}e{expansion}"
defaults: {type: ibn, kernel: [3, 5], expansion: [1, 3]}
stem: {name: features.0, out: 8, kernel: 3, stride: 2}
layers:
  - {name: features.1, out: 8, stride: 1}
  - {name: features.2, out: 16, stride: 2}
  - {name: features.3, out: 16, stride: 1}
head: {name: features.4, out: 32}
)";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// An experiment over the tiny space; `extra` adds or replaces sections.
std::string experiment(const std::string& dir, const std::string& strategy,
                       const std::string& cost_model, const std::string& budget) {
  write_file(dir + "/tiny.yaml", kTinySpace);
  const std::string path = dir + "/" + strategy + ".yaml";
  write_file(path, "name: tiny-" + strategy +
                       "\narch: edge\nflow: oneshot\n"
                       "network_space: {file: tiny.yaml}\n"
                       "hardware_space: " +
                       kSrc +
                       "/configs/spaces/edge_hw.yaml\n"
                       "strategy: {name: " +
                       strategy +
                       "}\n"
                       "objective: {latency_ms: 0.05, area_mm2: 23.4, kind: hard}\n"
                       "cost_model: " +
                       cost_model +
                       "\n"
                       "accuracy: {evaluator: train, subset: 256, test_subset: 200, batch: 32, "
                       "threads: 1}\n"
                       "budget: {" +
                       budget +
                       "}\n"
                       "seed: 3\ntop_k: 1\n");
  return path;
}

TEST(Oneshot, TunasLearnsAJointDistributionAndRetrainsItsBest) {
  const std::string dir = temp_dir("oneshot-tunas");
  const std::string exp =
      experiment(dir, "tunas", "analytical",
                 "steps: 24, images: 32, warmup: 0.25, arch_images: 32, batch: 4, val_images: 256, "
                 "final_samples: 6, final_images: 64, retrain: 2, threads: 1");
  const auto r = run_coda("run " + exp + " --out " + dir + "/out");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto steps = lines_of(read_file(dir + "/out/steps.csv"));
  ASSERT_EQ(steps.size(), 25u);
  EXPECT_EQ(steps[0], "step,phase,entropy,expected_latency_ms,shared_accuracy,reward,loss");
  EXPECT_EQ(steps[1].rfind("0,warmup,", 0), 0u) << steps[1];
  EXPECT_EQ(steps[7].rfind("6,search,", 0), 0u) << steps[7];
  // Entropy: ln 2 per network decision (3 layers x 2) plus Table 1's fields,
  // uniform through the warm-up, lower once the controller has learnt.
  auto entropy = [&](std::size_t row) {
    std::istringstream in(steps[row]);
    std::string f;
    for (int i = 0; i < 3; ++i) std::getline(in, f, ',');
    return std::stod(f);
  };
  const double uniform =
      6 * std::log(2.0) + 2 * std::log(5.0) + 2 * std::log(4.0) + 3 * std::log(5.0);
  EXPECT_NEAR(entropy(1), uniform, 1e-4);
  EXPECT_NEAR(entropy(6), uniform, 1e-4);
  EXPECT_LT(entropy(24), uniform - 1e-4);
  const auto best = nlohmann::json::parse(read_file(dir + "/out/best.json"));
  EXPECT_EQ(best.at("flow"), "oneshot");
  EXPECT_EQ(best.at("strategy"), "tunas");
  EXPECT_EQ(best.at("accuracy_evaluator"), "train");
  EXPECT_GT(best.at("accuracy").get<double>(), 0.1);  // retrained from scratch: above chance
  EXPECT_TRUE(best.at("simulated").at("feasible").get<bool>());
  // history.csv: the final samples (with the mode) scored with shared weights.
  const auto history = lines_of(read_file(dir + "/out/history.csv"));
  EXPECT_GE(history.size(), 3u);
  EXPECT_LE(history.size(), 8u);

  // dnas needs a differentiable cost model and the multi-trial flows refuse it.
  const std::string bad = experiment(dir, "dnas", "analytical", "steps: 4, images: 8, threads: 1");
  const auto e = run_coda("run " + bad + " --out " + dir + "/bad");
  EXPECT_EQ(e.code, 1);
  EXPECT_NE(e.err.find("strategy dnas differentiates the expected cost, which cost model "
                       "'analytical' does not offer; use mlp-layer"),
            std::string::npos)
      << e.err;
}

// A dnas run killed after a checkpoint resumes from it (supernet weights and
// batch-norm statistics, optimizer, strategy logits and Adam state, RNGs) to
// the uninterrupted run's steps and result.
TEST(Oneshot, KilledDnasRunResumesFromItsCheckpointToTheSameResult) {
  const std::string dir = temp_dir("oneshot-resume");
  write_file(dir + "/tiny.yaml", kTinySpace);
  write_file(dir + "/joint.yaml", "arch: edge\nhardware: " + kSrc +
                                      "/configs/spaces/edge_hw.yaml\nnetwork: {file: tiny.yaml}\n");
  ASSERT_EQ(run_coda("dataset --arch edge --space " + dir +
                     "/joint.yaml --samples 120 --workers 2 --seed 4 --out " + dir + "/ds")
                .code,
            0);
  const auto t = run_coda("train --model mlp-layer --data " + dir + "/ds --out " + dir +
                          "/m.pt --epochs 8 --members 2 --seed 2");
  ASSERT_EQ(t.code, 0) << t.err;
  const std::string budget =
      "steps: 60, images: 16, warmup: 0.2, arch_images: 16, val_images: 128, final_samples: 4, "
      "final_images: 64, retrain: 1, checkpoint_every: 5, threads: 1";
  const std::string exp = experiment(dir, "dnas", "mlp-layer:" + dir + "/m.pt", budget);
  const auto full = run_coda("run " + exp + " --out " + dir + "/full");
  ASSERT_EQ(full.code, 0) << full.err;

  const pid_t pid = spawn_coda("run " + exp + " --out " + dir + "/cut");
  const std::string cp = dir + "/cut/oneshot/checkpoint.json";
  long long step = 0;
  for (int i = 0; i < 6000 && step < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream in(cp);
    if (!in) continue;
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object()) step = j.value("step", 0LL);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_GE(step, 20) << "no checkpoint before the kill";
  ASSERT_LT(step, 60) << "the run finished before the kill; nothing was tested";
  const auto resumed = run_coda("run " + exp + " --out " + dir + "/cut --resume");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resumed at step "), std::string::npos) << resumed.err;
  const std::string a = read_file(dir + "/full/steps.csv"), b = read_file(dir + "/cut/steps.csv");
  EXPECT_EQ(lines_of(a).size(), 61u);
  EXPECT_TRUE(a == b) << "steps differ (diff " << dir << "/{full,cut}/steps.csv)";
  // The expected latency moved with the weights: the cost model was in the loss.
  EXPECT_NE(a.find(",search,"), std::string::npos);
  const auto x = nlohmann::json::parse(read_file(dir + "/full/best.json"));
  const auto y = nlohmann::json::parse(read_file(dir + "/cut/best.json"));
  EXPECT_EQ(x.at("candidate"), y.at("candidate"));
  EXPECT_EQ(x.at("accuracy"), y.at("accuracy"));
  EXPECT_EQ(read_file(dir + "/full/history.csv"), read_file(dir + "/cut/history.csv"));
}

TEST(Oneshot, CompareRunsEachVariantAndTabulatesTheirBest) {
  const std::string dir = temp_dir("oneshot-compare");
  write_file(dir + "/tiny.yaml", kTinySpace);
  write_file(dir + "/cmp.yaml",
             "name: cmp\narch: edge\nflow: compare\nnetwork_space: {file: tiny.yaml}\n"
             "hardware_space: " +
                 kSrc +
                 "/configs/spaces/edge_hw.yaml\n"
                 "strategy: reinforce\n"
                 "objective: {latency_ms: 0.05, area_mm2: 23.4, kind: hard}\n"
                 "cost_model: analytical\n"
                 "accuracy: {evaluator: zero-cost}\n"
                 "budget:\n  runs:\n"
                 "    - {name: oneshot, flow: oneshot, strategy: tunas, budget: {steps: 8, "
                 "images: 16, val_images: 64, final_samples: 2, final_images: 32, retrain: 1, "
                 "threads: 1}}\n"
                 "    - {name: multi, flow: joint, strategy: reinforce, budget: {evaluations: 8, "
                 "batch: 4}}\n"
                 "seed: 2\ntop_k: 2\n");
  const auto r = run_coda("run " + dir + "/cmp.yaml --out " + dir + "/out");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = lines_of(read_file(dir + "/out/compare.csv"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].rfind("oneshot,oneshot,tunas,", 0), 0u) << rows[1];
  EXPECT_EQ(rows[2].rfind("multi,joint,reinforce,", 0), 0u) << rows[2];
  EXPECT_TRUE(std::ifstream(dir + "/out/multi/best.json").good());
  EXPECT_TRUE(std::ifstream(dir + "/out/oneshot/steps.csv").good());
  // Two runs of one name, and a oneshot run without any hardware.
  write_file(dir + "/twice.yaml",
             "name: cmp\narch: edge\nflow: compare\nnetwork_space: {file: tiny.yaml}\n"
             "strategy: tunas\nobjective: {latency_ms: 1}\ncost_model: analytical\n"
             "accuracy: {evaluator: zero-cost}\n"
             "budget:\n  runs:\n    - {name: a, flow: oneshot}\n    - {name: a, flow: joint}\n");
  const auto twice = run_coda("run " + dir + "/twice.yaml --out " + dir + "/twice");
  EXPECT_EQ(twice.code, 1);
  EXPECT_NE(twice.err.find("twice.yaml:12:14: 'name': 'a': each run needs a distinct name without "
                           "'/' or spaces"),
            std::string::npos)
      << twice.err;
  write_file(dir + "/nohw.yaml",
             "name: nohw\narch: edge\nflow: oneshot\nnetwork_space: {file: tiny.yaml}\n"
             "strategy: tunas\nobjective: {latency_ms: 1}\ncost_model: analytical\n"
             "accuracy: {evaluator: zero-cost}\n");
  const auto nohw = run_coda("run " + dir + "/nohw.yaml --out " + dir + "/nohw");
  EXPECT_EQ(nohw.code, 1);
  EXPECT_NE(nohw.err.find("nohw.yaml: 'hardware_space': flow oneshot needs hardware_space (joint "
                          "search) or hardware (NAS on a fixed design)"),
            std::string::npos)
      << nohw.err;
  // A run's unknown section is an error naming the file and line.
  write_file(dir + "/bad.yaml",
             "name: cmp\narch: edge\nflow: compare\nnetwork_space: {file: tiny.yaml}\n"
             "hardware_space: " +
                 kSrc +
                 "/configs/spaces/edge_hw.yaml\n"
                 "strategy: reinforce\nobjective: {latency_ms: 1}\ncost_model: analytical\n"
                 "accuracy: {evaluator: zero-cost}\n"
                 "budget:\n  runs:\n    - {name: a, flow: joint, seed: 4}\n");
  const auto bad = run_coda("run " + dir + "/bad.yaml --out " + dir + "/bad");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bad.yaml:12:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("'seed'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace coda::test
