// Simulation in the loop: a search on a learned cost model simulates the
// candidates the model is unsure of and those entering the top K, uses the
// simulated values in their place, and every few batches hands the
// simulated samples back to the model to fine-tune on (active learning).
// Configured in the experiment's cost_model section:
//   cost_model: {model: mlp-layer, verify: top, top_k: 5, sigma: 0.03, fine_tune_every: 4}
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/options.h"
#include "models/cost/cost_model.h"
#include "search/space.h"

namespace coda::search {

struct Evaluation;

// verify, top_k, sigma, fine_tune_every.
const OptionDecls& verify_options();

class Verifier {
 public:
  // `options` from verify_options(); `model` is the search's cost model.
  Verifier(const Options& options, const std::string& arch, cost::CostModel& model);
  ~Verifier();
  bool active() const { return mode_ != "none"; }

  // Whether a fresh evaluation on the model's answer should be simulated.
  bool wants(const Evaluation& e) const;
  // The simulator's answers for decoded candidates (in workers when > 1).
  std::vector<cost::Metrics> simulate(const std::vector<const Decoded*>& batch, int workers);
  // Every final evaluation (verified or not) of a batch, in order: keeps
  // the top-K rewards and the simulated samples to learn from; every
  // fine_tune_every batches with new samples, the model learns them.
  void record(const Evaluation& e, std::unique_ptr<Decoded> decoded);
  void end_batch();
  // Seeds the top K from a resumed run's journal.
  void remember(const Evaluation& e);

  long long verified() const { return verified_; }
  long long fine_tunes() const { return fine_tunes_; }

 private:
  std::string mode_;
  std::size_t top_k_;
  double sigma_;
  int every_;
  cost::CostModel& model_;
  std::unique_ptr<cost::CostModel> simulator_;
  std::multiset<double> top_;  // the best top_k rewards so far
  std::vector<std::unique_ptr<Decoded>> pending_;
  std::vector<cost::Metrics> pending_truth_;
  int batches_ = 0;
  long long verified_ = 0, fine_tunes_ = 0;
};

}  // namespace coda::search
