// Lu et al. (ICCAD'19) end to end: the §3.1 spaces decode to Table 2's
// networks with their fixed-point formats, the eq. 3 reward, and the
// design-specification grid (Tables 3-4) on a small budget.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "models/accuracy/accuracy.h"
#include "models/cost/cost_model.h"
#include "models/network/adapt.h"
#include "models/network/zoo.h"
#include "models/pipelined/config.h"
#include "models/space/nas_space.h"
#include "search/evaluator.h"
#include "search/objective.h"
#include "sim/accelerator.h"
#include "tests/util/cli.h"
#include "tests/util/errors.h"

namespace coda::search {
namespace {

// The choice index of `label` in each decision named *.<field>.
std::vector<int> pick(const space::NasSpace& s,
                      const std::vector<std::vector<std::string>>& per_layer) {
  std::vector<int> x;
  for (std::size_t l = 0; l < s.layer_count(); ++l) {
    const auto& ds = s.layer_decisions(l);
    EXPECT_EQ(ds.size(), per_layer.at(l).size());
    for (std::size_t k = 0; k < ds.size(); ++k) {
      const auto& labels = s.decisions()[ds[k]].labels;
      const auto it = std::find(labels.begin(), labels.end(), per_layer[l][k]);
      EXPECT_NE(it, labels.end()) << per_layer[l][k];
      x.push_back(static_cast<int>(it - labels.begin()));
    }
  }
  return x;
}

TEST(Lu, ArchitectureSpaceHoldsTable2sA1) {
  const auto s = *space::nas_spaces().make("lu_arch");
  // Table 1: N x Fh x Fw x Sh x Sw x Ps per layer, six layers.
  EXPECT_DOUBLE_EQ(s.size(), std::pow(4.0 * 4 * 4 * 3 * 3 * 2, 6));
  // A1 as (N, Fh, Fw, Sh, Sw, Ps).
  const std::vector<std::vector<std::string>> a1 = {
      {"64", "3", "3", "1", "1", "1"}, {"48", "7", "5", "1", "1", "1"},
      {"48", "5", "5", "2", "1", "1"}, {"64", "3", "5", "1", "1", "1"},
      {"36", "5", "7", "1", "1", "1"}, {"64", "3", "1", "1", "2", "2"}};
  const auto net = s.decode(pick(s, a1));
  const auto zoo = network::build_zoo("lu_a1");
  EXPECT_EQ(net.params(), zoo.params());
  EXPECT_EQ(net.macs(), zoo.macs());
  EXPECT_EQ(net.layer("conv2").kernel_h, 7);
  EXPECT_EQ(net.layer("conv2").kernel_w, 5);
  EXPECT_EQ(net.layer("conv6.pool").out_shape, zoo.layer("pool6").out_shape);
  // Table 2's #paras counts the convolutions alone: 300,804 for A1.
  long long conv = 0;
  for (auto id : net.layers()) {
    const auto& l = net.layer(id);
    if (l.op == network::Op::kConv2d) conv += network::layer_params(l);
  }
  EXPECT_EQ(conv, 300804);
  EXPECT_EQ(s.describe(pick(s, a1)).substr(0, 21), "64-3x3s11p1-48-7x5s11");
}

TEST(Lu, QuantizationSpacesCarryTheirFormatsToTheHardware) {
  const auto s = *space::nas_spaces().make("lu_quant_b1");
  EXPECT_DOUBLE_EQ(s.size(), std::pow(4.0 * 7 * 4 * 7, 6));
  // <Ai, Af> = <3, 5> and <Wi, Wf> = <1, 6> everywhere.
  const std::vector<std::vector<std::string>> q(6, {"3", "5", "1", "6"});
  const auto net = s.decode(pick(s, q));
  const auto zoo = network::build_zoo("lu_b1");
  EXPECT_EQ(net.params(), zoo.params());
  EXPECT_EQ(net.macs(), zoo.macs());
  for (const char* name : {"conv1", "conv6"}) {
    ASSERT_TRUE(net.layer(name).quant.has_value()) << name;
    EXPECT_EQ(*net.layer(name).quant, (network::Quant{1, 6, 3, 5})) << name;
  }
  EXPECT_FALSE(net.layer("fc1").quant.has_value());  // the classifier is not on the FPGA
  // The pipelined family sees the same design as the unquantized zoo network
  // on hardware whose default formats are those bits.
  auto& acc = sim::accelerator("pipelined");
  ParamSet hw(pipelined::pipelined_params());
  hw.set("weight_frac", 6);
  const auto a = acc.analytical(net, hw), b = acc.analytical(zoo, hw);
  ASSERT_TRUE(a.feasible) << a.reason;
  EXPECT_EQ(a.cycles, b.cycles);
  EXPECT_EQ(a.extra.at("luts"), b.extra.at("luts"));
  // Fewer bits, fewer LUTs for the same tiles' work: at 2-bit weights the
  // DP finds a design at least as fast within the same budget.
  const std::vector<std::vector<std::string>> low(6, {"1", "1", "1", "1"});
  const auto c = acc.analytical(s.decode(pick(s, low)), hw);
  ASSERT_TRUE(c.feasible) << c.reason;
  EXPECT_LE(c.cycles, a.cycles);
  EXPECT_LT(c.extra.at("parameter_kbits").get<double>(),
            a.extra.at("parameter_kbits").get<double>());
  // Zero bits cannot be built: an infeasible candidate with the reason.
  const std::vector<std::vector<std::string>> zero(6, {"0", "0", "1", "6"});
  EXPECT_NE(test::input_error_of([&] { s.decode(pick(s, zero)); }).find("must each be at least 1"),
            std::string::npos);
  // The file the space writes reads back to the same space.
  const std::string dir = test::temp_dir("lu-space");
  test::write_file(dir + "/q.yaml", s.to_yaml());
  const auto back = space::NasSpace::load_file(dir + "/q.yaml");
  EXPECT_EQ(back.decode(pick(s, q)).macs(), net.macs());
  EXPECT_EQ(*back.decode(pick(s, q)).layer("conv3").quant, (network::Quant{1, 6, 3, 5}));
}

// Scores every network 0.5 after adapting it to Fashion-MNIST's 28x28 images,
// as the LibTorch evaluators do; adapting throws where a pool does not fit.
class AdaptingEvaluator : public accuracy::AccuracyEvaluator {
 public:
  std::string name() const override { return "adapting"; }
  accuracy::Result evaluate(const network::Network& net) override {
    network::adapt_input(net, {{1, 28, 28}, 10});
    accuracy::Result r;
    r.accuracy = 0.5;
    return r;
  }
};

TEST(Lu, ACandidateTheDataCannotScoreIsInfeasibleNotAnAbort) {
  const auto nas = *space::nas_spaces().make("lu_joint");
  const auto hw = ParamSet(sim::accelerator("pipelined").params());
  const SearchSpace space(nas, std::nullopt, std::nullopt, hw);
  auto cost = cost::make_cost_model("analytical", "pipelined");
  AdaptingEvaluator acc;
  const auto objective = make_objective("lu", "{}");
  Evaluator ev(space, *cost, acc, *objective);
  // Small layers, 8-bit formats; pools after every layer but the last fit
  // 32x32 (32 -> 1), and after the fifth pool a 28x28 image is gone.
  auto layer = [](const std::string& pool) {
    return std::vector<std::string>{"24", "3", "3", pool, "3", "5", "2", "6"};
  };
  const auto fits =
      pick(nas, {layer("2"), layer("2"), layer("2"), layer("2"), layer("1"), layer("1")});
  const auto too_deep =
      pick(nas, {layer("2"), layer("2"), layer("2"), layer("2"), layer("2"), layer("1")});
  const auto out = ev.evaluate({fits, too_deep});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].feasible) << out[0].reason;
  EXPECT_DOUBLE_EQ(out[0].reward, 0.5);
  EXPECT_FALSE(out[1].feasible);
  EXPECT_DOUBLE_EQ(out[1].reward, 0.0);
  EXPECT_NE(out[1].reason.find("cannot score accuracy: "), std::string::npos) << out[1].reason;
  EXPECT_NE(out[1].reason.find("conv5.pool"), std::string::npos) << out[1].reason;
  EXPECT_TRUE(out[1].buildable());  // the network exists; best.json may show it
}

TEST(Lu, RewardIsAccuracyWhenHardwareExistsElseZero) {  // eq. 3
  const auto o = make_objective("lu", "{}");
  Measured m;
  m.accuracy = 0.8765;
  m.latency_ms = 2;
  EXPECT_DOUBLE_EQ(o->reward(m), 0.8765);
  m.feasible = false;
  EXPECT_DOUBLE_EQ(o->reward(m), 0.0);
  EXPECT_NE(test::input_error_of([] { make_objective("lu", "{beta: 1}"); }).find("unknown option"),
            std::string::npos);
}

TEST(Lu, SpecificationGridTabulatesEachSearch) {
  const std::string dir = test::temp_dir("lu-specs");
  const std::string exp = dir + "/specs.yaml";
  auto write = [&](const std::string& budget) {
    test::write_file(exp,
                     "name: lu_small\narch: pipelined\nflow: specs\nbudget: " + budget +
                         "\nhardware: " CODA_SOURCE_DIR
                         "/configs/hardware/pipelined/cyclone4.yaml\n"
                         "network_space: {space: lu_quant_a1}\n"
                         "strategy: {name: reinforce, hidden: 35, layers: 2, optimizer: sgd, "
                         "lr: 0.2}\nobjective: {name: lu}\ncost_model: analytical\n"
                         "accuracy: {evaluator: zero-cost, batch: 64, threads: 1}\ntop_k: 1\n");
  };
  write(
      "{evaluations: 6, batch: 3, float_accuracy: true, spaces: [lu_quant_b1], "
      "grid: [{lut_budget: [30000, 300000]}, {throughput_fps: [2000]}]}");
  auto r = test::run_coda("run " + exp + " --out " + dir + "/out");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = nlohmann::json::parse(test::read_file(dir + "/out/specs.json"));
  ASSERT_EQ(rows.size(), 4u);  // 2 spaces x 2 points, the first space first
  EXPECT_EQ(rows[0]["space"], "lu_quant_a1");
  EXPECT_EQ(rows[0]["spec"]["lut_budget"], 30000);
  EXPECT_EQ(rows[3]["space"], "lu_quant_b1");
  int found = 0;
  for (const auto& row : rows) {
    EXPECT_EQ(row["episodes"], 6);
    if (!row["found"].get<bool>()) continue;
    ++found;
    // The best design meets its specification <rL, rT>.
    EXPECT_LE(row["luts"].get<double>(), row["spec"]["lut_budget"].get<double>());
    EXPECT_GE(row["throughput_fps"].get<double>(), 2000.0);
    EXPECT_GT(row["parameter_kbits"].get<double>(), 0);
    EXPECT_GT(row["accuracy_float"].get<double>(), 0);
    const std::string sub = dir + "/out/" + row["space"].get<std::string>() +
                            "/lut_budget=" + std::to_string(row["spec"]["lut_budget"].get<int>()) +
                            ",throughput_fps=2000";
    EXPECT_TRUE(std::filesystem::exists(sub + "/best.json")) << sub;
  }
  EXPECT_GT(found, 0);
  const std::string md = test::read_file(dir + "/out/specs.md");
  EXPECT_NE(md.find("| space | spec.lut_budget | spec.throughput_fps | episodes |"),
            std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir + "/out/history.csv"));  // the first search's
  // Killed before the table and the top-level outputs: --resume finishes
  // from the searches' journals, and `coda run` without it starts over.
  for (const char* f : {"/out/journal.jsonl", "/out/specs.json", "/out/specs.md"}) {
    std::filesystem::remove(dir + f);
  }
  r = test::run_coda("run " + exp + " --out " + dir + "/out --resume");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(test::read_file(dir + "/out/specs.json")), rows);
  std::filesystem::remove(dir + "/out/journal.jsonl");
  r = test::run_coda("run " + exp + " --out " + dir + "/out");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(test::read_file(dir + "/out/specs.json")).size(), 4u);
  // A grid naming a field the family does not have is an error with its line.
  write("{evaluations: 2, grid: [{lut_budget: [30000]}, {luts: [1]}]}");
  r = test::run_coda("run " + exp + " --out " + dir + "/bad");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find(exp + ":4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'luts': unknown hardware field; allowed: clock_mhz, lut_budget"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace coda::search
