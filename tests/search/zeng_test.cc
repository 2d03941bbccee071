// Zeng et al. (ASP-DAC'20): the candidate spaces and their base networks,
// the costs of eq. 2-6 on hand-computed values, Algorithm 1, the
// look-up table's eq. 7-8 against a black box with a known interaction, and
// the profiling flow end to end on a small budget.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "models/cost/cost_model.h"
#include "models/cost/lut.h"
#include "models/space/nas_space.h"
#include "search/objective.h"
#include "search/objectives/objectives.h"
#include "search/profile.h"
#include "tests/util/cli.h"
#include "tests/util/errors.h"

namespace coda::search {
namespace {

TEST(Zeng, CandidateSpacesKeepThePapersCounts) {
  const auto res = *space::nas_spaces().make("zeng_res");
  const auto mobile = *space::nas_spaces().make("zeng_mobile");
  const auto vgg = *space::nas_spaces().make("zeng_vgg");
  const auto all = *space::nas_spaces().make("zeng_all");
  for (const auto* s : {&res, &mobile, &vgg, &all}) {
    EXPECT_EQ(s->decisions().size(), 12u) << s->name();  // 12 layers (§IV-A)
    EXPECT_EQ(s->input(), 32) << s->name();              // CIFAR-10
  }
  // 9, 9 and 13 choices where a layer keeps its shape (skip allowed); one
  // fewer elsewhere for the two spaces with skip. All: the union, skip once.
  EXPECT_EQ(res.decisions()[0].size(), 9);
  EXPECT_EQ(res.decisions()[1].size(), 9);
  EXPECT_EQ(mobile.decisions()[0].size(), 9);
  EXPECT_EQ(mobile.decisions()[1].size(), 8);
  EXPECT_EQ(vgg.decisions()[0].size(), 13);
  EXPECT_EQ(vgg.decisions()[1].size(), 12);
  EXPECT_EQ(all.decisions()[0].size(), 30);
  // SSBNs (§III-B): L (N - 1) + 1 for L layers of N choices.
  EXPECT_EQ(space::ssbn(res, std::vector<int>(12, 0)).size(), 12u * 8 + 1);
  EXPECT_EQ(space::ssbn(vgg, std::vector<int>(12, 0)).size(), 8u * 12 + 4 * 11 + 1);
  const auto pool = space::ssbn(res, std::vector<int>(12, 2));
  EXPECT_EQ(pool.front(), std::vector<int>(12, 2));  // the specified network first
  for (std::size_t i = 1; i < pool.size(); ++i) {
    int changed = 0;
    for (int v : pool[i]) changed += v != 2;
    EXPECT_EQ(changed, 1) << i;
  }
  // Every block decodes: a residual stack, an FBNet stack, a VGG stack.
  std::mt19937_64 rng(4);
  for (int i = 0; i < 20; ++i) EXPECT_GT(all.decode(all.sample(rng)).macs(), 0);
  const auto basic = res.decode(std::vector<int>(12, 0));
  int adds = 0;
  for (auto id : basic.layers()) adds += basic.layer(id).op == network::Op::kAdd;
  EXPECT_EQ(adds, 12);
  const auto stacks = vgg.decode(std::vector<int>(12, 3));  // k3, depth 4
  int convs = 0;
  for (auto id : stacks.layers()) convs += stacks.layer(id).op == network::Op::kConv2d;
  EXPECT_EQ(convs, 1 + 12 * 4 + 1);  // stem, 12 stacks of 4, head
}

// Eq. 4-6 on the paper's Table II (thres 0.85, scale 2; accuracy a fraction,
// latency in ms): Res, DNAS, 86.7% at 1.30 ms.
TEST(Zeng, CostOfEquations4To6AndRewardOfEquation2) {
  const double acc_cost = std::exp(-(0.867 - 0.85) / 2);  // eq. 4: 0.991536
  EXPECT_NEAR(acc_cost, 0.991536, 1e-6);
  EXPECT_NEAR(zeng_cost(0.867, 1.30, 0.85, 2, 0.01), acc_cost - 0.01 / 1.30, 1e-12);
  EXPECT_NEAR(zeng_cost(0.867, 1.30, 0.85, 2, 0.01), 0.9838, 5e-5);  // Table II
  EXPECT_NEAR(zeng_cost(0.867, 1.30, 0.85, 2, 0.1), 0.9146, 5e-5);   // Table II
  // VGG, DNAS: 84.0% at 0.78 ms (0.99219; the table's 0.9923 came from
  // unrounded values).
  EXPECT_NEAR(zeng_cost(0.840, 0.78, 0.85, 2, 0.01), 0.9923, 2e-4);
  const auto zeng = make_objective("zeng", "{thres: 0.85, scale: 2, lambda: 0.1}");
  Measured m;
  m.accuracy = 0.867;
  m.latency_ms = 1.30;
  EXPECT_NEAR(zeng->reward(m), -(acc_cost - 0.1 / 1.30), 1e-12);
  m.feasible = false;  // accuracy 0 at infinite latency
  EXPECT_NEAR(zeng->reward(m), -std::exp(0.85 / 2), 1e-12);
  // Eq. 2 with T = -latency: (1 - 0.2) 0.8 - 0.2 * 2 ms.
  const auto enas = make_objective("enas", "{beta: 0.2}");
  m.feasible = true;
  m.accuracy = 0.8;
  m.latency_ms = 2;
  EXPECT_NEAR(enas->reward(m), 0.8 * 0.8 - 0.4, 1e-12);
  // Eq. 3: a space's cost is its base networks' mean.
  EXPECT_DOUBLE_EQ(space_cost({0.9, 1.0, 1.1}), 1.0);
}

TEST(Zeng, Algorithm1KeepsTheFirstSpaceToPassTheThreshold) {
  // Ranked: a(0.1) b(0.2) a(0.3) b(0.4) b(0.5) a(0.6) b(0.7).
  const std::vector<std::pair<std::string, double>> pool = {
      {"a", 0.3}, {"b", 0.4}, {"a", 0.1}, {"b", 0.2}, {"b", 0.5}, {"a", 0.6}, {"b", 0.7}};
  auto [type, picked] = select_space(pool, 2);  // b is the first with 3 > 2
  EXPECT_EQ(type, "b");
  EXPECT_EQ(picked, (std::vector<std::size_t>{3, 1, 4}));
  std::tie(type, picked) = select_space(pool, 1);  // a reaches 2 first (0.1, 0.3)
  EXPECT_EQ(type, "a");
  EXPECT_EQ(picked, (std::vector<std::size_t>{2, 0}));
  // Nobody passes 10: the lowest Cost(SS), a (0.333) against b (0.45).
  std::tie(type, picked) = select_space(pool, 10);
  EXPECT_EQ(type, "a");
  EXPECT_EQ(picked.size(), 3u);
}

// A black box with a known interaction: every conv costs 1 ms times its
// kernel, and two adjacent 5x5 stacks share 2 ms (a fusion).
class FusingBox : public cost::CostModel {
 public:
  std::string name() const override { return "fusing"; }
  std::vector<cost::Metrics> evaluate(const std::vector<cost::Query>& batch) override {
    std::vector<cost::Metrics> out;
    for (const auto& q : batch) {
      double ms = 0;
      bool five0 = false, five1 = false;
      for (auto id : q.net->layers()) {
        const auto& l = q.net->layer(id);
        if (l.op != network::Op::kConv2d) continue;
        ms += l.kernel_h;
        five0 = five0 || (l.name.rfind("layers.0.", 0) == 0 && l.kernel_h == 5);
        five1 = five1 || (l.name.rfind("layers.1.", 0) == 0 && l.kernel_h == 5);
      }
      if (five0 && five1) ms -= 2;
      cost::Metrics m;
      m.latency_s = ms * 1e-3;
      out.push_back(m);
    }
    return out;
  }
};

TEST(Zeng, LookUpTableCorrectionsOfEquations7And8) {
  static const bool registered = [] {
    cost::cost_models().add({"fusing-box", "test black box", {}, [](const cost::CostModelContext&) {
                               return std::make_unique<FusingBox>();
                             }});
    return true;
  }();
  (void)registered;
  const std::string dir = test::temp_dir("zeng-lut");
  // Two layers of {k3, k5} one-conv stacks; stem 3x3 and head 1x1.
  test::write_file(dir + "/two.yaml",
                   "name: two\ninput: 8\nclasses: 2\nblocks:\n"
                   "  k3: {type: conv, kernel: 3}\n  k5: {type: conv, kernel: 5}\n"
                   "stem: {name: stem, out: 4, kernel: 3}\nlayers:\n"
                   "  - {name: layers.0, out: 4, block: [k3, k5]}\n"
                   "  - {name: layers.1, out: 4, block: [k3, k5]}\n"
                   "head: {name: head, out: 8}\n");
  cost::LutBuildJob job;
  job.arch = "dpu";
  job.space = dir + "/two.yaml";
  job.out = dir + "/lut.json";
  job.cost_model = "fusing-box";
  cost::build_lut(job);
  const auto lut = cost::LatencyLut::load(dir + "/lut.json");
  using C = cost::LutCorrection;
  auto ms = [&](std::vector<int> x, C c) { return lut.latency_s(x, c) * 1e3; };
  // The truth: stem 3 + head 1 + blocks, minus 2 when both are 5x5.
  // Plain: blocks alone, 3 or 5, plus stem and head alone (3 + 1).
  EXPECT_NEAR(ms({0, 0}, C::kNone), 10, 1e-9);
  EXPECT_NEAR(ms({1, 1}, C::kNone), 14, 1e-9);  // truth 12: the plain table misses the fusion
  // Eq. 7 around SN = (k3, k3): exact on SN and its base networks, and
  // (k5, k5) from the two single changes, 10 + 2 + 2 = 14.
  EXPECT_NEAR(ms({0, 0}, C::kSupernet), 10, 1e-9);
  EXPECT_NEAR(ms({1, 0}, C::kSupernet), 12, 1e-9);
  EXPECT_NEAR(ms({0, 1}, C::kSupernet), 12, 1e-9);
  EXPECT_NEAR(ms({1, 1}, C::kSupernet), 14, 1e-9);
  // Eq. 8: contexts SN_k3 = (k3, k3), the one above, and SN_k5 = (k5, k5),
  // where L_SN = 12 and both base networks cost 12 too, so every entry is
  // 12 - 12 + 5 = 5 and the fixed parts 12 - 10 = 2. A child averages the
  // estimates in the contexts of its L blocks: (k5, k5) is exact, 5 + 5 + 2;
  // (k3, k5) is ((3 + 5 + 4) + (5 + 5 + 2)) / 2 = 12, also the truth.
  EXPECT_NEAR(ms({1, 1}, C::kSinglePath), 12, 1e-9);
  EXPECT_NEAR(ms({0, 0}, C::kSinglePath), 10, 1e-9);
  EXPECT_NEAR(ms({0, 1}, C::kSinglePath), 12, 1e-9);
  // A network of another space is refused, naming the layer.
  const auto other = space::NasSpace::open("zeng_res").decode(std::vector<int>(12, 0));
  EXPECT_NE(test::input_error_of([&] { lut.recognise(other); }).find("is not a candidate"),
            std::string::npos);
  const auto two = space::NasSpace::load_file(dir + "/two.yaml");
  EXPECT_EQ(lut.recognise(two.decode({1, 0})), (std::vector<int>{1, 0}));
}

}  // namespace
}  // namespace coda::search

namespace coda::search {
namespace {

// The profiling flow end to end on two tiny spaces: the specified network
// trained briefly and its base networks fine-tuned from it, Algorithm 1, a
// selected space `coda search` runs on, and --resume.
TEST(Zeng, ProfileSelectsASpaceThatSearchLoads) {
  const std::string dir = test::temp_dir("zeng-profile");
  const std::string head = "input: 32\nclasses: 10\nstem: {name: stem, out: 8, kernel: 3}\n";
  test::write_file(dir + "/plain.yaml",
                   "name: plain\n" + head +
                       "blocks:\n  k3: {type: conv, kernel: 3}\n  k5: {type: conv, kernel: 5}\n"
                       "  k3x2: {type: conv, kernel: 3, depth: 2}\nlayers:\n"
                       "  - {name: layers.0, out: 8, block: [k3, k5, k3x2]}\n"
                       "  - {name: layers.1, out: 16, stride: 2, block: [k3, k5, k3x2]}\n"
                       "head: {name: head, out: 32}\n");
  test::write_file(dir + "/res.yaml",
                   "name: res\n" + head +
                       "blocks:\n  b3: {type: basic, kernel: 3}\n  b5: {type: basic, kernel: 5}\n"
                       "layers:\n  - {name: layers.0, out: 8, block: [b3, b5]}\n"
                       "  - {name: layers.1, out: 16, stride: 2, block: [b3, b5]}\n"
                       "head: {name: head, out: 32}\n");
  test::write_file(dir + "/profile.yaml",
                   "name: tiny\narch: dpu\n"
                   "hardware: " CODA_SOURCE_DIR
                   "/configs/hardware/dpu/zeng_b4096.yaml\n"
                   "spaces: [{file: plain.yaml}, {file: res.yaml}]\n"
                   "specified: {res: b5}\n"
                   "cost_model: analytical\n"
                   "accuracy: {evaluator: train, subset: 256, test_subset: 200, bn_images: 100, "
                   "batch: 32, threads: 1}\n"
                   "fine_tune: 2\nobjective: {name: zeng, lambda: 0.01}\nlambdas: [1]\n"
                   "threshold: 3\nworkers: 2\n");
  // Simulation in the loop is a search's; a profile refuses it.
  std::string text = test::read_file(dir + "/profile.yaml");
  const std::string plain = "cost_model: analytical\n";
  text.replace(text.find(plain), plain.size(), "cost_model: {model: analytical, verify: top}\n");
  test::write_file(dir + "/verify.yaml", text);
  auto r = test::run_coda("profile --experiment " + dir + "/verify.yaml --out " + dir + "/v");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(dir + "/verify.yaml:6:13: 'verify': applies to searches; a profile "
                             "measures its black box on every network"),
            std::string::npos)
      << r.err;
  r = test::run_coda("profile --experiment " + dir + "/profile.yaml --out " + dir + "/out");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto report = nlohmann::json::parse(test::read_file(dir + "/out/profile.json"));
  ASSERT_EQ(report.at("spaces").size(), 2u);
  EXPECT_EQ(report["spaces"][0]["networks"], 2 * 2 + 1);  // L (N - 1) + 1
  EXPECT_EQ(report["spaces"][1]["networks"], 2 * 1 + 1);
  // Each space's cost is the mean of its networks' (eq. 3).
  const std::string pool = test::read_file(dir + "/out/pool.csv");
  EXPECT_EQ(std::count(pool.begin(), pool.end(), '\n'), 1 + 5 + 3);
  // Only the plain space has more than Thr = 3 networks: Algorithm 1 keeps it.
  const auto& selected = report.at("selected");
  EXPECT_EQ(selected.at("space"), "plain");
  EXPECT_EQ(selected.at("selected_networks"), 4);
  EXPECT_TRUE(report.at("selected_at_lambda").contains("1"));
  const std::string file = selected.at("file");
  const auto dynamic = space::NasSpace::load_file(file);
  EXPECT_EQ(dynamic.name(), "plain_profiled");
  // The res space's specified network is b5 at every layer.
  EXPECT_NE(test::read_file(dir + "/out/pool.csv").find("res,\"layer0.block=b3\""),
            std::string::npos);
  // coda search runs on the selected space.
  test::write_file(dir + "/search.yaml",
                   "arch: dpu\nflow: nas\nhardware: " CODA_SOURCE_DIR
                   "/configs/hardware/dpu/zeng_b4096.yaml\nnetwork_space: {file: " +
                       file +
                       "}\nstrategy: random\nobjective: {name: enas, beta: 0.5}\n"
                       "cost_model: lut\ncost_model_training: {space: " +
                       file +
                       "}\naccuracy: {evaluator: train, subset: 128, test_subset: 100, "
                       "bn_images: 64, batch: 32, threads: 1}\n"
                       "budget: {evaluations: 4, batch: 2}\ntop_k: 1\n");
  r = test::run_coda("search --experiment " + dir + "/search.yaml --out " + dir + "/s");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto best = nlohmann::json::parse(test::read_file(dir + "/s/best.json"));
  EXPECT_NE(best.at("network").at("name").get<std::string>().find("plain_profiled:"),
            std::string::npos);
  // The corrected table reproduces a simulated winner closely.
  const double predicted = best.at("predicted").at("latency_ms").get<double>();
  const double simulated = best.at("simulated").at("latency_ms").get<double>();
  EXPECT_NEAR(predicted / simulated, 1.0, 0.05);
  // A finished profile is not overwritten; --resume reads it back.
  r = test::run_coda("profile --experiment " + dir + "/profile.yaml --out " + dir + "/out");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("pass --resume"), std::string::npos);
  r = test::run_coda("profile --experiment " + dir + "/profile.yaml --out " + dir +
                     "/out --resume");
  ASSERT_EQ(r.code, 0) << r.err;
  auto again = nlohmann::json::parse(test::read_file(dir + "/out/profile.json"));
  auto first = report;
  again.erase("seconds");
  first.erase("seconds");
  EXPECT_EQ(again, first);
}

}  // namespace
}  // namespace coda::search

namespace coda::search {
namespace {

// The DPU does not add its blocks' latencies up (fusion, overlapped loads):
// on fresh single-path samples the corrected table is measurably closer to
// simulation than the plain one.
TEST(Zeng, CorrectedTableIsCloserToTheDpuThanThePlainOne) {
  const std::string dir = test::temp_dir("zeng-lut-dpu");
  const std::string hw = CODA_SOURCE_DIR "/configs/hardware/dpu/zeng_b4096.yaml";
  auto r = test::run_coda("lut build --arch dpu --hw " + hw +
                          " --space zeng_mobile --workers 2 --out " + dir + "/lut.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("lut: zeng_mobile (12 layers, 9 block kinds)"), std::string::npos) << r.out;
  std::map<std::string, double> mape;
  for (const char* c : {"none", "single_path"}) {
    r = test::run_coda("validate --cost-model lut:" + dir +
                       "/lut.json --cost-model-option "
                       "correction=" +
                       std::string(c) + " --arch dpu --hw " + hw +
                       " --space zeng_mobile --samples 120 --out " + dir + "/" + c);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto m = nlohmann::json::parse(test::read_file(dir + "/" + c + "/metrics.json"));
    mape[c] = m.at("latency").at("mape").get<double>();
  }
  EXPECT_GT(mape["none"], 0.005);  // the DPU's non-additivity is real
  EXPECT_LT(mape["single_path"], mape["none"] / 2);
  EXPECT_LT(mape["single_path"], 0.05);
  // The table names the hardware it was measured on.
  r = test::run_coda("validate --cost-model lut:" + dir +
                     "/lut.json --arch dpu --hw " CODA_SOURCE_DIR
                     "/configs/hardware/dpu/zcu102_b4096.yaml --space zeng_mobile --samples 2 "
                     "--out " +
                     dir + "/other");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("the look-up table was measured on arch=B4096"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace coda::search
