// An example external plugin, built as a shared library and loaded with
// `coda search --plugin build/plugins/examples/libcoda_example_plugin.so` (or
// `plugins:` in an experiment). It adds one extension of three kinds, each
// with its options declared once:
//   strategy  hill-climb       keep the best candidate so far and propose its
//                              one-dimension neighbours, restarting at random
//                              when none improves for `patience` batches;
//   objective accuracy-per-ms  accuracy / (1 + latency_ms / scale_ms);
//   evaluator params           a toy accuracy from the parameter count,
//                              clamp(base + slope * log10(params), 0, 1).
#include <algorithm>
#include <cmath>
#include <memory>

#include "core/plugin.h"
#include "models/accuracy/accuracy.h"
#include "search/objective.h"
#include "search/strategy.h"

namespace {

using coda::search::Candidate;

class HillClimb : public coda::search::Strategy {
 public:
  explicit HillClimb(const coda::search::StrategyContext& c)
      : dims_(c.dims), rng_(c.seed), patience_(static_cast<int>(c.options.integer("patience"))) {}
  std::string name() const override { return "hill-climb"; }
  std::vector<Candidate> ask(int n) override {
    std::vector<Candidate> out;
    for (int i = 0; i < n; ++i) {
      if (best_.empty()) {
        out.push_back(coda::search::random_candidate(dims_, rng_));
        continue;
      }
      Candidate x = best_;
      std::uniform_int_distribution<std::size_t> dim(0, dims_.size() - 1);
      const std::size_t k = dim(rng_);
      std::uniform_int_distribution<int> v(0, dims_[k].size() - 1);
      x[k] = v(rng_);
      out.push_back(x);
    }
    return out;
  }
  void tell(const std::vector<Candidate>& xs, const std::vector<double>& rewards) override {
    bool improved = false;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (best_.empty() || rewards[i] > best_reward_) {
        best_ = xs[i];
        best_reward_ = rewards[i];
        improved = true;
      }
    }
    stale_ = improved ? 0 : stale_ + 1;
    if (stale_ >= patience_) {  // restart
      best_.clear();
      stale_ = 0;
    }
  }
  void save(const std::string& path) const override {
    coda::search::write_json_state(path, {{"rng", coda::search::rng_state(rng_)},
                                          {"best", best_},
                                          {"best_reward", best_reward_},
                                          {"stale", stale_}});
  }
  void load(const std::string& path) override {
    const auto j = coda::search::read_json_state(path);
    coda::search::set_rng_state(rng_, j.at("rng"));
    best_ = j.at("best").get<Candidate>();
    best_reward_ = j.at("best_reward");
    stale_ = j.at("stale");
  }

 private:
  std::vector<coda::search::Dimension> dims_;
  std::mt19937_64 rng_;
  Candidate best_;
  double best_reward_ = 0;
  int patience_;
  int stale_ = 0;
};

class AccuracyPerMs : public coda::search::Objective {
 public:
  explicit AccuracyPerMs(const coda::Options& o) : scale_ms_(o.number("scale_ms")) {}
  double reward(const coda::search::Measured& m) const override {
    return m.feasible ? m.accuracy / (1 + m.latency_ms / scale_ms_) : 0;
  }
  std::vector<coda::ParetoAxis> pareto_axes() const override {
    return {{"accuracy", true}, {"latency_ms", false}};
  }

 private:
  double scale_ms_;
};

class ParamsEvaluator : public coda::accuracy::AccuracyEvaluator {
 public:
  explicit ParamsEvaluator(const coda::Options& o)
      : base_(o.number("base")), slope_(o.number("slope")) {}
  std::string name() const override { return "params"; }
  coda::accuracy::Result evaluate(const coda::network::Network& net) override {
    coda::accuracy::Result r;
    r.evaluator = "params";
    r.dataset = "none";
    const double params = static_cast<double>(std::max<std::int64_t>(1, net.params()));
    r.accuracy = std::clamp(base_ + slope_ * std::log10(params), 0.0, 1.0);
    return r;
  }

 private:
  double base_, slope_;
};

}  // namespace

extern "C" int coda_plugin_api_version() {
  return CODA_PLUGIN_API_VERSION;
}

extern "C" void coda_register_plugin() {
  using coda::OptionDecl;
  coda::search::strategies().add(
      {"hill-climb",
       "example plugin: one-dimension neighbours of the best, restarts",
       {OptionDecl::integer("patience", 3, 1, 1000,
                            "batches without improvement before a restart")},
       [](const coda::search::StrategyContext& c) { return std::make_unique<HillClimb>(c); }});
  coda::search::objectives().add(
      {"accuracy-per-ms",
       "example plugin: accuracy / (1 + latency_ms / scale_ms)",
       {OptionDecl::number("scale_ms", 1.0, 1e-6, 1e6, "the latency that halves the reward")},
       [](const coda::Options& o) { return std::make_unique<AccuracyPerMs>(o); }});
  coda::accuracy::evaluators().add(
      {"params",
       "example plugin: clamp(base + slope * log10(params), 0, 1)",
       {OptionDecl::number("base", 0.2, -10, 10, "accuracy at one parameter"),
        OptionDecl::number("slope", 0.08, -1, 1, "accuracy per decade of parameters")},
       [](const coda::Options& o) { return std::make_unique<ParamsEvaluator>(o); }});
}
