// The search Evaluator (DESIGN.md): a CostModel plus an AccuracyEvaluator
// behind one cache keyed by the candidate, so no candidate is evaluated
// twice, and accuracies cached by network hash, so a network is scored once
// whatever hardware it is paired with. With workers > 1 and a simulating
// cost model, a batch's cost queries run in forked worker processes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/accuracy/accuracy.h"
#include "models/cost/cost_model.h"
#include "search/objective.h"
#include "search/space.h"
#include "search/verify.h"

namespace coda::search {

struct Evaluation {
  Candidate x;
  std::string key;
  std::string description;
  bool feasible = false;
  std::string reason;
  cost::Metrics predicted;
  double accuracy = 0;
  double reward = 0;
  double params = 0, macs = 0;
  bool cached = false;  // answered from the cache in this run
  // Simulated in the loop (verify.h): `predicted` holds the simulator's
  // answer and model_latency_s the cost model's own prediction.
  bool verified = false;
  double model_latency_s = 0;
  // The reason of a candidate whose network or hardware cannot be built
  // starts with this; such a candidate has nothing to decode.
  static constexpr const char* kCannotBuild = "cannot build: ";
  bool buildable() const { return feasible || reason.rfind(kCannotBuild, 0) != 0; }
  Measured measured() const;
  nlohmann::json to_json() const;
  static Evaluation from_json(const nlohmann::json& j);
};

class Evaluator {
 public:
  Evaluator(const SearchSpace& space, cost::CostModel& cost, accuracy::AccuracyEvaluator& accuracy,
            const Objective& objective, int workers = 1);

  // Results in batch order; `on_result(j, e)` runs for each once the batch is done.
  std::vector<Evaluation> evaluate(
      const std::vector<Candidate>& batch,
      const std::function<void(std::size_t, const Evaluation&)>& on_result = nullptr);
  // Seeds the cache (a resumed run's journal).
  void remember(const Evaluation& e);
  // Simulation in the loop: `verifier` (which must outlive the evaluator)
  // picks fresh candidates to simulate and learns from them.
  void set_verifier(Verifier* verifier) { verifier_ = verifier; }
  long long fresh_evaluations() const { return fresh_; }
  const SearchSpace& space() const { return space_; }

 private:
  Evaluation finish(const Candidate& x, const cost::Metrics& m, const network::Network* net);
  const SearchSpace& space_;
  cost::CostModel& cost_;
  accuracy::AccuracyEvaluator& accuracy_;
  const Objective& objective_;
  int workers_;
  std::map<std::string, Evaluation> cache_;
  std::map<std::string, double> accuracy_cache_;  // network hash -> accuracy
  long long fresh_ = 0;
  Verifier* verifier_ = nullptr;
};

}  // namespace coda::search
