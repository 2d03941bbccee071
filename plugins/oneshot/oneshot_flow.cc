// The oneshot flow (NAHAS §3.5.2 and §4.5 "oneshot", after TuNAS; FBNet's
// DNAS): one weight-sharing supernet over the experiment's NAS space,
// trained on the dataset while the strategy learns a distribution over the
// joint space (network decisions and hardware fields alike):
//  - a reward strategy (tunas, or any ask/tell strategy) gets, for each
//    candidate it asks, the experiment objective's reward of the candidate's
//    shared-weight accuracy on a held-out batch and its cost-model metrics;
//  - a relaxed strategy (dnas) gets the gradient, with respect to its
//    Gumbel-softmax weights, of the loss
//      cross-entropy(whole supernet, weights) - cost_weight * sum_m s_m E[log m]
//    where E[log m] is the cost model's differentiable expectation
//    (CostModel::expected_cost) and s_m = d log(reward) / d log(m) the
//    objective's slope at the expected metrics (NahasObjective::log_slopes):
//    FBNet's loss in the log space of the experiment's own reward.
// The first `warmup` of the steps trains the shared weights alone, on paths
// sampled from the strategy's initial, uniform distribution (TuNAS). At the
// end, `final_samples` candidates drawn from the learned distribution, and
// its most likely one, are scored with the shared weights and the cost
// model; the `retrain` best are retrained from scratch by the experiment's
// accuracy evaluator and form the stage's pool, which run_experiment ranks
// and re-simulates like any flow's.
//
// Everything the steps depend on (the supernet's weights and batch-norm
// statistics, its optimizer, the strategy's state, the image order's RNG and
// the per-step history) is checkpointed every `checkpoint_every` steps into
// <out>/oneshot/; --resume continues from there to the same result.
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "core/error.h"
#include "core/report.h"
#include "plugins/accuracy/datasets.h"
#include "plugins/accuracy/evaluators.h"
#include "plugins/accuracy/supernet.h"
#include "plugins/accuracy/trainer.h"
#include "plugins/oneshot/oneshot.h"
#include "search/flow.h"
#include "search/strategy.h"

namespace coda::plugins {
namespace {

namespace fs = std::filesystem;
using search::Candidate;
using search::Evaluation;

// One row of steps.csv.
struct StepRow {
  long long step = 0;
  std::string phase;       // warmup | search
  double entropy = 0;      // of the strategy's distribution, nats, summed over dimensions
  double expected_ms = 0;  // dnas: the cost model's expectation; tunas: the batch's mean
  double accuracy = 0;     // shared-weight accuracy of the step's validation batch
  double reward = 0;       // tunas: the batch's mean reward
  double loss = 0;         // the weights' training loss
  nlohmann::json to_json() const {
    return {step, phase, entropy, expected_ms, accuracy, reward, loss};
  }
  static StepRow from_json(const nlohmann::json& j) {
    return {j.at(0), j.at(1), j.at(2), j.at(3), j.at(4), j.at(5), j.at(6)};
  }
};

double entropy_of(const std::vector<std::vector<double>>& p) {
  double h = 0;
  for (const auto& d : p) {
    for (double v : d) h -= v > 0 ? v * std::log(v) : 0;
  }
  return h;
}

Candidate mode_of(const std::vector<std::vector<double>>& p) {
  Candidate x;
  for (const auto& d : p)
    x.push_back(static_cast<int>(std::max_element(d.begin(), d.end()) - d.begin()));
  return x;
}

class OneshotFlow : public search::Flow {
 public:
  search::FlowNeeds needs() const override {
    search::FlowNeeds n;
    n.network_space = search::Need::kRequired;
    n.hardware_space = search::Need::kOptional;
    n.hardware = search::Need::kOptional;
    n.network = search::Need::kForbidden;
    return n;
  }

  search::Stage run(search::FlowRun& run) override;
};

// The state of one search, and the loop's parts.
class Oneshot {
 public:
  explicit Oneshot(search::FlowRun& run) : run_(run), e_(run.experiment()), o_(run.budget()) {
    if (!e_.hardware_space && !e_.hardware) {
      throw InputError({e_.file, 0, 0}, "hardware_space",
                       "flow oneshot needs hardware_space (joint search) or hardware (NAS on a "
                       "fixed design)");
    }
    space_ = std::make_shared<const search::SearchSpace>(
        e_.network_space, std::nullopt, e_.hardware_space,
        e_.hardware_space ? std::nullopt : e_.hardware);
    nas_dims_ = space_->nas_dimensions();
    steps_ = o_.integer("steps");
    warmup_ = static_cast<long long>(std::floor(o_.number("warmup") * static_cast<double>(steps_)));
    threads_ = static_cast<int>(o_.integer("threads"));
    if (threads_ > 0) torch::set_num_threads(threads_);
    dir_ = run.out() + "/oneshot";
    fs::create_directories(dir_);

    // The dataset: the last val_images training images score paths; the
    // rest (or `subset` of them) train the weights.
    accuracy::DatasetSpec spec = accuracy::parse_dataset(o_.text("dataset"), o_.where("dataset"));
    data_ = &accuracy::load_dataset(spec);
    const std::int64_t total = data_->train.images.size(0);
    const std::int64_t val = std::min<std::int64_t>(o_.integer("val_images"), total / 2);
    train_n_ = total - val;
    if (o_.integer("subset") > 0) train_n_ = std::min<std::int64_t>(train_n_, o_.integer("subset"));
    val_x_ = data_->train.images.slice(0, total - val, total);
    val_y_ = data_->train.labels.slice(0, total - val, total);
    const network::Shape in = data_->shape();
    const space::NasSpace adapted = e_.network_space->adapted(
        static_cast<int>(in.c), static_cast<int>(in.h), data_->train.classes);
    torch::manual_seed(e_.seed);
    supernet_ = std::make_shared<accuracy::Supernet>(adapted);
    supernet_->train();
    opt_ = std::make_unique<torch::optim::SGD>(supernet_->parameters(),
                                               torch::optim::SGDOptions(o_.number("lr"))
                                                   .momentum(o_.number("momentum"))
                                                   .weight_decay(o_.number("weight_decay"))
                                                   .nesterov(o_.number("momentum") > 0));
    search::StrategyContext c;
    c.dims = space_->dimensions();
    c.seed = e_.seed;
    c.options = e_.strategy_options;
    strategy_ = search::strategies().make(e_.strategy, c);
    relaxed_ = strategy_->relaxed();
    if (relaxed_) {
      if (run.objective().log_slopes(search::Measured{}).empty()) {
        throw InputError({e_.file, 0, 0}, "objective",
                         "strategy " + e_.strategy +
                             " descends the objective's slopes with respect "
                             "to latency, energy and area; objective '" +
                             e_.objective + "' gives none (use nahas)");
      }
      cost::RelaxedSpace rs;
      for (const auto& d : space_->dimensions()) rs.sizes.push_back(d.size());
      const auto& nas = *space_->nas_space();
      for (std::size_t l = 0; l < nas.layer_count(); ++l)
        rs.groups.push_back({nas.layer_name(l), nas.layer_decisions(l)});
      auto sp = space_;
      rs.decode = [sp](const std::vector<int>& x) {
        auto d = sp->decode(x);
        return std::make_pair(std::move(d.net), std::move(d.hw));
      };
      expected_ = run.cost_model().expected_cost(std::move(rs));
      if (!expected_) {
        throw InputError({e_.file, 0, 0}, "cost_model",
                         "strategy " + e_.strategy +
                             " differentiates the expected cost, which "
                             "cost model '" +
                             run.cost_model().name() +
                             "' does not offer; use "
                             "mlp-layer");
      }
    }
    order_.resize(static_cast<std::size_t>(train_n_));
    std::iota(order_.begin(), order_.end(), 0);
    rng_.seed(e_.seed);
    std::shuffle(order_.begin(), order_.end(), rng_);
  }

  search::Stage search() {
    if (run_.resuming()) restore();
    const long long every = o_.integer("checkpoint_every");
    if (step_ < steps_) {
      run_.log(
          fmt::format("oneshot: supernet of {} layers over {} ({:.3g} candidates), {} steps "
                      "of {} images ({} warm-up), strategy {}{}",
                      supernet_->layers(), space_->nas_space()->name(), space_->size(), steps_,
                      o_.integer("images"), warmup_, e_.strategy,
                      step_ > 0 ? fmt::format(", resumed at step {}", step_) : ""));
    }
    while (step_ < steps_) {
      StepRow row;
      row.step = step_;
      row.phase = step_ < warmup_ ? "warmup" : "search";
      row.loss = train_weights();
      if (step_ >= warmup_) {
        if (relaxed_) {
          relaxed_step(row);
        } else {
          reward_step(row);
        }
      }
      row.entropy = entropy_of(strategy_->distribution());
      rows_.push_back(row);
      ++step_;
      if (step_ % every == 0 || step_ == steps_) checkpoint();
      if (step_ % std::max<long long>(1, steps_ / 20) == 0) {
        run_.log(fmt::format(
            "oneshot: step {}/{}  loss {:.3f}  entropy {:.2f}  expected latency "
            "{:.3f} ms  shared accuracy {:.3f}  ({:.0f} s)",
            step_, steps_, row.loss, row.entropy, row.expected_ms, row.accuracy, run_.seconds()));
      }
    }
    return finish();
  }

 private:
  std::vector<int> nas_part(const Candidate& x) const {
    return {x.begin(), x.begin() + static_cast<long>(nas_dims_)};
  }
  torch::Tensor batch_of(const torch::Tensor& all, std::int64_t from, std::int64_t n) {
    return all.slice(0, from, from + n);
  }

  // One SGD step of the shared weights on the next training batch, along a
  // path the strategy samples (uniform during the warm-up); cosine schedule.
  double train_weights() {
    const auto images = o_.integer("images");
    if (cursor_ + images > train_n_) {
      std::shuffle(order_.begin(), order_.end(), rng_);
      cursor_ = 0;
    }
    const auto idx = torch::from_blob(order_.data() + cursor_, {images}, torch::kLong).clone();
    cursor_ += images;
    const torch::Tensor x = data_->train.images.index_select(0, idx);
    const torch::Tensor y = data_->train.labels.index_select(0, idx);
    const double lr =
        0.5 * o_.number("lr") *
        (1 + std::cos(M_PI * static_cast<double>(step_) / static_cast<double>(steps_)));
    for (auto& g : opt_->param_groups()) static_cast<torch::optim::SGDOptions&>(g.options()).lr(lr);
    const Candidate path = strategy_->ask(1).at(0);
    // No gradient at all, not a zero one, for the branches off the path:
    // SGD then leaves them alone (a zero gradient would still move them by
    // momentum and weight decay, and a resumed run, whose branches have no
    // gradients yet, would drift from an uninterrupted one).
    for (auto& p : supernet_->parameters()) p.mutable_grad() = torch::Tensor();
    const torch::Tensor loss =
        torch::nn::functional::cross_entropy(supernet_->forward(x, nas_part(path)), y);
    loss.backward();
    opt_->step();
    return loss.item<double>();
  }

  // The next validation batch (in order, wrapping).
  std::pair<torch::Tensor, torch::Tensor> val_batch() {
    const auto n = std::min<std::int64_t>(o_.integer("arch_images"), val_x_.size(0));
    if (val_cursor_ + n > val_x_.size(0)) val_cursor_ = 0;
    auto out = std::make_pair(batch_of(val_x_, val_cursor_, n), batch_of(val_y_, val_cursor_, n));
    val_cursor_ += n;
    return out;
  }

  double shared_accuracy(const Candidate& x, const torch::Tensor& vx, const torch::Tensor& vy) {
    torch::NoGradGuard g;
    const torch::Tensor pred = supernet_->forward(vx, nas_part(x)).argmax(1);
    return pred.eq(vy).to(torch::kDouble).mean().item<double>();
  }

  // Candidates scored with the shared weights and the cost model, rewarded
  // by the experiment's objective.
  std::vector<Evaluation> score(const std::vector<Candidate>& xs, const torch::Tensor& vx,
                                const torch::Tensor& vy) {
    std::vector<search::Decoded> decoded;
    std::vector<cost::Query> queries;
    std::vector<Evaluation> out(xs.size());
    for (const auto& x : xs) decoded.push_back(space_->decode(x));
    for (const auto& d : decoded) queries.push_back({&d.net, &d.hw});
    const auto metrics = run_.cost_model().evaluate(queries);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      Evaluation& ev = out[i];
      ev.x = xs[i];
      ev.key = search::SearchSpace::key(xs[i]);
      ev.description = space_->describe(xs[i]);
      ev.predicted = metrics[i];
      ev.model_latency_s = metrics[i].latency_s;
      ev.feasible = metrics[i].feasible;
      ev.reason = metrics[i].reason;
      ev.params = static_cast<double>(decoded[i].net.params());
      ev.macs = static_cast<double>(decoded[i].net.macs());
      ev.accuracy = shared_accuracy(xs[i], vx, vy);
      ev.reward = ev.feasible ? run_.objective().reward(ev.measured()) : 0;
    }
    return out;
  }

  // tunas: a batch of candidates rewarded on a validation batch.
  void reward_step(StepRow& row) {
    const auto [vx, vy] = val_batch();
    const auto xs = strategy_->ask(static_cast<int>(o_.integer("batch")));
    const auto evs = score(xs, vx, vy);
    std::vector<double> rewards;
    for (const auto& ev : evs) {
      rewards.push_back(ev.reward);
      row.reward += ev.reward / static_cast<double>(evs.size());
      row.accuracy += ev.accuracy / static_cast<double>(evs.size());
      row.expected_ms += ev.predicted.latency_s * 1e3 / static_cast<double>(evs.size());
    }
    strategy_->tell(xs, rewards);
  }

  // Where the expected cost expands: the distribution's most likely network
  // (its layers are exact in expectation anyway) and, per hardware field,
  // the choice at the distribution's mean index: the ordered values' centre
  // of mass, not a corner that an almost uniform distribution's argmax may
  // pick (a corner design may be infeasible, where the model's latency means
  // nothing, and first-order moves from it add up far out of range). A
  // dimension moves only when clearly past its current point (probability
  // ahead by kSwitch, mean index 0.6 away): every move costs featurizing
  // every branch again, and near-uniform choices would flip every step.
  Candidate expansion_point() {
    static constexpr double kSwitch = 0.02;
    const auto p = strategy_->distribution();
    const bool first = point_.size() != p.size();
    if (first) point_ = mode_of(p);
    for (std::size_t d = 0; d < p.size(); ++d) {
      auto& at = point_[d];
      if (d < nas_dims_) {
        const auto best =
            static_cast<int>(std::max_element(p[d].begin(), p[d].end()) - p[d].begin());
        if (p[d][best] > p[d][at] + kSwitch) at = best;
      } else {
        double mean = 0;
        for (std::size_t c = 0; c < p[d].size(); ++c) mean += static_cast<double>(c) * p[d][c];
        if (first || std::abs(mean - at) > 0.6) at = static_cast<int>(std::lround(mean));
      }
    }
    return point_;
  }

  // dnas: the loss's gradient with respect to the relaxed weights.
  void relaxed_step(StepRow& row) {
    const auto [vx, vy] = val_batch();
    const double progress =
        static_cast<double>(step_ - warmup_) / static_cast<double>(std::max(1LL, steps_ - warmup_));
    const auto w = relaxed_->weights(progress);
    std::vector<torch::Tensor> wt;
    for (std::size_t d = 0; d < nas_dims_; ++d)
      wt.push_back(torch::tensor(w[d], torch::kFloat32).requires_grad_(true));
    const torch::Tensor logits = supernet_->forward(vx, wt);
    const torch::Tensor ce = torch::nn::functional::cross_entropy(logits, vy);
    // Only the weights' gradient: the shared weights learn in train_weights().
    const auto grads = torch::autograd::grad({ce}, wt);
    row.accuracy = logits.argmax(1).eq(vy).to(torch::kDouble).mean().item<double>();
    std::vector<std::vector<double>> g(w.size());
    for (std::size_t d = 0; d < w.size(); ++d) g[d].assign(w[d].size(), 0.0);
    for (std::size_t d = 0; d < nas_dims_; ++d) {
      const torch::Tensor c = grads[d].to(torch::kDouble).contiguous();
      g[d].assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    }
    const cost::Expectation ex = expected_->evaluate(w, expansion_point());
    search::Measured m;
    m.latency_ms = std::exp(ex.log_latency_s) * 1e3;
    m.energy_mj = std::exp(ex.log_energy_j) * 1e3;
    m.area_mm2 = std::exp(ex.log_area_mm2);
    const double weight = o_.number("cost_weight");
    for (const auto& [metric, slope] : run_.objective().log_slopes(m)) {
      const auto& dm = metric == "latency_ms"  ? ex.d_latency
                       : metric == "energy_mj" ? ex.d_energy
                                               : ex.d_area;
      for (std::size_t d = 0; d < g.size(); ++d)
        for (std::size_t c = 0; c < g[d].size(); ++c) g[d][c] -= weight * slope * dm[d][c];
    }
    // log reward is -inf where the design is infeasible: its soft version,
    // log P(feasible), joins the loss with the same weight.
    for (std::size_t d = 0; d < g.size(); ++d)
      for (std::size_t c = 0; c < g[d].size(); ++c) g[d][c] -= weight * ex.d_feasible[d][c];
    relaxed_->descend(g);
    row.expected_ms = m.latency_ms;
    row.reward = run_.objective().reward([&] {
      search::Measured r = m;
      r.accuracy = row.accuracy;
      return r;
    }());
  }

  void checkpoint() {
    save_checkpoint(*supernet_, dir_ + "/supernet.pt");
    {
      torch::serialize::OutputArchive a;
      opt_->save(a);
      const std::string path = dir_ + "/optimizer.pt";
      try {
        a.save_to(path + ".tmp");
      } catch (const c10::Error&) {
        fs::remove(path + ".tmp");
        throw InputError({path, 0, 0}, "checkpoint", "cannot write the optimizer state");
      }
      fs::rename(path + ".tmp", path);
    }
    strategy_->save(dir_ + "/strategy.state");
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : rows_) rows.push_back(r.to_json());
    write_steps_csv();
    // Written last: a checkpoint counts once this file names its step.
    search::write_json_state(dir_ + "/checkpoint.json", {{"step", step_},
                                                         {"strategy", e_.strategy},
                                                         {"seed", e_.seed},
                                                         {"steps", steps_},
                                                         {"cursor", cursor_},
                                                         {"val_cursor", val_cursor_},
                                                         {"order", order_},
                                                         {"rng", search::rng_state(rng_)},
                                                         {"expansion_point", point_},
                                                         {"rows", rows}});
  }

  void restore() {
    const std::string path = dir_ + "/checkpoint.json";
    if (!fs::exists(path)) return;
    const nlohmann::json cp = search::read_json_state(path);
    if (cp.value("strategy", "") != e_.strategy || cp.value("seed", 0ULL) != e_.seed ||
        cp.value("steps", 0LL) != steps_) {
      throw InputError({path, 0, 0}, "resume",
                       "this directory holds a oneshot search with strategy '" +
                           cp.value("strategy", "") + "', seed " +
                           std::to_string(cp.value("seed", 0ULL)) + " and " +
                           std::to_string(cp.value("steps", 0LL)) +
                           " steps; run without --resume to start over");
    }
    accuracy::load_checkpoint(*supernet_, dir_ + "/supernet.pt", false, "the supernet");
    torch::serialize::InputArchive a;
    a.load_from(dir_ + "/optimizer.pt");
    opt_->load(a);
    strategy_->load(dir_ + "/strategy.state");
    step_ = cp.at("step");
    cursor_ = cp.at("cursor");
    val_cursor_ = cp.at("val_cursor");
    order_ = cp.at("order").get<std::vector<std::int64_t>>();
    search::set_rng_state(rng_, cp.at("rng"));
    point_ = cp.at("expansion_point").get<Candidate>();
    rows_.clear();
    for (const auto& r : cp.at("rows")) rows_.push_back(StepRow::from_json(r));
  }

  void write_steps_csv() const {
    std::string csv = "step,phase,entropy,expected_latency_ms,shared_accuracy,reward,loss\n";
    for (const auto& r : rows_) {
      csv += fmt::format("{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}\n", r.step, r.phase, r.entropy,
                         r.expected_ms, r.accuracy, r.reward, r.loss);
    }
    write_text(csv, run_.out() + "/steps.csv");
  }

  // The final distribution's samples and its mode, scored with the shared
  // weights; the best retrained from scratch.
  search::Stage finish() {
    const auto p = strategy_->distribution();
    std::vector<Candidate> xs{mode_of(p)};
    for (const auto& x : strategy_->ask(static_cast<int>(o_.integer("final_samples")))) {
      if (std::find(xs.begin(), xs.end(), x) == xs.end()) xs.push_back(x);
    }
    const auto n = std::min<std::int64_t>(o_.integer("final_images"), val_x_.size(0));
    search::Stage st;
    st.space = space_;
    st.history = score(xs, val_x_.slice(0, 0, n), val_y_.slice(0, 0, n));
    std::vector<const Evaluation*> ranked;
    for (const auto& ev : st.history) ranked.push_back(&ev);
    const search::Objective& obj = run_.objective();
    std::stable_sort(ranked.begin(), ranked.end(), [&](const Evaluation* a, const Evaluation* b) {
      const bool sa = a->feasible && obj.satisfied(a->measured()),
                 sb = b->feasible && obj.satisfied(b->measured());
      return sa != sb ? sa : a->reward > b->reward;
    });
    std::vector<Candidate> top;
    for (const auto* ev : ranked) {
      if (static_cast<long long>(top.size()) >= o_.integer("retrain")) break;
      top.push_back(ev->x);
    }
    run_.log(
        fmt::format("oneshot: {} final candidates scored with shared weights; retraining the "
                    "best {} from scratch ({})",
                    xs.size(), top.size(), e_.accuracy_evaluator));
    auto ev = run_.evaluator(*space_);
    st.pool = ev->evaluate(top);
    st.fresh = ev->fresh_evaluations();
    return st;
  }

  search::FlowRun& run_;
  const search::Experiment& e_;
  const Options& o_;
  std::shared_ptr<const search::SearchSpace> space_;
  std::size_t nas_dims_ = 0;
  long long steps_ = 0, warmup_ = 0, step_ = 0;
  int threads_ = 0;
  std::string dir_;
  const accuracy::Dataset* data_ = nullptr;
  std::int64_t train_n_ = 0, cursor_ = 0, val_cursor_ = 0;
  torch::Tensor val_x_, val_y_;
  std::shared_ptr<accuracy::Supernet> supernet_;
  std::unique_ptr<torch::optim::SGD> opt_;
  std::unique_ptr<search::Strategy> strategy_;
  search::RelaxedStrategy* relaxed_ = nullptr;
  std::unique_ptr<cost::ExpectedCost> expected_;
  std::vector<std::int64_t> order_;
  std::mt19937_64 rng_;
  std::vector<StepRow> rows_;
  Candidate point_;  // the expected cost's expansion point (dnas)
};

search::Stage OneshotFlow::run(search::FlowRun& run) {
  Oneshot s(run);
  return s.search();
}

}  // namespace

void register_oneshot_flow() {
  search::flows().add(
      {"oneshot",
       "weight-sharing supernet trained on the dataset while the strategy (tunas: REINFORCE; "
       "dnas: Gumbel-softmax through the supernet and the cost model) learns the joint "
       "distribution; the final samples' best retrained from scratch (NAHAS oneshot, FBNet)",
       {OptionDecl::integer("steps", 600, 1, 100000000, "supernet training steps"),
        OptionDecl::integer("images", 64, 2, 65536, "training images per step"),
        OptionDecl::number("warmup", 0.25, 0, 0.99,
                           "fraction of the steps that train only the shared weights, on paths "
                           "drawn from the strategy's initial, uniform distribution (TuNAS)"),
        OptionDecl::number("lr", 0.05, 1e-6, 10,
                           "peak SGD learning rate of the shared weights (cosine)"),
        OptionDecl::number("momentum", 0.9, 0, 0.999, "SGD momentum (Nesterov when > 0)"),
        OptionDecl::number("weight_decay", 4e-5, 0, 1, "SGD weight decay (TuNAS: 4e-5)"),
        accuracy::dataset_option("fashion-mnist"),
        OptionDecl::integer("subset", 0, 0, 1LL << 40,
                            "training images that train the weights (0: all but the held-out)"),
        OptionDecl::integer("val_images", 5000, 16, 1LL << 40,
                            "training images held out to score candidates with the shared "
                            "weights (at most half the set)"),
        OptionDecl::integer("arch_images", 64, 2, 65536, "held-out images per strategy update"),
        search::batch_option(),
        OptionDecl::number("cost_weight", 1.0, 0, 1000,
                           "dnas: scales the objective's slopes in the loss"),
        OptionDecl::integer("final_samples", 32, 0, 100000,
                            "candidates drawn from the learned distribution at the end (its most "
                            "likely one is always scored too)"),
        OptionDecl::integer("final_images", 2000, 16, 1LL << 40,
                            "held-out images that score the final candidates"),
        OptionDecl::integer("retrain", 3, 1, 1000,
                            "best final candidates retrained from scratch by the experiment's "
                            "accuracy evaluator"),
        OptionDecl::integer("checkpoint_every", 25, 1, 100000000, "steps between checkpoints"),
        accuracy::threads_option()},
       [] { return std::make_unique<OneshotFlow>(); }});
}

}  // namespace coda::plugins
