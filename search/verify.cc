#include "search/verify.h"

#include "search/evaluator.h"

namespace coda::search {

const OptionDecls& verify_options() {
  static const OptionDecls decls = {
      OptionDecl::choice("verify", "none", {"none", "top", "uncertain", "both"},
                         "simulate the candidates entering the top K (top), those the model is "
                         "unsure of (uncertain), or both; none trusts the model"),
      OptionDecl::integer("top_k", 5, 1, 10000, "how many of the best rewards `top` guards"),
      OptionDecl::number("sigma", 0.03, 0, 10,
                         "`uncertain` simulates predictions whose latency sigma (log space, "
                         "calibrated) exceeds this"),
      OptionDecl::integer("fine_tune_every", 4, 0, 1000000,
                          "batches between online fine-tunings on the simulated samples (0: "
                          "never)")};
  return decls;
}

Verifier::Verifier(const Options& o, const std::string& arch, cost::CostModel& model)
    : mode_(o.text("verify")),
      top_k_(static_cast<std::size_t>(o.integer("top_k"))),
      sigma_(o.number("sigma")),
      every_(static_cast<int>(o.integer("fine_tune_every"))),
      model_(model) {
  if (active()) simulator_ = cost::make_cost_model("simulator", arch);
}

Verifier::~Verifier() = default;

bool Verifier::wants(const Evaluation& e) const {
  if (!active() || !e.buildable()) return false;
  const bool top = e.feasible && (top_.size() < top_k_ || e.reward > *top_.begin());
  const bool unsure = e.predicted.latency_sigma > sigma_;
  if (mode_ == "top") return top;
  if (mode_ == "uncertain") return unsure;
  return top || unsure;
}

std::vector<cost::Metrics> Verifier::simulate(const std::vector<const Decoded*>& batch,
                                              int workers) {
  std::vector<cost::Query> q;
  for (const auto* d : batch) q.push_back({&d->net, &d->hw});
  verified_ += static_cast<long long>(batch.size());
  return cost::evaluate_in_workers(*simulator_, q, workers);
}

void Verifier::remember(const Evaluation& e) {
  if (!e.feasible) return;
  top_.insert(e.reward);
  if (top_.size() > top_k_) top_.erase(top_.begin());
}

void Verifier::record(const Evaluation& e, std::unique_ptr<Decoded> decoded) {
  remember(e);
  if (e.verified && decoded) {
    pending_.push_back(std::move(decoded));
    pending_truth_.push_back(e.predicted);
  }
}

void Verifier::end_batch() {
  ++batches_;
  if (every_ == 0 || batches_ % every_ != 0 || pending_.empty()) return;
  std::vector<cost::Query> q;
  for (const auto& d : pending_) q.push_back({&d->net, &d->hw});
  if (model_.learn(q, pending_truth_)) ++fine_tunes_;
  pending_.clear();
  pending_truth_.clear();
}

}  // namespace coda::search
