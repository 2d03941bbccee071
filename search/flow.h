// Flows (NAHAS §4.5 and the paper pipelines): how a search is staged. A flow
// is a registered class (flows()) that says which experiment sections it
// reads, runs one or more searches through a FlowRun and returns its final
// stage, which run_experiment writes once. A flow may write an intermediate
// stage into a subdirectory with FlowRun::write (the phase flow's HAS stage).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/options.h"
#include "core/registry.h"
#include "models/accuracy/accuracy.h"
#include "models/cost/cost_model.h"
#include "search/driver.h"

namespace coda::search {

// Whether a flow reads an experiment section.
enum class Need { kForbidden, kOptional, kRequired };

struct FlowNeeds {
  Need network_space = Need::kForbidden;
  Need hardware_space = Need::kForbidden;
  Need network = Need::kOptional;  // a fixed or seed network
  Need hardware = Need::kForbidden;
};

struct RunOptions {
  std::string out;
  bool resume = false;
  // Without `resume`, first remove what an earlier run left in `out` (`coda
  // run`); a directory that holds no coda run is never removed.
  bool start_over = false;
  std::function<void(long long done, long long total, double best)> progress;
  std::function<void(const std::string&)> log;
};

// What a flow runs with: the experiment, its cost model, accuracy evaluator
// and objective, the search loop's settings and the output writer.
class FlowRun {
 public:
  FlowRun(const Experiment& e, const RunOptions& opts);
  ~FlowRun();

  const Experiment& experiment() const { return e_; }
  const Options& budget() const { return e_.budget; }
  // The experiment's `network`, loaded (a fixed or seed network).
  const std::optional<network::Network>& network() const { return network_; }
  const Objective& objective() const { return *objective_; }
  const std::string& out() const { return opts_.out; }
  bool resuming() const { return opts_.resume; }
  void log(const std::string& line) const;

  // An evaluator for `space` with the experiment's cost model and accuracy,
  // rewarding by the experiment's objective or by `objective` (which must
  // outlive the evaluator).
  std::unique_ptr<Evaluator> evaluator(const SearchSpace& space);
  std::unique_ptr<Evaluator> evaluator(const SearchSpace& space, const Objective& objective);
  // The experiment's objective (or accuracy evaluator) with some options
  // set by the flow: `overrides` maps option names to values (the HotNAS
  // flow sets eq. 18's A_ori per backbone).
  std::unique_ptr<Objective> objective_with(const nlohmann::json& overrides) const;
  std::unique_ptr<accuracy::AccuracyEvaluator> accuracy_with(const nlohmann::json& overrides) const;
  cost::CostModel& cost_model() { return *cost_; }
  // Simulation in the loop, when the experiment asks for it (else null).
  const Verifier* verifier() const {
    return verifier_ && verifier_->active() ? verifier_.get() : nullptr;
  }
  // The experiment's search settings for one search in `dir`.
  SearchSettings settings(const std::string& dir, long long episodes,
                          unsigned long long seed) const;
  // One search over `space` with its evaluator.
  std::vector<Evaluation> search(const SearchSpace& space, Evaluator& ev, const std::string& dir,
                                 long long episodes, unsigned long long seed);
  // The experiment's accuracy evaluator on a network of the flow's making.
  accuracy::Result accuracy(const network::Network& net);
  // Writes an intermediate stage's outputs into `dir` (ranked by `objective`
  // when given).
  ExperimentResult write(const Stage& stage, const std::string& dir,
                         const Objective* objective = nullptr) const;
  double seconds() const;

 private:
  const Experiment& e_;
  RunOptions opts_;
  std::unique_ptr<cost::CostModel> cost_;
  std::unique_ptr<accuracy::AccuracyEvaluator> accuracy_;
  std::unique_ptr<Objective> objective_;
  std::optional<network::Network> network_;
  std::unique_ptr<Verifier> verifier_;
  std::chrono::steady_clock::time_point start_;
};

class Flow {
 public:
  virtual ~Flow() = default;
  virtual FlowNeeds needs() const = 0;
  virtual Stage run(FlowRun& run) = 0;
};

using FlowRegistry = Registry<Flow>;
FlowRegistry& flows();

// The option every flow declares: candidates per batch.
OptionDecl batch_option();

// Runs the experiment's flow and writes the final stage into opts.out.
ExperimentResult run_experiment(const Experiment& e, const RunOptions& opts);

}  // namespace coda::search
