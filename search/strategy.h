// Search strategies (DESIGN.md "Core interfaces"): ask/tell over a flat list
// of categorical dimensions, with state saved and restored. A strategy never
// knows which cost model or accuracy evaluator answers. Strategies register
// in strategies() with their declared options (core/options.h); the builtins
// live in plugins/strategies/, and external ones load as plugins
// (core/plugin.h, plugins/examples/).
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/options.h"
#include "core/registry.h"
#include "search/space.h"

namespace coda::search {

struct StrategyContext {
  std::vector<Dimension> dims;
  unsigned long long seed = 1;
  Options options;  // the strategy's declared options, resolved
};

// A strategy that learns from the gradient of a relaxed search (DNAS: a
// supernet's loss differentiated through a continuous relaxation of the
// choices) instead of from rewards. The oneshot flow drives it; the
// multi-trial driver refuses it.
class RelaxedStrategy {
 public:
  virtual ~RelaxedStrategy() = default;
  // Per dimension, the weights of its choices for the next step (each list
  // sums to 1), at `progress` in [0, 1] of the search (the temperature).
  virtual std::vector<std::vector<double>> weights(double progress) = 0;
  // The loss's gradient with respect to the last weights(): one step of the
  // strategy's optimizer.
  virtual void descend(const std::vector<std::vector<double>>& gradient) = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  // The next n candidates to evaluate.
  virtual std::vector<Candidate> ask(int n) = 0;
  // Rewards (higher is better) for the candidates of the last ask().
  virtual void tell(const std::vector<Candidate>& xs, const std::vector<double>& rewards) = 0;
  // Everything the next ask() depends on, RNG included.
  virtual void save(const std::string& path) const = 0;
  virtual void load(const std::string& path) = 0;
  // Per dimension, the probability of each choice, for a strategy that keeps
  // an explicit distribution (tunas, dnas); empty otherwise.
  virtual std::vector<std::vector<double>> distribution() const { return {}; }
  // Non-null for a strategy that learns from gradients.
  virtual RelaxedStrategy* relaxed() { return nullptr; }
};

using StrategyRegistry = Registry<Strategy, const StrategyContext&>;
StrategyRegistry& strategies();
// A strategy with its options given as JSON (checked against its declaration).
std::unique_ptr<Strategy> make_strategy(const std::string& name, std::vector<Dimension> dims,
                                        unsigned long long seed,
                                        const nlohmann::json& options = {});

// Helpers for strategies that keep a JSON state file (written atomically).
void write_json_state(const std::string& path, const nlohmann::json& state);
nlohmann::json read_json_state(const std::string& path);
std::string rng_state(const std::mt19937_64& rng);
void set_rng_state(std::mt19937_64& rng, const std::string& state);
// A uniformly random candidate.
Candidate random_candidate(const std::vector<Dimension>& dims, std::mt19937_64& rng);

}  // namespace coda::search
