// `coda search` runs an experiment's flow; `coda run` is the main job: it
// builds (or reuses) the experiment's MLP cost model, searches, re-simulates
// the winners and prints a table of the top designs.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "apps/coda/jobs.h"
#include "apps/coda/report.h"
#include "core/error.h"
#include "core/files.h"
#include "models/cost/featurizer.h"
#include "plugins/strategies/strategies.h"
#include "search/driver.h"
#include "sim/accelerator.h"

namespace coda::app {
namespace {

// The callers registered the evaluators and strategies before loading `e`.
search::ExperimentResult run(search::Experiment e, const std::string& out, bool resume) {
  auto progress = std::make_shared<std::unique_ptr<Progress>>();
  search::RunOptions o;
  o.out = out;
  o.resume = resume;
  o.log = [progress](const std::string& s) {
    progress->reset();
    std::cerr << s << "\n";
  };
  o.progress = [progress](long long done, long long total, double best) {
    if (!*progress) *progress = std::make_unique<Progress>(total, 0);
    (*progress)->advance(done, fmt::format("  best reward {:.4f}", best));
  };
  return search::run_experiment(e, o);
}

void print_top(const search::ExperimentResult& r, const std::string& out) {
  std::cout << fmt::format("\n{:>4} {:>8} {:>8} {:>11} {:>11} {:>7} {:>9}  {}\n", "rank", "reward",
                           "accuracy", "pred. ms", "sim. ms", "error", "area mm2", "design");
  for (std::size_t i = 0; i < r.top.size(); ++i) {
    const auto& t = r.top[i];
    std::cout << fmt::format("{:>4} {:>8.4f} {:>7.2f}% {:>11.4f} {:>11.4f} {:>6.1f}% {:>9.2f}  {}\n",
                             i + 1, t.e.reward, 100 * t.e.accuracy, t.e.predicted.latency_s * 1e3,
                             t.sim_latency_s * 1e3, 100 * t.latency_error, t.sim_area_mm2,
                             t.e.description);
  }
  std::cout << fmt::format(
      "\n{} episodes ({} evaluated, the rest cached), {:.1f} s; top-{} mean latency error vs "
      "simulation {:.2f}%\noutputs: {}/{{history.csv, pareto.csv, best.json, reward.png, "
      "pareto.png}}\n",
      r.best.value("episodes", 0), r.best.value("fresh_evaluations", 0),
      r.best.value("seconds", 0.0), r.top.size(),
      100 * r.best.value("top_k_latency_error_mean", 0.0), out);
}

std::string cache_root() {
  if (const char* d = std::getenv("CODA_CACHE_DIR"); d && *d) return d;
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/coda";
  return ".coda-cache";
}

// The experiment's MLP: reused when a model for the same settings exists,
// otherwise simulated and trained into the cache (resumable).
std::string ensure_mlp(const search::Experiment& e) {
  const auto& t = e.training;
  const sim::Accelerator& acc = sim::accelerator(e.arch);
  const cost::Featurizer featurizer(acc.params());
  std::string space_text;
  {
    std::ifstream in(t.space);
    if (!in) throw InputError({t.space, 0, 0}, "cost_model_training.space", "cannot open");
    space_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::uint64_t h = fnv1a64(fmt::format("{}|{}|{}|{}|{}|{}|{}", CODA_VERSION, e.arch,
                                               space_text, t.samples, t.epochs, e.seed,
                                               featurizer.version()));
  const std::string dir = fmt::format("{}/mlp/{}-{:016x}", cache_root(), e.arch, h);
  const std::string model = dir + "/model.pt";
  if (std::filesystem::exists(model)) {
    std::cerr << "run: reusing the cost model " << model << "\n";
    return model;
  }
  std::filesystem::create_directories(dir);
  std::cerr << fmt::format("run: building the cost model in {} ({} samples, {} epochs)\n", dir,
                           t.samples, t.epochs);
  DatasetJob job;
  job.arch = e.arch;
  job.space = t.space;
  job.out = dir + "/data";
  job.samples = t.samples;
  job.workers = t.workers;
  job.seed = e.seed;
  job.resume = std::filesystem::exists(job.out + "/schema.json");
  run_dataset_job(job);
  cost::TrainOptions opts;
  opts.out = model + ".partial";
  opts.epochs = t.epochs;
  opts.seed = e.seed;
  opts.threads = t.workers;
  opts.log = [](const std::string& line) { std::cerr << line << "\n"; };
  const auto rep = cost::train_mlp(load_train_data(job.out), opts);
  std::filesystem::rename(opts.out + ".json", model + ".json");
  std::filesystem::rename(opts.out, model);
  std::cerr << fmt::format("run: trained in {:.1f} s (best epoch {} of {})\n", rep.seconds,
                           rep.best_epoch, rep.epochs_run);
  return model;
}

// Registers the built-in evaluators and strategies, loads the plugins, then
// the experiment (whose names are checked against all of them).
search::Experiment load(const std::string& experiment, const std::vector<std::string>& plugin_files) {
  accuracy::register_accuracy_evaluators();
  plugins::register_strategies();
  for (const auto& p : plugin_files) search::load_plugin(p);
  return search::load_experiment(experiment);
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
  cmd->add_option("--plugin", a->plugins, "load an external strategy plugin (.so); repeatable");
  cmd->callback([a] {
    search::Experiment e = load(a->experiment, a->plugins);
    if (e.cost_model == "mlp") {
      throw InputError({a->experiment, 0, 0}, "cost_model",
                       "'mlp' without a model file needs `coda run` (which trains one); give "
                       "mlp:FILE for `coda search`");
    }
    const auto r = run(e, a->out, a->resume);
    print_top(r, a->out);
  });

  auto b = std::make_shared<Args>();
  auto* runc = app.add_subcommand("run", "The main job: cost model, search, re-simulation, table");
  runc->add_option("experiment", b->experiment, "experiment YAML")->required();
  runc->add_option("--out", b->out, "output directory (default runs/<name>)");
  runc->add_flag("--resume", b->resume, "continue an interrupted run in --out");
  runc->add_option("--plugin", b->plugins, "load an external strategy plugin (.so); repeatable");
  runc->callback([b] {
    search::Experiment e = load(b->experiment, b->plugins);
    const std::string out = b->out.empty() ? "runs/" + e.name : b->out;
    if (!b->resume && std::filesystem::exists(out + "/journal.jsonl")) {
      std::filesystem::remove_all(out);  // `coda run` starts over unless resuming
    }
    if (e.cost_model == "mlp") {
      if (!e.training.enabled) {
        throw InputError({b->experiment, 0, 0}, "cost_model_training",
                         "cost_model 'mlp' without a file needs a cost_model_training section");
      }
      e.cost_model = "mlp:" + ensure_mlp(e);
    }
    const auto r = run(e, out, b->resume);
    print_top(r, out);
  });
}

}  // namespace coda::app
