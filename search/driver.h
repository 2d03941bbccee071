// The search driver: the ask/tell loop with its journal, and the flows of
// NAHAS §4.5 (joint, NAS only, HAS only, phase, nested) over it.
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

#include "search/evaluator.h"
#include "search/experiment.h"
#include "search/strategy.h"

namespace coda::search {

struct SearchSettings {
  std::string dir;
  bool resume = false;
  long long episodes = 100;
  int batch = 8;
  unsigned long long seed = 1;
  std::string strategy;
  nlohmann::json strategy_options = nlohmann::json::object();
  std::string file;  // the experiment, for option errors
  std::function<void(long long done, long long total, double best)> progress;
};

using BatchEvaluator = std::function<std::vector<Evaluation>(const std::vector<Candidate>&)>;

// Runs (or resumes) one search over `dims`; returns every episode in order.
// `remember` receives the journal's evaluations on resume (to fill caches).
std::vector<Evaluation> run_search(const std::vector<Dimension>& dims,
                                   const BatchEvaluator& evaluate,
                                   const std::function<void(const Evaluation&)>& remember,
                                   const SearchSettings& settings);

struct RunOptions {
  std::string out;
  bool resume = false;
  std::function<void(long long done, long long total, double best)> progress;
  std::function<void(const std::string&)> log;
};

struct TopDesign {
  Evaluation e;
  bool simulated_feasible = false;
  double sim_latency_s = 0, sim_energy_j = 0, sim_area_mm2 = 0;
  double latency_error = 0;  // |predicted - simulated| / simulated
};

struct ExperimentResult {
  std::vector<Evaluation> history;
  std::vector<TopDesign> top;  // best first, re-simulated
  nlohmann::json best;         // best.json
};

// Runs the experiment's flow with its cost model and accuracy evaluator,
// writes history.csv, pareto.csv, best.json and the PNG plots into out.
ExperimentResult run_experiment(const Experiment& e, const RunOptions& opts);

}  // namespace coda::search
