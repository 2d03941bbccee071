#include "search/flow.h"

#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "core/files.h"
#include "core/plugin.h"
#include "core/report.h"
#include "models/network/zoo.h"

namespace coda::search {

FlowRegistry& flows() {
  static FlowRegistry r("flow", "flow", "");
  return r;
}

OptionDecl batch_option() {
  return OptionDecl::integer("batch", 8, 1, 100000,
                             "candidates per ask/tell batch (and per journal checkpoint)");
}

FlowRun::FlowRun(const Experiment& e, const RunOptions& opts) : e_(e), opts_(opts) {
  cost::CostModelContext c;
  c.arch = e.arch;
  c.options = e.cost_model_options;
  c.seed = e.seed;
  cost_ = cost::make_cost_model(e.cost_model, c);
  verifier_ = std::make_unique<Verifier>(e.verify, e.arch, *cost_);
  accuracy_ = accuracy::evaluators().make(e.accuracy_evaluator, e.accuracy_options);
  objective_ = objectives().make(e.objective, e.objective_options);
  if (!e.network.empty()) network_ = network::load_network(e.network);
  // The run's seconds count the search, not the building of its cost model.
  start_ = std::chrono::steady_clock::now();
}

FlowRun::~FlowRun() = default;

void FlowRun::log(const std::string& line) const {
  if (opts_.log) opts_.log(line);
}

std::unique_ptr<Evaluator> FlowRun::evaluator(const SearchSpace& space) {
  return evaluator(space, *objective_);
}

std::unique_ptr<Evaluator> FlowRun::evaluator(const SearchSpace& space,
                                              const Objective& objective) {
  auto ev = std::make_unique<Evaluator>(space, *cost_, *accuracy_, objective, e_.workers);
  if (verifier_->active()) ev->set_verifier(verifier_.get());
  return ev;
}

namespace {

Options with_overrides(const Options& given, const nlohmann::json& overrides) {
  nlohmann::json merged = given.to_json();
  for (const auto& [k, v] : overrides.items()) merged[k] = v;
  return Options::from_json(given.decls(), given.owner(), merged, given.file());
}

}  // namespace

std::unique_ptr<Objective> FlowRun::objective_with(const nlohmann::json& overrides) const {
  return objectives().make(e_.objective, with_overrides(e_.objective_options, overrides));
}

std::unique_ptr<accuracy::AccuracyEvaluator> FlowRun::accuracy_with(
    const nlohmann::json& overrides) const {
  return accuracy::evaluators().make(e_.accuracy_evaluator,
                                     with_overrides(e_.accuracy_options, overrides));
}

SearchSettings FlowRun::settings(const std::string& dir, long long episodes,
                                 unsigned long long seed) const {
  SearchSettings s;
  s.dir = dir;
  s.resume = opts_.resume;
  s.episodes = episodes;
  s.batch = static_cast<int>(e_.budget.integer("batch"));
  s.seed = seed;
  s.strategy = e_.strategy;
  s.strategy_options = e_.strategy_options;
  s.progress = opts_.progress;
  return s;
}

std::vector<Evaluation> FlowRun::search(const SearchSpace& space, Evaluator& ev,
                                        const std::string& dir, long long episodes,
                                        unsigned long long seed) {
  return run_search(
      space.dimensions(), [&](const std::vector<Candidate>& xs) { return ev.evaluate(xs); },
      [&](const Evaluation& x) { ev.remember(x); }, settings(dir, episodes, seed));
}

accuracy::Result FlowRun::accuracy(const network::Network& net) {
  return accuracy_->evaluate(net);
}

ExperimentResult FlowRun::write(const Stage& stage, const std::string& dir,
                                const Objective* objective) const {
  return write_outputs(e_, objective ? *objective : *objective_, cost_->source(), stage, seconds(),
                       dir);
}

double FlowRun::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

ExperimentResult run_experiment(const Experiment& e, const RunOptions& opts) {
  // Every run marks its directory, so that a run killed before it wrote its
  // top-level journal (a flow of many searches) is still recognised as one.
  // The lock comes first: a second job on the same directory stops here,
  // before it reads or removes anything.
  const DirectoryLock lock(opts.out);
  const std::filesystem::path marker = std::filesystem::path(opts.out) / ".coda-run";
  if (opts.start_over && !opts.resume &&
      (std::filesystem::exists(marker) ||
       std::filesystem::exists(std::filesystem::path(opts.out) / "journal.jsonl"))) {
    for (const auto& entry : std::filesystem::directory_iterator(opts.out)) {
      if (entry.path().filename() != DirectoryLock::kFile) std::filesystem::remove_all(entry);
    }
  }
  write_text(e.name + "\n", marker.string());
  for (const auto& p : e.plugins) load_plugin(p);
  FlowRun run(e, opts);
  const std::unique_ptr<Flow> flow = flows().make(e.flow);
  const Stage final_stage = flow->run(run);
  ExperimentResult r = run.write(final_stage, opts.out);
  if (const Verifier* v = run.verifier()) {
    std::set<std::string> verified;
    for (const auto& h : final_stage.pool)
      if (h.verified) verified.insert(h.key);
    r.best["verification"] = {{"simulated_in_the_loop", verified.size()},
                              {"fine_tunes", v->fine_tunes()},
                              {"options", e.verify.to_json()}};
    write_json(r.best, opts.out + "/best.json");
  }
  return r;
}

}  // namespace coda::search
