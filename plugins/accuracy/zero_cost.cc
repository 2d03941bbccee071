// Zero-cost proxies at initialisation, on one batch:
//  - NASWOT (Mellor et al., ICML 2021): the log-determinant of the kernel
//    K = C C^T + (1-C)(1-C)^T of the batch's binary activation codes C (one
//    bit per unit of every activation's input: > 0);
//  - synflow (Tanaka et al., NeurIPS 2020): sum |theta * dR/dtheta| with
//    R = sum(f(1; |theta|)), in double precision, batch-norm at its identity
//    initial statistics, activations linearised (see TorchNet).
// Scores map to an accuracy through a linear fit against trained accuracy
// (configs/accuracy/zero_cost_fit.csv, written by `build/bench/accuracy_bench tau N SUBSET`).
#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>
#include <random>

#include "core/error.h"
#include "core/text.h"
#include "models/network/yaml_io.h"
#include "plugins/accuracy/evaluators.h"
#include "plugins/accuracy/trainer.h"
#include "plugins/accuracy/zero_cost.h"

namespace coda::accuracy {

double naswot_score(TorchNet& net, const torch::Tensor& batch) {
  torch::NoGradGuard g;
  net.train();  // batch statistics, as the paper's code does
  const auto b = batch.size(0);
  torch::Tensor k = torch::zeros({b, b}, torch::kDouble);
  net.on_activation = [&](const std::string&, const torch::Tensor& pre) {
    auto c = (pre > 0).reshape({b, -1}).to(torch::kDouble);
    k += torch::matmul(c, c.t()) + torch::matmul(1 - c, (1 - c).t());
  };
  net.forward(batch);
  net.on_activation = nullptr;
  return std::get<1>(torch::slogdet(k)).item<double>();
}

double synflow_score(TorchNet& net, const network::Shape& input) {
  net.to(torch::kDouble);
  net.eval();
  net.linear_activations = true;
  {
    torch::NoGradGuard g;
    for (auto& p : net.parameters()) p.abs_();
  }
  net.zero_grad();
  auto x = torch::ones({1, input.c, input.h, input.w}, torch::kDouble);
  net.forward(x).sum().backward();
  double score = 0;
  for (auto& p : net.parameters()) {
    if (p.grad().defined()) score += (p * p.grad()).abs().sum().item<double>();
  }
  net.to(torch::kFloat);
  net.linear_activations = false;
  return score;
}

namespace {

struct Fit {
  double a = 0, b = 0;
  std::string source;
};

// The proxy value the fit is linear in: NASWOT is already a log; synflow
// spans tens of decades, so its log.
double fit_input(const std::string& proxy, double score) {
  return proxy == "synflow" ? std::log(std::max(score, 1e-300)) : score;
}

// Rows: dataset,proxy,batch,a,b,networks,kendall_tau,source. NASWOT's
// log-determinant grows with the batch, so a fit holds for one batch size.
Fit load_fit(const std::string& path, const std::string& dataset, const std::string& proxy,
             int batch) {
  std::ifstream in(path);
  if (!in) throw InputError({path, 0, 0}, "calibration", "cannot open the zero-cost fit file");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 || trim(line).empty() || line[0] == '#') continue;
    auto cells = csv_split(line);
    if (!cells || cells->size() < 5) {
      throw InputError({path, n, 0}, "calibration", "expected dataset,proxy,batch,a,b,...");
    }
    if ((*cells)[0] == dataset && (*cells)[1] == proxy && (*cells)[2] == std::to_string(batch)) {
      auto a = parse_double((*cells)[3]);
      auto b = parse_double((*cells)[4]);
      if (!a || !b) throw InputError({path, n, 0}, "calibration", "a and b must be numbers");
      return {*a, *b, path + ":" + std::to_string(n)};
    }
  }
  throw InputError(
      {path, 0, 0}, "calibration",
      "no fit for proxy '" + proxy + "' on " + dataset + " with batch " + std::to_string(batch) +
          "; fit one with `build/bench/accuracy_bench tau N SUBSET` (bench/RESULTS.md)");
}

class ZeroCostEvaluator : public AccuracyEvaluator {
 public:
  explicit ZeroCostEvaluator(const Options& o)
      : dataset_(parse_dataset(o.text("dataset"), o.where("dataset"))),
        proxy_(o.text("proxy")),
        budget_(Budget::from(o)),
        cache_(o.text("cache")) {
    fit_ =
        load_fit(o.text("calibration").empty() ? default_calibration_path() : o.text("calibration"),
                 dataset_.name, proxy_, budget_.batch);
  }
  std::string name() const override { return "zero-cost"; }

  Result evaluate(const network::Network& net) override {
    const std::string hash = network::network_hash(net);
    const std::string key = fmt_key(hash);
    std::optional<double> cached_score;
    if (auto hit = cache_.get(key)) cached_score = hit->score;
    const auto start = std::chrono::steady_clock::now();
    const ZeroCostScores s =
        cached_score ? ZeroCostScores{} : zero_cost_scores(net, dataset_, budget_, proxy_);
    const double score = cached_score ? *cached_score : proxy_ == "synflow" ? s.synflow : s.naswot;
    Result r;
    r.evaluator = "zero-cost";
    r.dataset = dataset_.name;
    r.score = score;
    r.accuracy = std::clamp(fit_.a + fit_.b * fit_input(proxy_, score), 0.0, 1.0);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.cached = cached_score.has_value();
    r.extra = {{"proxy", proxy_}, {"calibration", fit_.source}, {"network_hash", hash}};
    if (!cached_score) cache_.put(key, r);
    return r;
  }

 private:
  // The raw score depends on the network, data, proxy, batch and seed; the
  // fit is applied on every read, so a new calibration needs no new scores.
  std::string fmt_key(const std::string& hash) const {
    return hash + "-zc-" + proxy_ + "-" + dataset_.name + "-b" + std::to_string(budget_.batch) +
           "-s" + std::to_string(budget_.seed);
  }
  DatasetSpec dataset_;
  std::string proxy_;
  Budget budget_;
  ResultCache cache_;
  Fit fit_;
};

}  // namespace

ZeroCostScores zero_cost_scores(const network::Network& net, const DatasetSpec& dataset,
                                const Budget& budget, const std::string& only) {
  keep_freed_memory();
  const Dataset& d = load_dataset(dataset);
  if (budget.threads > 0) torch::set_num_threads(budget.threads);
  torch::manual_seed(budget.seed);
  TorchNet model(adapt_to(net, d));
  init_weights(model);
  // One batch drawn with the seed.
  std::mt19937_64 rng(budget.seed);
  std::uniform_int_distribution<std::int64_t> pick(0, d.train.images.size(0) - 1);
  std::vector<std::int64_t> idx(static_cast<std::size_t>(std::max(2, budget.batch)));
  for (auto& i : idx) i = pick(rng);
  auto batch = d.train.images.index_select(
      0, torch::from_blob(idx.data(), {static_cast<std::int64_t>(idx.size())}, torch::kLong));
  ZeroCostScores s;
  if (only != "synflow") s.naswot = naswot_score(model, batch);
  if (only != "naswot") s.synflow = synflow_score(model, d.shape());
  return s;
}

void register_zero_cost_evaluator() {
  evaluators().add(
      {"zero-cost",
       "NASWOT or synflow at initialisation on one batch, mapped to accuracy by a fit against "
       "`train` (configs/accuracy/zero_cost_fit.csv)",
       {dataset_option("fashion-mnist"),
        OptionDecl::choice("proxy", "naswot", {"naswot", "synflow"}, "zero-cost proxy"),
        OptionDecl::integer("batch", kZeroCostBatch, 2, 65536,
                            "images in the scored batch (the fit is per batch size)"),
        threads_option(), seed_option(),
        OptionDecl::path("calibration", "",
                         "score-to-accuracy fit CSV (\"\": configs/accuracy/zero_cost_fit.csv)"),
        cache_option()},
       [](const Options& o) { return std::make_unique<ZeroCostEvaluator>(o); }});
}

}  // namespace coda::accuracy
