#include "models/cost/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>

#include "core/files.h"
#include "core/pareto.h"
#include "core/plot.h"
#include "core/rank.h"
#include "core/report.h"
#include "core/text.h"
#include "models/cost/cost_model.h"
#include "models/network/zoo.h"
#include "models/space/joint_space.h"
#include "sim/accelerator.h"

namespace coda::cost {
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
  std::string points;
  for (std::size_t i = 0; i < truth.size(); ++i)
    points += fmt::format("{} {}\n", truth[i], pred[i]);
  write_text(points, dat);
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

nlohmann::json validate_cost_model(const ValidationJob& job) {
  sim::Accelerator& acc = sim::accelerator(job.arch);
  // Samples of a joint space, or of a NAS space on fixed hardware.
  std::optional<space::JointSpace> joint;
  std::optional<space::NasSpace> nas;
  std::optional<ParamSet> fixed_hw;
  if (job.hw.empty()) {
    joint = space::JointSpace::load(job.space, job.arch, acc.params());
  } else {
    nas = space::NasSpace::open(job.space);
    fixed_hw = sim::load_hw(acc, job.hw, {});
  }
  const std::string kind = cost_model_kind(job.cost_model);
  CostModelContext context;
  context.arch = job.arch;
  context.options =
      Options(cost_models().at(kind, {"--cost-model", 0, 0}).options, "cost model " + kind);
  for (const auto& kv : job.options) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) {
      throw InputError({"--cost-model-option", 0, 0}, kv, "expected key=value");
    }
    context.options.set_text(kv.substr(0, eq), kv.substr(eq + 1), {"--cost-model-option", 0, 0});
  }
  auto model = make_cost_model(job.cost_model, context);
  auto truth_model = make_cost_model("simulator", job.arch);
  // Networks outside the NAS space, for leave-family-out.
  const std::vector<std::string> families = {"mnasnet1_0",
                                             "proxyless_mobile",
                                             "fbnet_a",
                                             "mobilenet_v2:width=0.75",
                                             "efficientnet_b0:se=false,act=relu",
                                             "mnasnet0_5"};
  const DirectoryLock lock(job.out);
  AppendFile points(job.out + "/points.csv", true);
  points.append(
      "index,network,sim_feasible,pred_feasible,sim_latency_s,pred_latency_s,sim_energy_j,"
      "pred_energy_j,"
      "sim_area_mm2,pred_area_mm2,pred_latency_sigma\n");
  std::vector<double> tl, pl, te, pe, ta, pa;
  std::size_t feas_ok = 0;
  // Calibration: how often the simulated latency lies inside the model's
  // 90% interval, exp(log(pred) +- 1.645 sigma).
  std::size_t with_interval = 0, inside = 0;
  double sigma_sum = 0;
  Progress progress(job.samples, 0);
  for (long long i = 0; i < job.samples; ++i) {
    std::vector<int> choices;
    ParamSet hw = fixed_hw ? *fixed_hw : ParamSet(acc.params());
    if (joint) {
      const auto js = joint->sample(job.seed, i);
      choices = js.nas;
      hw = joint->hw().point(js.hw_point);
    } else {
      std::mt19937_64 rng = space::sample_rng(job.seed, i);
      choices = nas->sample(rng);
    }
    const space::NasSpace& from = joint ? joint->nas() : *nas;
    network::Network net =
        job.split == "random"
            ? from.decode(choices)
            : network::build_zoo(families[static_cast<std::size_t>(i) % families.size()]);
    const auto truth = truth_model->evaluate({{&net, &hw}})[0];
    const auto pred = model->evaluate({{&net, &hw}})[0];
    feas_ok += truth.feasible == pred.feasible;
    points.append(fmt::format("{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.6g}\n", i,
                              csv_quote(net.name()), truth.feasible, pred.feasible, truth.latency_s,
                              pred.latency_s, truth.energy_j, pred.energy_j, truth.area_mm2,
                              pred.area_mm2, pred.latency_sigma));
    if (truth.feasible && pred.latency_s > 0 && pred.latency_sigma > 0) {
      ++with_interval;
      sigma_sum += pred.latency_sigma;
      inside +=
          std::abs(std::log(truth.latency_s / pred.latency_s)) <= kZ90Interval * pred.latency_sigma;
    }
    if (truth.feasible && pred.latency_s > 0) {
      tl.push_back(truth.latency_s), pl.push_back(pred.latency_s);
      te.push_back(truth.energy_j), pe.push_back(pred.energy_j);
      ta.push_back(truth.area_mm2), pa.push_back(pred.area_mm2);
    }
    progress.tick();
  }
  // The Pareto front (latency, energy, area) of the simulated values, and
  // how many of its designs the model's own front over the same samples keeps.
  const std::vector<ParetoAxis> axes = {
      {"latency_s", false}, {"energy_j", false}, {"area_mm2", false}};
  std::vector<std::vector<double>> truth_points, pred_points;
  for (std::size_t k = 0; k < tl.size(); ++k) {
    truth_points.push_back({tl[k], te[k], ta[k]});
    pred_points.push_back({pl[k], pe[k], pa[k]});
  }
  const auto truth_front = pareto_front(truth_points, axes);
  const auto pred_front = pareto_front(pred_points, axes);
  std::size_t recovered = 0;
  for (std::size_t k : truth_front) {
    recovered += std::binary_search(pred_front.begin(), pred_front.end(), k);
  }
  const nlohmann::json pareto = {
      {"simulated_front", truth_front.size()},
      {"predicted_front", pred_front.size()},
      {"recovered", recovered},
      {"recall", truth_front.empty() ? 0.0 : static_cast<double>(recovered) / truth_front.size()}};
  nlohmann::json calibration = {{"interval", 0.9}, {"points", with_interval}};
  if (with_interval) {
    calibration["coverage"] = static_cast<double>(inside) / static_cast<double>(with_interval);
    calibration["mean_sigma"] = sigma_sum / static_cast<double>(with_interval);
  }
  const nlohmann::json metrics = {
      {"cost_model", job.cost_model},
      {"arch", job.arch},
      {"split", job.split},
      {"samples", job.samples},
      {"latency", metric_block(tl, pl)},
      {"energy", metric_block(te, pe)},
      {"area", metric_block(ta, pa)},
      {"feasibility_accuracy", static_cast<double>(feas_ok) / job.samples},
      {"pareto", pareto},
      {"latency_calibration", calibration}};
  write_json(metrics, job.out + "/metrics.json");
  const auto within = [&](const char* key) {
    const auto& m = metrics[key];
    return m.contains("within_10pct")
               ? fmt::format("{:.1f}%", 100 * m["within_10pct"].get<double>())
               : std::string("n/a (not modelled)");
  };
  scatter_png(job.out + "/latency.png", "latency", "s", tl, pl);
  if (!metrics["energy"].contains("not_modelled"))
    scatter_png(job.out + "/energy.png", "energy", "J", te, pe);
  if (!metrics["area"].contains("not_modelled"))
    scatter_png(job.out + "/area.png", "area", "mm^2", ta, pa);
  std::cout << fmt::format(
      "validate {} ({}, {} samples): latency within 10% {}, tau {:.3f}; energy within 10% "
      "{}; area within 10% {}; feasibility accuracy {:.1f}% -> {}/metrics.json\n",
      job.cost_model, job.split, job.samples, within("latency"),
      metrics["latency"]["kendall_tau"].get<double>(), within("energy"), within("area"),
      100 * metrics["feasibility_accuracy"].get<double>(), job.out);
  std::cout << fmt::format(
      "pareto: the model's front keeps {} of the {} simulated Pareto designs (latency, energy, "
      "area)\n",
      recovered, truth_front.size());
  if (with_interval) {
    std::cout << fmt::format(
        "calibration: the 90% interval holds {:.1f}% of the {} simulated latencies (mean sigma "
        "{:.3f})\n",
        100 * calibration["coverage"].get<double>(), with_interval,
        calibration["mean_sigma"].get<double>());
  }
  return metrics;
}

}  // namespace coda::cost
