// The strategies of one-shot search, each an explicit factorised
// distribution over the choices (one categorical per dimension, the NAS
// decisions and the hardware fields alike):
//  - tunas: REINFORCE over independent logits (TuNAS, Bender et al. 2020,
//    as NAHAS §3.5.2 runs it): Adam at 0.0048 and a moving-average baseline
//    of momentum 0.95 (NAHAS §4.1, "Search Hyperparameters"). It is an
//    ordinary ask/tell strategy, so multi-trial flows can run it too.
//  - dnas: FBNet's differentiable search (Wu et al. 2019, §3.3): the
//    weights of a dimension's choices are a Gumbel-softmax sample of its
//    logits at a temperature annealed from 5.0 (FBNet) to 5.0 exp(-0.045 x
//    90) ~ 0.087 (FBNet's decay over its 90 epochs, here over the search);
//    the oneshot flow differentiates the supernet's loss with respect to the
//    weights and the strategy descends its logits with Adam (FBNet: lr 0.01,
//    weight decay 5e-4). Sampling and noise come from the strategy's own RNG,
//    so a restored state continues exactly.
#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "plugins/strategies/strategies.h"
#include "plugins/strategies/torch_state.h"
#include "search/strategy.h"

namespace coda::plugins {
using search::Candidate;

namespace {

// One logit vector per dimension, initially 0 (uniform).
struct Logits : torch::nn::Module {
  explicit Logits(const std::vector<search::Dimension>& dims) {
    for (std::size_t k = 0; k < dims.size(); ++k) {
      theta.push_back(
          register_parameter("theta" + std::to_string(k), torch::zeros({dims[k].size()})));
    }
  }
  std::vector<torch::Tensor> theta;
};

// The state both keep: logits, optimizer, RNG.
class Factorised : public search::Strategy {
 public:
  Factorised(const search::StrategyContext& c, double lr, double weight_decay)
      : dims_(c.dims), rng_(c.seed), logits_(std::make_shared<Logits>(c.dims)) {
    opt_ = std::make_unique<torch::optim::Adam>(
        logits_->parameters(), torch::optim::AdamOptions(lr).weight_decay(weight_decay));
  }

  std::vector<Candidate> ask(int n) override {
    const auto p = distribution();
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Candidate> xs(static_cast<std::size_t>(n), Candidate(dims_.size(), 0));
    for (auto& x : xs) {
      for (std::size_t k = 0; k < dims_.size(); ++k) {
        const double r = u(rng_);
        double acc = 0;
        int choice = dims_[k].size() - 1;
        for (int c = 0; c < dims_[k].size(); ++c) {
          acc += p[k][static_cast<std::size_t>(c)];
          if (r < acc) {
            choice = c;
            break;
          }
        }
        x[k] = choice;
      }
    }
    return xs;
  }

  std::vector<std::vector<double>> distribution() const override {
    torch::NoGradGuard g;
    std::vector<std::vector<double>> out;
    for (const auto& t : logits_->theta) {
      const torch::Tensor p = torch::softmax(t.to(torch::kDouble), 0).contiguous();
      out.emplace_back(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
    }
    return out;
  }

  void save(const std::string& path) const override {
    save_torch_state(path, *logits_, *opt_);
    nlohmann::json j = extra_state();
    j["rng"] = search::rng_state(rng_);
    search::write_json_state(path + ".json", j);
  }
  void load(const std::string& path) override {
    load_torch_state(path, *logits_, *opt_);
    const auto j = search::read_json_state(path + ".json");
    search::set_rng_state(rng_, j.at("rng"));
    load_extra_state(j);
  }

 protected:
  virtual nlohmann::json extra_state() const { return nlohmann::json::object(); }
  virtual void load_extra_state(const nlohmann::json& j) { (void)j; }

  std::vector<search::Dimension> dims_;
  mutable std::mt19937_64 rng_;
  std::shared_ptr<Logits> logits_;
  std::unique_ptr<torch::optim::Adam> opt_;
};

class Tunas : public Factorised {
 public:
  explicit Tunas(const search::StrategyContext& c)
      : Factorised(c, c.options.number("lr"), 0.0),
        decay_(c.options.number("baseline_decay")),
        entropy_(c.options.number("entropy")) {}
  std::string name() const override { return "tunas"; }

  void tell(const std::vector<Candidate>& xs, const std::vector<double>& rewards) override {
    if (xs.empty()) return;
    double mean = 0;
    for (double r : rewards) mean += r / static_cast<double>(rewards.size());
    if (!have_baseline_) {
      baseline_ = mean;
      have_baseline_ = true;
    }
    torch::Tensor loss = torch::zeros({});
    for (std::size_t i = 0; i < xs.size(); ++i) {
      torch::Tensor logp = torch::zeros({});
      for (std::size_t k = 0; k < dims_.size(); ++k) {
        logp = logp + torch::log_softmax(logits_->theta[k], 0)[xs[i][k]];
      }
      loss = loss - logp * (rewards[i] - baseline_);
    }
    loss = loss / static_cast<double>(xs.size());
    if (entropy_ > 0) {
      for (const auto& t : logits_->theta) {
        const torch::Tensor lp = torch::log_softmax(t, 0);
        loss = loss + entropy_ * (lp.exp() * lp).sum();
      }
    }
    opt_->zero_grad();
    loss.backward();
    opt_->step();
    baseline_ = decay_ * baseline_ + (1 - decay_) * mean;
  }

 private:
  nlohmann::json extra_state() const override {
    return {{"baseline", baseline_}, {"have_baseline", have_baseline_}};
  }
  void load_extra_state(const nlohmann::json& j) override {
    baseline_ = j.at("baseline");
    have_baseline_ = j.at("have_baseline");
  }
  double decay_, entropy_;
  double baseline_ = 0;
  bool have_baseline_ = false;
};

class Dnas : public Factorised, public search::RelaxedStrategy {
 public:
  explicit Dnas(const search::StrategyContext& c)
      : Factorised(c, c.options.number("lr"), c.options.number("weight_decay")),
        t0_(c.options.number("temperature")),
        t1_(c.options.number("final_temperature")) {}
  std::string name() const override { return "dnas"; }
  search::RelaxedStrategy* relaxed() override { return this; }
  // The oneshot flow learns through weights() and descend(); rewards carry
  // nothing a gradient step would use.
  void tell(const std::vector<Candidate>&, const std::vector<double>&) override {}

  std::vector<std::vector<double>> weights(double progress) override {
    progress = std::clamp(progress, 0.0, 1.0);
    temperature_ = t0_ * std::pow(t1_ / t0_, progress);
    std::uniform_real_distribution<double> u(std::numeric_limits<double>::min(), 1.0);
    noise_.clear();
    for (const auto& d : dims_) {
      std::vector<double> g(static_cast<std::size_t>(d.size()));
      for (double& v : g) v = -std::log(-std::log(u(rng_)));  // Gumbel(0, 1)
      noise_.push_back(torch::tensor(g, torch::kDouble));
    }
    torch::NoGradGuard ng;
    std::vector<std::vector<double>> out;
    for (const auto& w : relaxed_weights()) {
      const torch::Tensor c = w.contiguous();
      out.emplace_back(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    }
    return out;
  }

  void descend(const std::vector<std::vector<double>>& gradient) override {
    if (noise_.size() != dims_.size() || gradient.size() != dims_.size()) {
      throw InputError({}, "gradient",
                       "dnas: descend() needs the gradient of the last weights(), one list per "
                       "dimension");
    }
    const auto w = relaxed_weights();
    torch::Tensor surrogate = torch::zeros({}, torch::kDouble);
    for (std::size_t k = 0; k < dims_.size(); ++k) {
      surrogate = surrogate + (w[k] * torch::tensor(gradient[k], torch::kDouble)).sum();
    }
    opt_->zero_grad();
    surrogate.backward();
    opt_->step();
  }

 private:
  // softmax((theta + g) / tau) per dimension, with the last noise.
  std::vector<torch::Tensor> relaxed_weights() const {
    std::vector<torch::Tensor> w;
    for (std::size_t k = 0; k < dims_.size(); ++k) {
      w.push_back(
          torch::softmax((logits_->theta[k].to(torch::kDouble) + noise_[k]) / temperature_, 0));
    }
    return w;
  }
  nlohmann::json extra_state() const override { return {{"temperature", temperature_}}; }
  void load_extra_state(const nlohmann::json& j) override {
    temperature_ = j.at("temperature");
    noise_.clear();
  }
  double t0_, t1_;
  double temperature_ = 1;
  std::vector<torch::Tensor> noise_;
};

}  // namespace

void register_oneshot_strategies() {
  auto& r = search::strategies();
  r.add({"tunas",
         "independent logits per dimension, REINFORCE with an EMA baseline (TuNAS; NAHAS oneshot)",
         {OptionDecl::number("lr", 4.8e-3, 1e-7, 1.0, "Adam's learning rate (NAHAS: 0.0048)"),
          OptionDecl::number("baseline_decay", 0.95, 0.0, 0.9999,
                             "momentum of the reward's moving-average baseline (NAHAS: 0.95)"),
          OptionDecl::number("entropy", 0.0, 0.0, 1.0, "weight of the entropy bonus")},
         [](const search::StrategyContext& c) { return std::make_unique<Tunas>(c); }});
  r.add({"dnas",
         "Gumbel-softmax over per-dimension logits, descended through the supernet and the cost "
         "model (FBNet DNAS; flow oneshot only)",
         {OptionDecl::number("lr", 0.01, 1e-7, 1.0, "Adam's learning rate (FBNet: 0.01)"),
          OptionDecl::number("weight_decay", 5e-4, 0.0, 1.0, "Adam's weight decay (FBNet: 5e-4)"),
          OptionDecl::number("temperature", 5.0, 1e-3, 100.0,
                             "Gumbel-softmax temperature at the start (FBNet: 5.0)"),
          OptionDecl::number("final_temperature", 0.087, 1e-4, 100.0,
                             "temperature at the end, annealed geometrically (FBNet: 5 "
                             "exp(-0.045 x 90))")},
         [](const search::StrategyContext& c) { return std::make_unique<Dnas>(c); }});
}

}  // namespace coda::plugins
