// `coda search` runs an experiment's flow; `coda run` is the main job: the
// same, with its outputs in runs/<name> by default (a cost model `mlp`
// without a file builds and caches its model first), and a table of the top
// designs re-simulated.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "core/plugin.h"
#include "core/report.h"
#include "search/flow.h"
#include "search/profile.h"

namespace coda::app {
namespace {

search::ExperimentResult run(const std::string& experiment, const std::string& out_flag,
                             bool resume, bool main_job, const std::vector<std::string>& plugins) {
  for (const auto& p : plugins) load_plugin(p);
  const search::Experiment e = search::load_experiment(experiment);
  const std::string out = out_flag.empty() ? "runs/" + e.name : out_flag;
  auto progress = std::make_shared<std::unique_ptr<Progress>>();
  search::RunOptions o;
  o.out = out;
  o.resume = resume;
  o.start_over = main_job;
  o.log = [progress](const std::string& s) {
    progress->reset();
    std::cerr << s << "\n";
  };
  o.progress = [progress](long long done, long long total, double best) {
    if (!*progress) *progress = std::make_unique<Progress>(total, 0);
    (*progress)->advance(done, fmt::format("  best reward {:.4f}", best));
  };
  const auto r = search::run_experiment(e, o);
  // With simulation in the loop, `pred.` is what the search ranked by (the
  // simulator's answer for verified designs) and `model` the cost model's own.
  const bool verified = r.best.contains("verification");
  std::cout << fmt::format("\n{:>4} {:>8} {:>8} {:>11} {:>11} {:>7}{} {:>9}  {}\n", "rank",
                           "reward", "accuracy", "pred. ms", "sim. ms", "error",
                           verified ? fmt::format(" {:>9} {:>7}", "model ms", "model") : "",
                           "area mm2", "design");
  for (std::size_t i = 0; i < r.top.size(); ++i) {
    const auto& t = r.top[i];
    std::cout << fmt::format(
        "{:>4} {:>8.4f} {:>7.2f}% {:>11.4f} {:>11.4f} {:>6.1f}%{} {:>9.2f}  {}\n", i + 1,
        t.e.reward, 100 * t.e.accuracy, t.e.predicted.latency_s * 1e3, t.sim_latency_s * 1e3,
        100 * t.latency_error,
        verified ? fmt::format(" {:>9.4f} {:>6.1f}%", t.e.model_latency_s * 1e3,
                               100 * t.model_latency_error)
                 : "",
        t.sim_area_mm2, t.e.description);
  }
  std::cout << fmt::format(
      "\n{} episodes ({} evaluated, the rest cached), {:.1f} s; top-{} mean latency error vs "
      "simulation {:.2f}%\n",
      r.best.value("episodes", 0), r.best.value("fresh_evaluations", 0),
      r.best.value("seconds", 0.0), r.top.size(),
      100 * r.best.value("top_k_latency_error_mean", 0.0));
  if (r.best.contains("verification")) {
    const auto& v = r.best["verification"];
    std::cout << fmt::format(
        "simulation in the loop: {} candidates simulated, {} fine-tunings; the cost model's own "
        "top-{} mean latency error {:.2f}% (best design {:.2f}%)\n",
        v.value("simulated_in_the_loop", 0LL), v.value("fine_tunes", 0LL), r.top.size(),
        100 * r.best.value("top_k_model_latency_error_mean", 0.0),
        r.top.empty() ? 0.0 : 100 * r.top.front().model_latency_error);
  }
  std::cout << fmt::format(
      "outputs: {}/{{history.csv, pareto.csv, best.json, reward.png, pareto.png}}\n", out);
  return r;
}

}  // namespace

void register_search_commands(CLI::App& app) {
  struct Args {
    std::string experiment, out;
    bool resume = false;
    std::vector<std::string> plugins;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("search", "Run an experiment's search flow");
  cmd->add_option("--experiment", a->experiment, "experiment YAML")->required();
  cmd->add_option("--out", a->out, "output directory")->required();
  cmd->add_flag("--resume", a->resume, "continue an interrupted search in --out");
  cmd->add_option("--plugin", a->plugins,
                  "load an external plugin (.so) that adds extensions; repeatable");
  cmd->callback([a] { run(a->experiment, a->out, a->resume, false, a->plugins); });

  auto b = std::make_shared<Args>();
  auto* runc = app.add_subcommand("run", "The main job: cost model, search, re-simulation, table");
  runc->add_option("experiment", b->experiment, "experiment YAML")->required();
  runc->add_option("--out", b->out, "output directory (default runs/<name>)");
  runc->add_flag("--resume", b->resume, "continue an interrupted run in --out");
  runc->add_option("--plugin", b->plugins,
                   "load an external plugin (.so) that adds extensions; repeatable");
  runc->callback([b] { run(b->experiment, b->out, b->resume, true, b->plugins); });

  auto p = std::make_shared<search::ProfileRun>();
  auto* prof = app.add_subcommand(
      "profile", "Profile candidate NAS spaces on an accelerator (Zeng et al.'s black box)");
  prof->add_option("--experiment", p->experiment, "profile experiment YAML")->required();
  prof->add_option("--out", p->out, "output directory")->required();
  prof->add_flag("--resume", p->resume, "continue an interrupted profile in --out");
  prof->callback([p] { search::run_profile(*p); });
}

}  // namespace coda::app
