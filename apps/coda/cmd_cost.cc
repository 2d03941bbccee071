// `coda train` and `coda validate`: the learned cost model and how far any
// cost model is from simulation.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>

#include "apps/coda/commands.h"
#include "apps/coda/jobs.h"
#include "apps/coda/report.h"
#include "core/plot.h"
#include "core/rank.h"
#include "core/text.h"
#include "models/cost/cost_model.h"
#include "models/cost/dataset.h"
#include "models/cost/featurizer.h"
#include "models/cost/mlp.h"
#include "models/network/zoo.h"
#include "search/joint_space.h"

namespace coda::app {
namespace {

ParamSet hw_from_values(const sim::Accelerator& acc, const std::vector<double>& values) {
  ParamSet hw(acc.params());
  for (std::size_t i = 0; i < values.size() && i < acc.params().size(); ++i)
    hw.set(acc.params()[i].name, values[i]);
  return hw;
}

}  // namespace

cost::TrainData load_train_data(const std::string& dir) {
  const nlohmann::json schema = cost::read_schema(dir);
  const std::string arch = schema.at("arch");
  sim::Accelerator& acc = sim::accelerator(arch);
  const search::JointSpace space = search::JointSpace::load(schema.at("space"), arch, acc.params());
  const cost::Featurizer featurizer(acc.params());
  if (schema.value("featurizer_version", 0) != featurizer.version()) {
    throw InputError({dir + "/schema.json", 0, 0}, "featurizer_version",
                     "dataset written with featurizer v" + schema["featurizer_version"].dump() +
                         ", this build has v" + std::to_string(featurizer.version()));
  }
  const auto samples = cost::read_dataset(dir);
  cost::TrainData d;
  d.n = samples.size();
  d.f = featurizer.size();
  d.feature_names = featurizer.names();
  d.featurizer_version = featurizer.version();
  d.x.reserve(d.n * d.f);
  for (const auto& s : samples) {
    const auto f = featurizer.features(space.nas().decode(s.nas), hw_from_values(acc, s.hw));
    d.x.insert(d.x.end(), f.begin(), f.end());
    d.targets.insert(d.targets.end(),
                     {s.metrics.latency_s, s.metrics.energy_j, s.metrics.area_mm2});
    d.feasible.push_back(s.metrics.feasible ? 1.0f : 0.0f);
  }
  return d;
}

namespace {

// True when the ground truth never reports the metric (e.g. the FPGA and DPU
// families model no energy): its block says so instead of dividing by zero.
bool not_modelled(const std::vector<double>& truth) {
  return std::all_of(truth.begin(), truth.end(), [](double v) { return v == 0; });
}

nlohmann::json metric_block(const std::vector<double>& truth, const std::vector<double>& pred) {
  if (!truth.empty() && not_modelled(truth)) return {{"not_modelled", true}, {"points", 0}};
  double ape = 0, se = 0;
  std::size_t w5 = 0, w10 = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double rel = std::abs(pred[i] - truth[i]) / truth[i];
    ape += rel;
    se += (pred[i] - truth[i]) * (pred[i] - truth[i]);
    w5 += rel <= 0.05;
    w10 += rel <= 0.10;
  }
  const double n = std::max<double>(1, static_cast<double>(truth.size()));
  return {{"mape", ape / n},
          {"rmse", std::sqrt(se / n)},
          {"within_5pct", static_cast<double>(w5) / n},
          {"within_10pct", static_cast<double>(w10) / n},
          {"kendall_tau", kendall_tau(truth, pred)},
          {"spearman_rho", spearman_rho(truth, pred)},
          {"points", truth.size()}};
}

void scatter_png(const std::string& path, const std::string& what, const std::string& unit,
                 const std::vector<double>& truth, const std::vector<double>& pred) {
  const std::string dat = path + ".dat";
  {
    std::ofstream d(dat);
    for (std::size_t i = 0; i < truth.size(); ++i) d << truth[i] << " " << pred[i] << "\n";
  }
  const std::string script = fmt::format(
      "set terminal pngcairo size 700,700\nset output '{}'\nset logscale xy\nset grid\n"
      "set xlabel 'simulated {} ({})'\nset ylabel 'predicted {} ({})'\nset key top left\n"
      "plot '{}' using 1:2 with points pt 7 ps 0.3 lc rgb '#1f77b4' title 'samples', x with lines "
      "lc rgb "
      "'#cc0000' title 'y = x'\n",
      path, what, unit, what, unit, dat);
  run_gnuplot(script, what + " scatter PNG");
  std::filesystem::remove(dat);
}

}  // namespace

void register_cost_commands(CLI::App& app) {
  cost::register_mlp_cost_model();
  // coda train
  struct TrainArgs {
    std::string data, out;
    cost::TrainOptions opts;
  };
  auto t = std::make_shared<TrainArgs>();
  auto* train = app.add_subcommand("train", "Train the MLP cost model on a dataset");
  train->add_option("--data", t->data, "dataset directory (coda dataset)")->required();
  train->add_option("--out", t->out, "TorchScript model file (metadata beside it as .json)")
      ->required();
  train->add_option("--hidden", t->opts.hidden, "hidden width")
      ->capture_default_str()
      ->check(CLI::Range(4, 4096));
  train->add_option("--layers", t->opts.layers, "trunk layers")
      ->capture_default_str()
      ->check(CLI::Range(1, 8));
  train->add_option("--dropout", t->opts.dropout, "dropout")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.9));
  train->add_option("--batch", t->opts.batch, "batch size")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  train->add_option("--lr", t->opts.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 1.0));
  train->add_option("--lambda", t->opts.lambda, "weight of latency/energy vs area (NAHAS eq. 7)")
      ->capture_default_str();
  train->add_option("--epochs", t->opts.epochs, "maximum epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  train->add_option("--patience", t->opts.patience, "early-stopping patience (epochs)")
      ->capture_default_str();
  train->add_option("--seed", t->opts.seed, "seed (split, init, batches)")->capture_default_str();
  train->add_option("--threads", t->opts.threads, "CPU threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  train->callback([t] {
    const auto t0 = std::chrono::steady_clock::now();
    const cost::TrainData data = load_train_data(t->data);
    std::cerr << fmt::format(
        "train: {} samples x {} features ({:.1f} s to featurize)\n", data.n, data.f,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    t->opts.out = t->out;
    t->opts.log = [](const std::string& line) { std::cerr << line << "\n"; };
    const auto rep = cost::train_mlp(data, t->opts);
    std::cout << fmt::format(
        "train: best epoch {} of {}, validation loss {:.5f}, {} train / {} validation samples, "
        "{:.1f} s -> {}\n",
        rep.best_epoch, rep.epochs_run, rep.best_val_loss, rep.train_samples, rep.val_samples,
        rep.seconds, t->out);
  });

  // coda validate
  struct ValArgs {
    std::string cost_model, arch, space, out, split = "random";
    long long samples = 1000;
    unsigned long long seed = 20261129;
    int workers = 1;
  };
  auto v = std::make_shared<ValArgs>();
  auto* val =
      app.add_subcommand("validate", "Compare a cost model with simulation on fresh samples");
  val->add_option("--cost-model", v->cost_model, "mlp:<model.pt>, analytical or simulator")
      ->required();
  val->add_option("--arch", v->arch, "accelerator family")->required();
  val->add_option("--space", v->space, "joint space YAML")->required();
  val->add_option("--samples", v->samples, "fresh samples")
      ->capture_default_str()
      ->check(CLI::Range(2LL, 10000000LL));
  val->add_option("--out", v->out, "output directory")->required();
  val->add_option("--split", v->split,
                  "random: the joint space; leave-family-out: zoo families outside it")
      ->check(CLI::IsMember({"random", "leave-family-out"}))
      ->capture_default_str();
  val->add_option("--seed", v->seed, "sampling seed (keep it apart from the training data's)")
      ->capture_default_str();
  val->callback([v] {
    sim::Accelerator& acc = sim::accelerator(v->arch);
    const search::JointSpace space = search::JointSpace::load(v->space, v->arch, acc.params());
    auto model = cost::make_cost_model(v->cost_model, v->arch);
    auto truth_model = cost::make_cost_model("simulator", v->arch);
    // Networks outside the NAS space, for leave-family-out.
    const std::vector<std::string> families = {"mnasnet1_0",
                                               "proxyless_mobile",
                                               "fbnet_a",
                                               "mobilenet_v2:width=0.75",
                                               "efficientnet_b0:se=false,act=relu",
                                               "mnasnet0_5"};
    std::filesystem::create_directories(v->out);
    std::ofstream points(v->out + "/points.csv");
    points << "index,network,sim_feasible,pred_feasible,sim_latency_s,pred_latency_s,sim_energy_j,"
              "pred_energy_j,"
              "sim_area_mm2,pred_area_mm2\n";
    std::vector<double> tl, pl, te, pe, ta, pa;
    std::size_t feas_ok = 0;
    Progress progress(v->samples, 0);
    std::mt19937_64 rng(v->seed);
    for (long long i = 0; i < v->samples; ++i) {
      const auto js = space.sample(v->seed, i);
      network::Network net =
          v->split == "random"
              ? space.nas().decode(js.nas)
              : network::build_zoo(families[static_cast<std::size_t>(i) % families.size()]);
      const ParamSet hw = space.hw().point(js.hw_point);
      const auto truth = truth_model->evaluate({{&net, &hw}})[0];
      const auto pred = model->evaluate({{&net, &hw}})[0];
      feas_ok += truth.feasible == pred.feasible;
      points << fmt::format("{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g}\n", i,
                            net.name(), truth.feasible, pred.feasible, truth.latency_s,
                            pred.latency_s, truth.energy_j, pred.energy_j, truth.area_mm2,
                            pred.area_mm2);
      if (truth.feasible && pred.latency_s > 0) {
        tl.push_back(truth.latency_s), pl.push_back(pred.latency_s);
        te.push_back(truth.energy_j), pe.push_back(pred.energy_j);
        ta.push_back(truth.area_mm2), pa.push_back(pred.area_mm2);
      }
      progress.tick();
    }
    const nlohmann::json metrics = {
        {"cost_model", v->cost_model},
        {"arch", v->arch},
        {"split", v->split},
        {"samples", v->samples},
        {"latency", metric_block(tl, pl)},
        {"energy", metric_block(te, pe)},
        {"area", metric_block(ta, pa)},
        {"feasibility_accuracy", static_cast<double>(feas_ok) / v->samples}};
    write_json(metrics, v->out + "/metrics.json");
    const auto within = [&](const char* key) {
      const auto& m = metrics[key];
      return m.contains("within_10pct")
                 ? fmt::format("{:.1f}%", 100 * m["within_10pct"].get<double>())
                 : std::string("n/a (not modelled)");
    };
    scatter_png(v->out + "/latency.png", "latency", "s", tl, pl);
    if (!metrics["energy"].contains("not_modelled")) scatter_png(v->out + "/energy.png", "energy", "J", te, pe);
    if (!metrics["area"].contains("not_modelled")) scatter_png(v->out + "/area.png", "area", "mm^2", ta, pa);
    std::cout << fmt::format(
        "validate {} ({}, {} samples): latency within 10% {}, tau {:.3f}; energy within 10% "
        "{}; area within 10% {}; feasibility accuracy {:.1f}% -> {}/metrics.json\n",
        v->cost_model, v->split, v->samples, within("latency"),
        metrics["latency"]["kendall_tau"].get<double>(), within("energy"), within("area"),
        100 * metrics["feasibility_accuracy"].get<double>(), v->out);
  });
}

}  // namespace coda::app
