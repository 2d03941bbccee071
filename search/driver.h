// The search driver: the ask/tell loop with its journal, and the output
// writer every flow shares (flow.h runs an experiment's flow over them).
//
// A search directory holds journal.jsonl (every evaluation, appended as the
// batch finishes), strategy-<batch>.state and checkpoint.json (written after
// every batch, atomically). --resume reloads the strategy state and the journal,
// so a run killed at any point continues to the same final result as an
// uninterrupted run with the same seed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/options.h"
#include "search/evaluator.h"
#include "search/experiment.h"
#include "search/objective.h"
#include "search/space.h"

namespace coda::search {

struct SearchSettings {
  std::string dir;
  bool resume = false;
  long long episodes = 100;
  int batch = 8;
  unsigned long long seed = 1;
  std::string strategy;
  Options strategy_options;
  std::function<void(long long done, long long total, double best)> progress;
};

using BatchEvaluator = std::function<std::vector<Evaluation>(const std::vector<Candidate>&)>;

// Runs (or resumes) one search over `dims`; returns every episode in order.
// `remember` receives the journal's evaluations on resume (to fill caches).
std::vector<Evaluation> run_search(const std::vector<Dimension>& dims,
                                   const BatchEvaluator& evaluate,
                                   const std::function<void(const Evaluation&)>& remember,
                                   const SearchSettings& settings);

// One search's results: what the output writer needs.
struct Stage {
  std::shared_ptr<const SearchSpace> space;  // decodes every candidate of `pool`
  std::vector<Evaluation> history;           // episodes in order
  std::vector<Evaluation> pool;              // every evaluation (Pareto, best, top-K)
  long long fresh = 0;                       // evaluations not answered by a cache
};

struct TopDesign {
  Evaluation e;
  bool simulated_feasible = false;
  double sim_latency_s = 0, sim_energy_j = 0, sim_area_mm2 = 0;
  double latency_error = 0;  // |predicted - simulated| / simulated
  // The same for the cost model's own prediction, which differs from
  // `predicted` when the design was simulated in the loop.
  double model_latency_error = 0;
};

struct ExperimentResult {
  std::vector<Evaluation> history;
  std::vector<TopDesign> top;  // best first, re-simulated
  nlohmann::json best;         // best.json
};

// The pool's distinct designs by reward, best first (the first found wins ties).
std::vector<const Evaluation*> rank_by_reward(const std::vector<Evaluation>& pool);

// Writes history.csv, designs.csv, pareto.csv (on the objective's axes),
// pareto_latency.csv, best.json (the top-K re-simulated with the SystemC
// model) and reward.png / pareto.png into `dir`. `cost_model` names what
// answered (CostModel::source()).
ExperimentResult write_outputs(const Experiment& e, const Objective& objective,
                               const std::string& cost_model, const Stage& stage, double seconds,
                               const std::string& dir);

}  // namespace coda::search
