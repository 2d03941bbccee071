// An example external strategy, built as a shared library and loaded with
// `coda search --plugin build/plugins/examples/libcoda_hill_climb.so` (or
// `plugins:` in an experiment). It registers "hill-climb": keep the best
// candidate so far and propose its one-dimension neighbours, restarting at
// random when none improves for `patience` batches.
#include <memory>

#include "search/strategy.h"

namespace {

using coda::search::Candidate;

class HillClimb : public coda::search::Strategy {
 public:
  explicit HillClimb(const coda::search::StrategyContext& c) : dims_(c.dims), rng_(c.seed) {
    patience_ = static_cast<int>(c.options->integer("patience", 3, 1, 1000));
  }
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
  int stale_ = 0, patience_ = 3;
};

}  // namespace

extern "C" int coda_plugin_api_version() { return CODA_PLUGIN_API_VERSION; }

extern "C" void coda_register_plugin(coda::search::StrategyRegistry& r) {
  r.add("hill-climb", "example external plugin: one-dimension neighbours of the best, restarts",
        [](const coda::search::StrategyContext& c) { return std::make_unique<HillClimb>(c); });
}
