// RL strategies with an LSTM controller (LibTorch):
//  - reinforce: HotNAS eq. 19 and Lu et al. eq. 4, the policy gradient
//      grad J = 1/m sum_k sum_t gamma^(T-t) grad log P(a_t | a_(t-1):1) (R_k - b)
//    with b an exponential moving average of the rewards;
//  - ppo: NAHAS §3.5.1, the clipped surrogate objective, Adam (lr 5e-4),
//    gradients clipped to norm 1.0.
// The controller emits one decision per step: `layers` stacked LSTM cells fed
// the embedding of the previous decision (a learned start vector first), a
// linear head per dimension. Sampling draws from the softmax with the
// strategy's own RNG, so state save/restore (weights, optimizer moments,
// baseline, RNG) is exact.
#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "plugins/strategies/strategies.h"
#include "plugins/strategies/torch_state.h"
#include "search/strategy.h"

namespace coda::plugins {
using search::Candidate;

namespace {

struct Controller : torch::nn::Module {
  Controller(const std::vector<search::Dimension>& dims, int hidden, int layers) : hidden(hidden) {
    cell = register_module("lstm", torch::nn::LSTMCell(hidden, hidden));
    start = register_parameter("start", torch::zeros({1, hidden}));
    for (std::size_t k = 0; k < dims.size(); ++k) {
      embed.push_back(register_module("embed" + std::to_string(k),
                                      torch::nn::Embedding(dims[k].size(), hidden)));
      head.push_back(
          register_module("head" + std::to_string(k), torch::nn::Linear(hidden, dims[k].size())));
    }
    // Stacked cells above the first (Lu et al.: a two-layer LSTM).
    for (int l = 1; l < layers; ++l) {
      upper.push_back(
          register_module("lstm" + std::to_string(l), torch::nn::LSTMCell(hidden, hidden)));
    }
  }
  // Runs the controller over given (or sampled, when `sample` is set)
  // actions of a batch; returns per-step log-probs [B, T] and entropies.
  std::pair<torch::Tensor, torch::Tensor> run(std::vector<Candidate>& xs, std::mt19937_64* sample) {
    const auto b = static_cast<std::int64_t>(xs.size());
    auto x = start.expand({b, hidden});
    std::tuple<torch::Tensor, torch::Tensor> hc{torch::zeros({b, hidden}),
                                                torch::zeros({b, hidden})};
    std::vector<std::tuple<torch::Tensor, torch::Tensor>> upper_hc(
        upper.size(), {torch::zeros({b, hidden}), torch::zeros({b, hidden})});
    std::vector<torch::Tensor> logps, ents;
    for (std::size_t k = 0; k < head.size(); ++k) {
      hc = cell->forward(x, hc);
      torch::Tensor top = std::get<0>(hc);
      for (std::size_t l = 0; l < upper.size(); ++l) {
        upper_hc[l] = upper[l]->forward(top, upper_hc[l]);
        top = std::get<0>(upper_hc[l]);
      }
      auto logits = head[k]->forward(top);
      auto logp = torch::log_softmax(logits, 1);
      if (sample) {
        auto p = logp.detach().exp();
        std::uniform_real_distribution<double> u(0.0, 1.0);
        for (std::int64_t i = 0; i < b; ++i) {
          const double r = u(*sample);
          double acc = 0;
          int choice = static_cast<int>(p.size(1)) - 1;
          for (std::int64_t c = 0; c < p.size(1); ++c) {
            acc += p[i][c].item<double>();
            if (r < acc) {
              choice = static_cast<int>(c);
              break;
            }
          }
          xs[static_cast<std::size_t>(i)][k] = choice;
        }
      }
      std::vector<std::int64_t> a(static_cast<std::size_t>(b));
      for (std::int64_t i = 0; i < b; ++i)
        a[static_cast<std::size_t>(i)] = xs[static_cast<std::size_t>(i)][k];
      auto at = torch::tensor(a, torch::kLong);
      logps.push_back(logp.gather(1, at.unsqueeze(1)).squeeze(1));
      ents.push_back(-(logp.exp() * logp).sum(1));
      x = embed[k]->forward(at);
    }
    return {torch::stack(logps, 1), torch::stack(ents, 1)};
  }
  int hidden;
  torch::nn::LSTMCell cell{nullptr};
  std::vector<torch::nn::LSTMCell> upper;
  torch::Tensor start;
  std::vector<torch::nn::Embedding> embed;
  std::vector<torch::nn::Linear> head;
};

class RlStrategy : public search::Strategy {
 public:
  RlStrategy(const search::StrategyContext& c, bool ppo) : ppo_(ppo), dims_(c.dims), rng_(c.seed) {
    const Options& o = c.options;
    const int hidden = static_cast<int>(o.integer("hidden"));
    lr_ = o.number("lr");
    decay_ = o.number("baseline_decay");
    entropy_ = o.number("entropy");
    gamma_ = o.number("gamma");
    grad_clip_ = o.number("grad_clip");
    if (ppo_) {
      clip_ = o.number("clip");
      epochs_ = static_cast<int>(o.integer("epochs"));
    }
    torch::manual_seed(c.seed);
    net_ = std::make_shared<Controller>(dims_, hidden, static_cast<int>(o.integer("layers")));
    if (o.text("optimizer") == "sgd") {
      // Stochastic gradient ascent on J is descent on -J (Lu et al.: SGA, lr 0.2).
      opt_ = std::make_unique<torch::optim::SGD>(net_->parameters(), torch::optim::SGDOptions(lr_));
    } else {
      opt_ =
          std::make_unique<torch::optim::Adam>(net_->parameters(), torch::optim::AdamOptions(lr_));
    }
  }
  std::string name() const override { return ppo_ ? "ppo" : "reinforce"; }

  std::vector<Candidate> ask(int n) override {
    torch::NoGradGuard g;
    std::vector<Candidate> xs(static_cast<std::size_t>(n), Candidate(dims_.size(), 0));
    auto [logp, ent] = net_->run(xs, &rng_);
    old_logp_ = logp.sum(1).detach();
    return xs;
  }

  void tell(const std::vector<Candidate>& given, const std::vector<double>& rewards) override {
    std::vector<Candidate> xs = given;
    auto r = torch::tensor(rewards, torch::kDouble).to(torch::kFloat);
    const double mean = r.mean().item<double>();
    if (!have_baseline_) {
      baseline_ = mean;
      have_baseline_ = true;
    }
    auto adv = r - baseline_;
    // gamma^(T-t) per step (HotNAS eq. 19); 1 by default.
    const auto t = static_cast<std::int64_t>(dims_.size());
    auto discount =
        torch::pow(torch::full({t}, gamma_), torch::arange(t - 1, -1, -1).to(torch::kFloat));
    const int rounds = ppo_ ? epochs_ : 1;
    for (int e = 0; e < rounds; ++e) {
      auto [logp, ent] = net_->run(xs, nullptr);
      torch::Tensor loss;
      if (ppo_) {
        auto ratio = torch::exp(logp.sum(1) - old_logp_);
        auto surr = torch::min(ratio * adv, torch::clamp(ratio, 1 - clip_, 1 + clip_) * adv);
        loss = -surr.mean();
      } else {
        loss = -((logp * discount).sum(1) * adv).mean();
      }
      if (entropy_ > 0) loss = loss - entropy_ * ent.sum(1).mean();
      opt_->zero_grad();
      loss.backward();
      if (grad_clip_ > 0) torch::nn::utils::clip_grad_norm_(net_->parameters(), grad_clip_);
      opt_->step();
    }
    baseline_ = decay_ * baseline_ + (1 - decay_) * mean;
  }

  void save(const std::string& path) const override {
    save_torch_state(path, *net_, *opt_);
    search::write_json_state(path + ".json", {{"rng", search::rng_state(rng_)},
                                              {"baseline", baseline_},
                                              {"have_baseline", have_baseline_}});
  }

  void load(const std::string& path) override {
    load_torch_state(path, *net_, *opt_);
    const auto j = search::read_json_state(path + ".json");
    search::set_rng_state(rng_, j.at("rng"));
    baseline_ = j.at("baseline");
    have_baseline_ = j.at("have_baseline");
  }

 private:
  bool ppo_;
  std::vector<search::Dimension> dims_;
  std::mt19937_64 rng_;
  double lr_, decay_, entropy_, gamma_, clip_ = 0.2, grad_clip_ = 0;
  int epochs_ = 1;
  std::shared_ptr<Controller> net_;
  std::unique_ptr<torch::optim::Optimizer> opt_;
  torch::Tensor old_logp_;
  double baseline_ = 0;
  bool have_baseline_ = false;
};

// The controller's options, shared by both; `lr` and `grad_clip` differ.
OptionDecls controller_options(double lr, double grad_clip) {
  return {OptionDecl::integer("hidden", 64, 4, 4096, "LSTM width"),
          OptionDecl::integer("layers", 1, 1, 8, "stacked LSTM cells (Lu et al.: 2)"),
          OptionDecl::choice("optimizer", "adam", {"adam", "sgd"},
                             "adam, or plain stochastic gradient ascent (Lu et al.: sgd, lr 0.2)"),
          OptionDecl::number("lr", lr, 1e-7, 1.0, "learning rate of the optimizer"),
          OptionDecl::number("baseline_decay", 0.95, 0.0, 0.9999,
                             "decay of the reward's moving-average baseline"),
          OptionDecl::number("entropy", 0.0, 0.0, 1.0, "weight of the entropy bonus"),
          OptionDecl::number("gamma", 1.0, 0.0, 1.0, "discount over the decisions"),
          OptionDecl::number("grad_clip", grad_clip, 0.0, 1e6, "gradient-norm clip (0: none)")};
}

}  // namespace

void register_rl_strategies() {
  auto& r = search::strategies();
  r.add({"reinforce", "LSTM controller, REINFORCE with an EMA baseline (HotNAS eq. 19)",
         controller_options(4.8e-3, 0.0),
         [](const search::StrategyContext& c) { return std::make_unique<RlStrategy>(c, false); }});
  OptionDecls ppo = controller_options(5e-4, 1.0);
  ppo.push_back(OptionDecl::number("clip", 0.2, 0.01, 1.0, "PPO's clipping range"));
  ppo.push_back(OptionDecl::integer("epochs", 4, 1, 100, "optimisation epochs per batch"));
  r.add({"ppo", "LSTM controller, clipped PPO (NAHAS §3.5.1)", ppo,
         [](const search::StrategyContext& c) { return std::make_unique<RlStrategy>(c, true); }});
}

}  // namespace coda::plugins
