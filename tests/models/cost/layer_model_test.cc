// The layer-level cost model (mlp-layer): its features, its training from
// per-layer latencies, uncertainty, TorchScript export, online fine-tuning,
// and simulation in the loop of a search.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>

#include <nlohmann/json.hpp>

#include "models/cost/jobs.h"
#include "models/cost/layer_features.h"
#include "models/cost/layer_model.h"
#include "models/network/zoo.h"
#include "models/space/nas_space.h"
#include "search/evaluator.h"
#include "search/verify.h"
#include "sim/accelerator.h"
#include "tests/util/cli.h"
#include "tests/util/errors.h"

namespace coda::test {
namespace {

const std::string kSrc = CODA_SOURCE_DIR;

TEST(LayerModel, EveryLayerThatMayCostGetsARowAndTheTwinsEstimate) {
  sim::Accelerator& edge = sim::accelerator("edge");
  const network::Network net = network::build_zoo("mobilenet_v2");
  const ParamSet hw(edge.params());
  const cost::LayerFeaturizer plain(edge.params()), twin(edge.params(), &edge);
  const auto a = plain.rows(net, hw), b = twin.rows(net, hw);
  // Input and flatten get no row; every conv, add, pool and linear does.
  std::size_t expected = 0;
  for (auto id : net.topological_order()) {
    const auto op = net.layer(id).op;
    expected += op != network::Op::kInput && op != network::Op::kFlatten;
  }
  ASSERT_EQ(a.position.size(), expected);
  EXPECT_EQ(b.position, a.position);
  EXPECT_EQ(twin.layer_size(), plain.layer_size() + 2);
  EXPECT_EQ(twin.net_size(), plain.net_size() + 4);
  // The twin's per-layer estimates sum to its network latency less the
  // image load and result store it charges outside the layers.
  const sim::SimResult t = edge.analytical(net, hw);
  double sum_ns = 0;
  const std::size_t at = plain.layer_size();
  for (std::size_t r = 0; r < b.position.size(); ++r) {
    const float log2p = b.layer[r * twin.layer_size() + at];
    sum_ns += std::exp2(static_cast<double>(log2p)) - 1;
  }
  double layers_ns = 0;
  for (const auto& l : t.layers) layers_ns += l.latency_s * 1e9;
  EXPECT_NEAR(sum_ns / layers_ns, 1.0, 1e-4);
  // The simulator's groups map onto the same positions.
  const sim::SimResult s = edge.simulate(net, hw, {});
  const auto groups = cost::layer_latencies(net, s);
  double groups_s = 0;
  for (const auto& [pos, lat] : groups) {
    EXPECT_NE(std::find(a.position.begin(), a.position.end(), pos), a.position.end()) << pos;
    groups_s += lat;
  }
  EXPECT_GT(groups.size(), 50u);
  EXPECT_LE(groups_s, s.latency_s);
  EXPECT_GT(groups_s, 0.9 * s.latency_s);
}

// Dataset -> train -> validate on a small budget, in and out of family, with
// the interval's coverage; the exported TorchScript agrees with the C++ path;
// fine-tuning on simulated samples moves predictions towards them.
TEST(LayerModel, LearnsFromPerLayerLatenciesAndGeneralisesOutOfFamily) {
  const std::string dir = temp_dir("mlp-layer");
  const std::string space = kSrc + "/configs/spaces/edge_joint.yaml";
  ASSERT_EQ(run_coda("dataset --arch edge --space " + space +
                     " --samples 800 --workers 2 --seed 11 --out " + dir + "/ds")
                .code,
            0);
  // Out of family, within-10% is 0.94-0.98 for training seeds 1, 3, 4 and 5 on
  // this dataset (0.89 for seed 2), so the 0.9 bar below has some margin.
  auto r = run_coda("train --model mlp-layer --data " + dir + "/ds --out " + dir +
                    "/m.pt --epochs 40 --members 3 --seed 3");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("train: mlp-layer, 3 members"), std::string::npos) << r.out;
  const auto meta = nlohmann::json::parse(read_file(dir + "/m.pt.json"));
  EXPECT_EQ(meta["format"], "coda-mlp-layer/1");
  EXPECT_EQ(meta["analytical_twin_features"], true);
  EXPECT_EQ(meta["train_samples"].get<int>() + meta["val_samples"].get<int>() +
                meta["calibration_samples"].get<int>(),
            800);
  for (const std::string split : {"random", "leave-family-out"}) {
    r = run_coda("validate --cost-model mlp-layer:" + dir + "/m.pt --arch edge --space " + space +
                 " --samples 150 --split " + split + " --out " + dir + "/val-" + split);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto m = nlohmann::json::parse(read_file(dir + "/val-" + split + "/metrics.json"));
    EXPECT_GE(m["latency"]["within_10pct"].get<double>(), 0.9) << split;
    EXPECT_GE(m["latency"]["kendall_tau"].get<double>(), 0.9) << split;
    const auto& c = m["latency_calibration"];
    EXPECT_GE(c["points"].get<int>(), 140) << split;
    EXPECT_GE(c["coverage"].get<double>(), 0.6) << split;
    EXPECT_GT(c["mean_sigma"].get<double>(), 0) << split;
    EXPECT_NE(r.out.find("calibration: the 90% interval holds"), std::string::npos);
  }

  sim::Accelerator& edge = sim::accelerator("edge");
  cost::LayerModel model(dir + "/m.pt");
  const cost::LayerFeaturizer f(edge.params(), &edge);
  const auto s1 = *space::nas_spaces().make("nahas_s1");
  std::mt19937_64 rng(9);
  std::vector<network::Network> nets;
  std::vector<cost::LayerRows> rows;
  const ParamSet hw(edge.params());
  for (int i = 0; i < 24; ++i) {
    nets.push_back(s1.decode(s1.sample(rng)));
    rows.push_back(f.rows(nets.back(), hw));
  }
  nets.push_back(network::build_zoo("mnasnet1_0"));
  rows.push_back(f.rows(nets.back(), hw));
  const auto ours = model.predict(rows);
  const auto script = model.predict_torchscript(rows);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_NEAR(script[i].latency_s / ours[i].latency_s, 1.0, 1e-4) << i;
    EXPECT_NEAR(script[i].energy_j / ours[i].energy_j, 1.0, 1e-4) << i;
    EXPECT_NEAR(script[i].latency_sigma, ours[i].latency_sigma, 1e-5) << i;
    EXPECT_GT(ours[i].latency_sigma, 0) << i;
  }
  // A batch answers as its networks one by one do.
  EXPECT_NEAR(model.predict({rows[3]}).at(0).latency_s / ours[3].latency_s, 1.0, 1e-5);

  // Fine-tuning: simulated answers for a different hardware point, learned
  // online, bring the model's error on those networks down.
  ParamSet small(edge.params());
  small.set("pes_x", 2);
  small.set("pes_y", 2);
  cost::LayerTrainData seen;
  seen.layer_f = f.layer_size();
  seen.net_f = f.net_size();
  std::vector<cost::LayerRows> small_rows;
  std::vector<double> truth;
  for (std::size_t i = 0; i < 12; ++i) {
    const sim::SimResult s = edge.simulate(nets[i], small, {});
    ASSERT_TRUE(s.feasible) << s.reason;
    small_rows.push_back(f.rows(nets[i], small));
    seen.add(small_rows.back(), {}, {true, "", s.latency_s, s.energy_j, s.area_mm2});
    truth.push_back(s.latency_s);
  }
  const auto error = [&] {
    double e = 0;
    const auto p = model.predict(small_rows);
    for (std::size_t i = 0; i < p.size(); ++i) e += std::abs(std::log(p[i].latency_s / truth[i]));
    return e / static_cast<double>(p.size());
  };
  const double before = error();
  model.fine_tune(seen, 60, 1e-3, 1);
  EXPECT_LT(error(), before);
}

// The expected cost that DNAS descends: at one-hot weights on the candidate
// it expands around it is the model's own prediction, and its gradient with
// respect to every weight is the finite difference of its value.
TEST(LayerModel, ExpectedCostIsThePredictionAtItsCandidateAndItsGradientIsExact) {
  sim::Accelerator& edge = sim::accelerator("edge");
  // NAHAS S1 with two choices per decision, and three hardware fields.
  const space::NasSpace full = *space::nas_spaces().make("nahas_s1");
  std::vector<std::vector<int>> kept;
  for (const auto& d : full.decisions())
    kept.push_back(d.size() > 1 ? std::vector<int>{0, 1} : std::vector<int>{0});
  const space::NasSpace s = full.restricted(kept, "s1_small");
  const std::vector<std::pair<std::string, std::vector<double>>> hw_dims = {
      {"pes_x", {2, 4, 8}}, {"simd_units", {32, 64, 128}}, {"local_memory_mb", {1, 2, 4}}};
  const std::size_t nd = s.decisions().size();
  cost::RelaxedSpace rs;
  for (const auto& d : s.decisions()) rs.sizes.push_back(d.size());
  for (const auto& h : hw_dims) rs.sizes.push_back(static_cast<int>(h.second.size()));
  for (std::size_t l = 0; l < s.layer_count(); ++l)
    rs.groups.push_back({s.layer_name(l), s.layer_decisions(l)});
  rs.decode = [&](const std::vector<int>& x) {
    ParamSet hw(edge.params());
    for (std::size_t k = 0; k < hw_dims.size(); ++k)
      hw.set(hw_dims[k].first, hw_dims[k].second[x[nd + k]]);
    return std::make_pair(s.decode(std::vector<int>(x.begin(), x.begin() + static_cast<long>(nd))),
                          hw);
  };
  // A small model trained on the analytical twin's answers for the space.
  const cost::LayerFeaturizer featurizer(edge.params(), &edge);
  cost::LayerTrainData data;
  data.layer_f = featurizer.layer_size();
  data.net_f = featurizer.net_size();
  data.twin = true;
  data.featurizer_version = featurizer.version();
  data.layer_names = featurizer.layer_names();
  data.net_names = featurizer.net_names();
  std::mt19937_64 rng(5);
  auto sample = [&] {
    std::vector<int> x;
    for (int n : rs.sizes) x.push_back(static_cast<int>(rng() % static_cast<unsigned>(n)));
    return x;
  };
  for (int i = 0; i < 60; ++i) {
    const auto [net, hw] = rs.decode(sample());
    const sim::SimResult r = edge.analytical(net, hw);
    cost::Metrics m{r.feasible, "", r.latency_s, r.energy_j, r.area_mm2};
    data.add(featurizer.rows(net, hw), cost::layer_latencies(net, r), m);
  }
  const std::string dir = temp_dir("expected-cost");
  cost::LayerTrainOptions opts;
  opts.out = dir + "/m.pt";
  opts.epochs = 4;
  opts.members = 2;
  cost::train_layer_model(data, opts);
  auto model = cost::make_cost_model("mlp-layer:" + opts.out, "edge");
  auto expected = model->expected_cost(rs);
  ASSERT_NE(expected, nullptr);

  const std::vector<int> x0 = sample();
  std::vector<std::vector<double>> onehot;
  for (std::size_t d = 0; d < rs.sizes.size(); ++d) {
    onehot.emplace_back(static_cast<std::size_t>(rs.sizes[d]), 0.0);
    onehot.back()[static_cast<std::size_t>(x0[d])] = 1.0;
  }
  const auto [net0, hw0] = rs.decode(x0);
  const cost::Metrics direct = model->evaluate({{&net0, &hw0}}).at(0);
  const cost::Expectation at = expected->evaluate(onehot, x0);
  EXPECT_NEAR(at.log_latency_s, std::log(direct.latency_s), 1e-4);
  EXPECT_NEAR(at.log_energy_j, std::log(direct.energy_j), 1e-4);
  EXPECT_NEAR(at.log_area_mm2, std::log(direct.area_mm2), 1e-4);
  EXPECT_LE(at.log_feasible, 0.0);

  // Random weights: autograd against central differences, every weight.
  std::uniform_real_distribution<double> u(0.1, 1.0);
  std::vector<std::vector<double>> w;
  for (int n : rs.sizes) {
    std::vector<double> v(static_cast<std::size_t>(n));
    double sum = 0;
    for (double& p : v) sum += (p = u(rng));
    for (double& p : v) p /= sum;
    w.push_back(v);
  }
  const cost::Expectation e = expected->evaluate(w, x0);
  const double h = 1e-6;
  int checked = 0;
  double largest = 0;
  for (std::size_t d = 0; d < w.size(); ++d) {
    for (std::size_t c = 0; c < w[d].size(); ++c) {
      auto plus = w, minus = w;
      plus[d][c] += h;
      minus[d][c] -= h;
      const auto a = expected->evaluate(plus, x0), b = expected->evaluate(minus, x0);
      const double fd[] = {(a.log_latency_s - b.log_latency_s) / (2 * h),
                           (a.log_energy_j - b.log_energy_j) / (2 * h),
                           (a.log_area_mm2 - b.log_area_mm2) / (2 * h),
                           (a.log_feasible - b.log_feasible) / (2 * h)};
      const double ad[] = {e.d_latency[d][c], e.d_energy[d][c], e.d_area[d][c], e.d_feasible[d][c]};
      for (int m = 0; m < 4; ++m) {
        EXPECT_NEAR(ad[m], fd[m], 1e-5 + 1e-4 * std::abs(fd[m]))
            << d << "," << c << " metric " << m;
      }
      largest = std::max(largest, std::abs(ad[0]));
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(std::accumulate(rs.sizes.begin(), rs.sizes.end(), 0)));
  EXPECT_GT(largest, 1e-3);  // the latency does depend on the weights
}

TEST(LayerModel, BadModelsAndDatasetsAreClearErrors) {
  const std::string dir = temp_dir("mlp-layer-bad");
  const std::string space = kSrc + "/configs/spaces/edge_joint.yaml";
  std::filesystem::create_directories(dir + "/old");
  write_file(dir + "/m.pt", "not a model");
  write_file(dir + "/m.pt.json", R"({"format": "coda-mlp/1"})");
  auto r = run_coda("validate --cost-model mlp-layer:" + dir + "/m.pt --arch edge --space " +
                    space + " --samples 10 --out " + dir + "/v");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(dir + "/m.pt.json: 'format': is not coda-mlp-layer/1 (a whole-network model "
                             "loads as mlp:FILE, this one as mlp-layer:FILE)"),
            std::string::npos)
      << r.err;
  // A dataset of the first format has no per-layer latencies.
  write_file(dir + "/old/schema.json",
             R"({"format": "coda-dataset/1", "arch": "edge", "space": ")" + space +
                 R"(", "samples": 1, "nas_decisions": [], "hw_fields": []})");
  r = run_coda("train --model mlp-layer --data " + dir + "/old --out " + dir + "/n.pt");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(
      r.err.find(dir + "/old/schema.json: 'format': coda-dataset/1 has no per-layer latencies, "
                       "which mlp-layer learns from; rebuild the dataset with this coda"),
      std::string::npos)
      << r.err;
  r = run_coda("train --model mlp --members 3 --data " + dir + "/old --out " + dir + "/n.pt");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("'--members': applies to --model mlp-layer only"), std::string::npos)
      << r.err;
  r = run_coda("train --model mlp-layer --dropout 0.2 --data " + dir + "/old --out " + dir +
               "/n.pt");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("'--dropout': applies to --model mlp only"), std::string::npos) << r.err;
}

// Simulation in the loop: the candidates entering the top K are simulated,
// the search ranks them by the simulated values, and the model fine-tunes on
// them; the plain mlp-layer spec trains its model into the cache first.
TEST(Verify, TopCandidatesAreSimulatedAndTheModelLearnsFromThem) {
  const std::string dir = temp_dir("verify");
  const std::string exp = dir + "/exp.yaml";
  write_file(exp,
             "name: verify\narch: edge\nflow: has\nnetwork: mobilenet_v2\n"
             "hardware_space: " +
                 kSrc +
                 "/configs/spaces/edge_hw.yaml\n"
                 "strategy: {name: random}\n"
                 "objective: {latency_ms: 0.3, area_mm2: 23.4, kind: soft}\n"
                 "cost_model: {model: mlp-layer, verify: top, top_k: 3, fine_tune_every: 2}\n"
                 "cost_model_training: {space: " +
                 kSrc +
                 "/configs/spaces/edge_joint.yaml, samples: 300, epochs: 15}\n"
                 "accuracy: {evaluator: table}\n"
                 "budget: {evaluations: 48, batch: 8}\nseed: 3\ntop_k: 3\n");
  const auto r = run_coda("search --experiment " + exp + " --out " + dir + "/run");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("mlp-layer: building the cost model"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("simulation in the loop:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("model ms   model"), std::string::npos) << r.out;
  const auto best = nlohmann::json::parse(read_file(dir + "/run/best.json"));
  const auto& v = best.at("verification");
  EXPECT_GE(v["simulated_in_the_loop"].get<int>(), 3);
  EXPECT_LT(v["simulated_in_the_loop"].get<int>(), 48);
  EXPECT_GE(v["fine_tunes"].get<int>(), 1);
  // The top designs were simulated in the loop: what the search ranked them
  // by is the simulator's answer, and the model's own guess is kept beside it.
  for (const auto& t : best["top_k"]) {
    EXPECT_TRUE(t["verified"].get<bool>()) << t.dump();
    EXPECT_NEAR(t["latency_error"].get<double>(), 0.0, 1e-9) << t.dump();
    EXPECT_GT(t["model_latency_ms"].get<double>(), 0) << t.dump();
  }
  // Unknown keys of the cost_model map are errors naming file and line.
  write_file(dir + "/bad.yaml",
             "name: v\narch: edge\nflow: joint\n"
             "network_space: {space: nahas_s1, input: 224}\n"
             "hardware_space: " +
                 kSrc +
                 "/configs/spaces/edge_hw.yaml\n"
                 "strategy: {name: random}\nobjective: {latency_ms: 1}\n"
                 "accuracy: {evaluator: table}\n"
                 "cost_model: {model: analytical, verify: always}\n");
  const auto bad = run_coda("search --experiment " + dir + "/bad.yaml --out " + dir + "/b");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find(dir + "/bad.yaml:9:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find(
                "'verify': cost_model: 'always' is not allowed; one of none, top, uncertain, both"),
            std::string::npos)
      << bad.err;
}

TEST(Verify, PicksCandidatesEnteringTheTopKOrAboveTheSigmaThreshold) {
  auto model = cost::make_cost_model("analytical", "edge");
  const auto verifier = [&](const std::string& mode) {
    Options o(search::verify_options(), "cost_model");
    o.set_text("verify", mode, {});
    o.set_text("top_k", "2", {});
    o.set_text("sigma", "0.05", {});
    return std::make_unique<search::Verifier>(o, "edge", *model);
  };
  const auto eval = [](double reward, double sigma, bool feasible = true) {
    search::Evaluation e;
    e.feasible = feasible;
    e.reward = reward;
    e.predicted.latency_sigma = sigma;
    return e;
  };
  auto top = verifier("top");
  EXPECT_TRUE(top->wants(eval(0.5, 0)));  // the top 2 are not full yet
  top->record(eval(0.5, 0), nullptr);
  top->record(eval(0.6, 0), nullptr);
  EXPECT_FALSE(top->wants(eval(0.4, 0.2)));
  EXPECT_TRUE(top->wants(eval(0.55, 0)));
  EXPECT_FALSE(top->wants(eval(0.9, 0, false)));  // predicted infeasible: no reward to rank
  auto unsure = verifier("uncertain");
  EXPECT_TRUE(unsure->wants(eval(0.1, 0.06)));
  EXPECT_FALSE(unsure->wants(eval(0.9, 0.04)));
  auto both = verifier("both");
  EXPECT_TRUE(both->wants(eval(0.1, 0.06)));
  EXPECT_TRUE(both->wants(eval(0.9, 0.0)));
  EXPECT_FALSE(verifier("none")->wants(eval(0.9, 1.0)));
}

}  // namespace
}  // namespace coda::test
