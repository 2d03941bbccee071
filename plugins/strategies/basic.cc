// random, grid and regularized evolution: plain C++ strategies with JSON state.
#include <cmath>
#include <deque>

#include "plugins/strategies/strategies.h"
#include "search/strategy.h"

namespace coda::plugins {
using search::Candidate;
using search::Dimension;

namespace {

class RandomStrategy : public search::Strategy {
 public:
  explicit RandomStrategy(const search::StrategyContext& c) : dims_(c.dims), rng_(c.seed) {}
  std::string name() const override { return "random"; }
  std::vector<Candidate> ask(int n) override {
    std::vector<Candidate> out;
    for (int i = 0; i < n; ++i) out.push_back(search::random_candidate(dims_, rng_));
    return out;
  }
  void tell(const std::vector<Candidate>&, const std::vector<double>&) override {}
  void save(const std::string& path) const override {
    search::write_json_state(path, {{"rng", search::rng_state(rng_)}});
  }
  void load(const std::string& path) override {
    search::set_rng_state(rng_, search::read_json_state(path).at("rng"));
  }

 private:
  std::vector<Dimension> dims_;
  std::mt19937_64 rng_;
};

class GridStrategy : public search::Strategy {
 public:
  explicit GridStrategy(const search::StrategyContext& c) : dims_(c.dims) {}
  std::string name() const override { return "grid"; }
  std::vector<Candidate> ask(int n) override {
    std::vector<Candidate> out;
    for (int i = 0; i < n; ++i) {
      // Wraps around after the last point, so a budget past the grid repeats it.
      long double rest = static_cast<long double>(next_++);
      Candidate x(dims_.size());
      for (std::size_t k = dims_.size(); k-- > 0;) {
        const auto size = static_cast<long double>(dims_[k].size());
        x[k] = static_cast<int>(std::fmod(rest, size));
        rest = std::floor(rest / size);
      }
      out.push_back(x);
    }
    return out;
  }
  void tell(const std::vector<Candidate>&, const std::vector<double>&) override {}
  void save(const std::string& path) const override {
    search::write_json_state(path, {{"next", next_}});
  }
  void load(const std::string& path) override {
    next_ = search::read_json_state(path).at("next").get<long long>();
  }

 private:
  std::vector<Dimension> dims_;
  long long next_ = 0;
};

// Regularized evolution (Real et al., AAAI 2019): a population of P; each
// child mutates one dimension of the best of S sampled members; the oldest
// member dies. The first P candidates are random.
class EvolutionStrategy : public search::Strategy {
 public:
  explicit EvolutionStrategy(const search::StrategyContext& c) : dims_(c.dims), rng_(c.seed) {
    population_ = static_cast<int>(c.options.integer("population"));
    sample_ = static_cast<int>(c.options.integer("sample"));
    mutations_ = static_cast<int>(c.options.integer("mutations"));
  }
  std::string name() const override { return "evolution"; }
  std::vector<Candidate> ask(int n) override {
    std::vector<Candidate> out;
    for (int i = 0; i < n; ++i) {
      // Random until the population is full, and while nothing has been
      // told yet (a first batch larger than the population).
      if (static_cast<int>(members_.size()) + asked_ < population_ || members_.empty()) {
        out.push_back(search::random_candidate(dims_, rng_));
        ++asked_;
        continue;
      }
      // Tournament among `sample` random members.
      std::uniform_int_distribution<std::size_t> pick(0, members_.size() - 1);
      std::size_t best = pick(rng_);
      for (int s = 1; s < sample_; ++s) {
        const std::size_t j = pick(rng_);
        if (members_[j].second > members_[best].second) best = j;
      }
      Candidate child = members_[best].first;
      for (int m = 0; m < mutations_; ++m) {
        std::uniform_int_distribution<std::size_t> dim(0, dims_.size() - 1);
        const std::size_t k = dim(rng_);
        if (dims_[k].size() < 2) continue;
        std::uniform_int_distribution<int> v(0, dims_[k].size() - 2);
        int nv = v(rng_);
        if (nv >= child[k]) ++nv;  // a different value
        child[k] = nv;
      }
      out.push_back(child);
    }
    return out;
  }
  void tell(const std::vector<Candidate>& xs, const std::vector<double>& rewards) override {
    asked_ = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      members_.emplace_back(xs[i], rewards[i]);
      if (static_cast<int>(members_.size()) > population_) members_.pop_front();  // aging
    }
  }
  void save(const std::string& path) const override {
    nlohmann::json m = nlohmann::json::array();
    for (const auto& [x, r] : members_) m.push_back({{"x", x}, {"r", r}});
    search::write_json_state(path, {{"rng", search::rng_state(rng_)}, {"members", m}});
  }
  void load(const std::string& path) override {
    const auto j = search::read_json_state(path);
    search::set_rng_state(rng_, j.at("rng"));
    members_.clear();
    for (const auto& m : j.at("members")) {
      members_.emplace_back(m.at("x").get<Candidate>(), m.at("r").get<double>());
    }
    asked_ = 0;
  }

 private:
  std::vector<Dimension> dims_;
  std::mt19937_64 rng_;
  int population_, sample_, mutations_;
  std::deque<std::pair<Candidate, double>> members_;
  int asked_ = 0;
};

}  // namespace

void register_basic_strategies() {
  auto& r = search::strategies();
  r.add({"random", "uniform random candidates", {}, [](const search::StrategyContext& c) {
           return std::make_unique<RandomStrategy>(c);
         }});
  r.add({"grid",
         "every candidate in mixed-radix order (the last dimension fastest)",
         {},
         [](const search::StrategyContext& c) { return std::make_unique<GridStrategy>(c); }});
  r.add({"evolution",
         "regularized (aging) evolution, Real et al. 2019",
         {OptionDecl::integer("population", 50, 2, 100000, "members kept alive"),
          OptionDecl::integer("sample", 10, 1, 100000, "members drawn for each tournament"),
          OptionDecl::integer("mutations", 1, 1, 1000, "dimensions a child changes")},
         [](const search::StrategyContext& c) { return std::make_unique<EvolutionStrategy>(c); }});
}

}  // namespace coda::plugins
