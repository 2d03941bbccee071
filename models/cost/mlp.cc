#include "models/cost/mlp.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "core/files.h"
#include "core/report.h"
#include "models/cost/cost_model.h"
#include "models/cost/early_stopping.h"
#include "models/cost/featurizer.h"
#include "models/cost/layer_features.h"
#include "sim/accelerator.h"

namespace coda::cost {
namespace {

struct Net : torch::nn::Module {
  Net(int64_t in, int64_t hidden, int layers, double dropout) : p(dropout) {
    for (int i = 0; i < layers; ++i) {
      trunk.push_back(register_module("fc" + std::to_string(i),
                                      torch::nn::Linear(i == 0 ? in : hidden, hidden)));
    }
    reg = register_module("reg", torch::nn::Linear(hidden, 3));
    feas = register_module("feas", torch::nn::Linear(hidden, 1));
  }
  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor h) {
    for (auto& fc : trunk) h = torch::dropout(torch::relu(fc->forward(h)), p, is_training());
    return {reg->forward(h), feas->forward(h).squeeze(1)};
  }
  std::vector<torch::nn::Linear> trunk;
  torch::nn::Linear reg{nullptr}, feas{nullptr};
  double p;
};

std::string meta_path(const std::string& model) {
  return model + ".json";
}

// The exported TorchScript module: normalisation, trunk and heads in one
// forward(x) -> [latency_s, energy_j, area_mm2, p_feasible].
void export_torchscript(Net& net, const torch::Tensor& x_mean, const torch::Tensor& x_std,
                        const torch::Tensor& y_mean, const torch::Tensor& y_std,
                        const std::string& path) {
  torch::jit::Module m("CodaCostMLP");
  m.register_buffer("y_mean", y_mean.clone());
  m.register_buffer("y_std", y_std.clone());
  std::ostringstream src;
  src << "def forward(self, x):\n    h = x\n";
  for (std::size_t i = 0; i < net.trunk.size(); ++i) {
    torch::Tensor w = net.trunk[i]->weight.detach().clone();
    torch::Tensor b = net.trunk[i]->bias.detach().clone();
    if (i == 0) {
      // Fold the input standardisation into the first layer: one matmul,
      // no elementwise pass over the (wide) feature rows.
      w = w / x_std.unsqueeze(0);
      b = b - torch::matmul(w, x_mean);
    }
    m.register_buffer("w" + std::to_string(i), w.t().contiguous());
    m.register_buffer("b" + std::to_string(i), b);
    src << "    h = torch.relu_(torch.addmm(self.b" << i << ", h, self.w" << i << "))\n";
  }
  m.register_buffer("wr", net.reg->weight.detach().t().contiguous());
  m.register_buffer("br", net.reg->bias.detach().clone());
  m.register_buffer("wf", net.feas->weight.detach().t().contiguous());
  m.register_buffer("bf", net.feas->bias.detach().clone());
  // Predictions far outside the training range are clamped, not overflowed.
  src << "    r = torch.clamp(torch.addmm(self.br, h, self.wr) * self.y_std + self.y_mean, -60.0, "
         "60.0)\n"
      << "    p = torch.sigmoid(torch.addmm(self.bf, h, self.wf))\n"
      << "    return torch.cat([torch.exp(r), p], 1)\n";
  m.define(src.str());
  std::ostringstream bytes;
  m.save(bytes);
  write_text(bytes.str(), path);  // atomic, and a failed write is an error
}

}  // namespace

TrainReport train_mlp(const TrainData& data, const TrainOptions& o) {
  const auto t_start = std::chrono::steady_clock::now();
  if (data.n < 10)
    throw InputError({}, "--data", "needs at least 10 samples, has " + std::to_string(data.n));
  // A model that cannot be written is found before the training, not after.
  check_output_file(o.out, "--out");
  torch::manual_seed(o.seed);
  at::set_num_threads(o.threads);
  const auto n = static_cast<int64_t>(data.n), f = static_cast<int64_t>(data.f);

  // Deterministic train/validation split.
  std::vector<int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed);
  std::shuffle(order.begin(), order.end(), rng);
  const auto n_val =
      std::max<int64_t>(1, static_cast<int64_t>(o.val_fraction * static_cast<double>(n)));
  const std::vector<int64_t> val_idx(order.begin(), order.begin() + n_val);
  const std::vector<int64_t> train_idx(order.begin() + n_val, order.end());

  torch::Tensor x =
      torch::from_blob(const_cast<float*>(data.x.data()), {n, f}, torch::kFloat32).clone();
  torch::Tensor y = torch::zeros({n, 3}, torch::kFloat32);
  torch::Tensor feas =
      torch::from_blob(const_cast<float*>(data.feasible.data()), {n}, torch::kFloat32).clone();
  auto ya = y.accessor<float, 2>();
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) {
      const double t = data.targets[static_cast<std::size_t>(i * 3 + k)];
      ya[i][k] = data.feasible[static_cast<std::size_t>(i)] > 0 && t > 0
                     ? static_cast<float>(std::log(t))
                     : 0.0f;
    }
  }
  const auto ti = torch::tensor(train_idx, torch::kInt64),
             vi = torch::tensor(val_idx, torch::kInt64);
  const torch::Tensor x_train = x.index_select(0, ti);
  const torch::Tensor x_mean = x_train.mean(0);
  // Features constant in training keep scale 1: out-of-family networks then
  // move them by their raw amount instead of exploding.
  torch::Tensor x_std = x_train.std(0);
  x_std = torch::where(x_std < 1e-6, torch::ones_like(x_std), x_std);
  const torch::Tensor feas_train = feas.index_select(0, ti);
  const torch::Tensor feasible_rows = feas_train > 0.5;
  const torch::Tensor y_feas = y.index_select(0, ti).index({feasible_rows});
  const torch::Tensor y_mean = y_feas.size(0) > 0 ? y_feas.mean(0) : torch::zeros({3});
  const torch::Tensor y_std = y_feas.size(0) > 1 ? y_feas.std(0).clamp_min(1e-3) : torch::ones({3});
  const torch::Tensor xn = (x - x_mean) / x_std;
  const torch::Tensor yn = (y - y_mean) / y_std;

  Net net(f, o.hidden, o.layers, o.dropout);
  torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(o.lr));
  const torch::Tensor weights =
      torch::tensor({static_cast<float>(o.lambda), static_cast<float>(o.lambda), 1.0f});
  auto loss_of = [&](const torch::Tensor& idx) {
    auto [reg, logit] = net.forward(xn.index_select(0, idx));
    const torch::Tensor mask = feas.index_select(0, idx);
    const torch::Tensor err = (reg - yn.index_select(0, idx)).pow(2) * mask.unsqueeze(1);
    const torch::Tensor mse = err.sum(0) / mask.sum().clamp_min(1);
    return (mse * weights).sum() + torch::binary_cross_entropy_with_logits(logit, mask);
  };

  TrainReport rep;
  rep.train_samples = train_idx.size();
  rep.val_samples = val_idx.size();
  rep.best_val_loss = 1e300;
  EarlyStopping stopping(o.patience);
  std::vector<int64_t> shuffled = train_idx;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    net.train();
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    double train_loss = 0;
    int batches = 0;
    for (std::size_t s = 0; s < shuffled.size(); s += static_cast<std::size_t>(o.batch)) {
      const std::size_t e = std::min(shuffled.size(), s + static_cast<std::size_t>(o.batch));
      const auto idx = torch::tensor(std::vector<int64_t>(shuffled.begin() + static_cast<long>(s),
                                                          shuffled.begin() + static_cast<long>(e)),
                                     torch::kInt64);
      opt.zero_grad();
      torch::Tensor loss = loss_of(idx);
      loss.backward();
      opt.step();
      train_loss += loss.item<double>();
      ++batches;
    }
    net.eval();
    torch::NoGradGuard no_grad;
    const double val_loss = loss_of(vi).item<double>();
    if (o.log) {
      char line[160];
      std::snprintf(line, sizeof line, "epoch %3d  train loss %.5f  val loss %.5f%s", epoch,
                    train_loss / std::max(1, batches), val_loss,
                    val_loss < rep.best_val_loss ? "  *" : "");
      o.log(line);
    }
    if (!stopping.next(epoch, val_loss, net, opt, rep)) break;
  }
  stopping.restore(net);
  export_torchscript(net, x_mean, x_std, y_mean, y_std, o.out);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  nlohmann::json meta = {{"format", "coda-mlp/1"},
                         {"featurizer_version", data.featurizer_version},
                         {"feature_names", data.feature_names},
                         {"hidden", o.hidden},
                         {"layers", o.layers},
                         {"dropout", o.dropout},
                         {"lambda", o.lambda},
                         {"seed", o.seed},
                         {"epochs_run", rep.epochs_run},
                         {"best_epoch", rep.best_epoch},
                         {"best_val_loss", rep.best_val_loss},
                         {"train_samples", rep.train_samples},
                         {"val_samples", rep.val_samples}};
  write_json(meta, meta_path(o.out));
  return rep;
}

struct MlpModel::Impl {
  torch::jit::Module module;
  std::size_t features = 0;
  int version = 0;
  // The exported buffers, read once: inference runs them directly, without
  // the TorchScript interpreter's per-op cost (a single query is ~10 ops).
  std::vector<torch::Tensor> w, b;
  torch::Tensor heads_w, heads_b;  // [hidden x 4]: three regression heads and the feasibility head
  float y_mean[3], y_std[3];
  // The single-query path's state: the previous query and its first-layer
  // pre-activation (so predict() is not safe to call from two threads).
  std::vector<float> last_x, last_h0;
  int since_full = 0;
  // Metrics from the four outputs of one row.
  MlpPrediction finish(const float* a) const;
};

MlpModel::MlpModel(const std::string& path) : impl_(new Impl) {
  std::ifstream meta_in(meta_path(path));
  if (!meta_in) {
    delete impl_;
    throw InputError({meta_path(path), 0, 0}, "cost-model",
                     "missing model metadata (written by coda train)");
  }
  const auto meta = nlohmann::json::parse(meta_in, nullptr, false);
  try {
    impl_->module = torch::jit::load(path);
  } catch (const std::exception& e) {
    delete impl_;
    throw InputError({path, 0, 0}, "cost-model",
                     std::string("cannot load TorchScript model: ") + e.what());
  }
  impl_->module.eval();
  impl_->features = meta.value("feature_names", nlohmann::json::array()).size();
  impl_->version = meta.value("featurizer_version", 0);
  const int layers = meta.value("layers", 0);
  auto buffer = [&](const std::string& name) { return impl_->module.attr(name).toTensor(); };
  for (int i = 0; i < layers; ++i) {
    impl_->w.push_back(buffer("w" + std::to_string(i)));
    impl_->b.push_back(buffer("b" + std::to_string(i)));
  }
  impl_->heads_w = torch::cat({buffer("wr"), buffer("wf")}, 1).contiguous();
  impl_->heads_b = torch::cat({buffer("br"), buffer("bf")}, 0).contiguous();
  const torch::Tensor ym = buffer("y_mean").contiguous(), ys = buffer("y_std").contiguous();
  for (int k = 0; k < 3; ++k) {
    impl_->y_mean[k] = ym[k].item<float>();
    impl_->y_std[k] = ys[k].item<float>();
  }
}

MlpModel::~MlpModel() {
  delete impl_;
}
std::size_t MlpModel::features() const {
  return impl_->features;
}
int MlpModel::featurizer_version() const {
  return impl_->version;
}

namespace {

// out[c] = relu(b[c] + sum_k h[k] * w[k][c]) for a row-major [in x out] w:
// the inner loop runs over contiguous outputs, which the compiler vectorises.
// y += a * x; cloned like dense_relu below.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void add_scaled(float a, const float* x,
                                                                            float* y,
                                                                            std::size_t n) {
  for (std::size_t c = 0; c < n; ++c) y[c] += a * x[c];
}

// Cloned for AVX2+FMA (chosen at load time when the CPU has them): the
// default x86-64 build vectorises 4 floats at a time, AVX2 8.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void dense_relu(
    const float* h, std::size_t in, const float* w, const float* b, std::size_t out, float* dst,
    bool relu) {
  std::copy(b, b + out, dst);
  for (std::size_t k = 0; k < in; ++k) {
    const float hk = h[k];
    if (hk == 0.0f) continue;
    const float* row = w + k * out;
    for (std::size_t c = 0; c < out; ++c) dst[c] += hk * row[c];
  }
  if (relu) {
    for (std::size_t c = 0; c < out; ++c) dst[c] = std::max(dst[c], 0.0f);
  }
}

}  // namespace

MlpPrediction MlpModel::Impl::finish(const float* a) const {
  double v[3];
  for (int j = 0; j < 3; ++j)
    v[j] = std::exp(std::clamp(a[j] * y_std[j] + y_mean[j], -60.0f, 60.0f));
  return {v[0], v[1], v[2], 1.0 / (1.0 + std::exp(-static_cast<double>(a[3])))};
}

std::vector<MlpPrediction> MlpModel::predict(const std::vector<float>& x, std::size_t n) const {
  Impl& m = *impl_;
  const auto hidden = static_cast<std::size_t>(m.w[0].size(1));
  if (n == 1) {
    // One query, in plain loops (a torch op costs microseconds of overhead).
    // The first layer is updated from the previous query's by the features
    // that changed (a search's consecutive candidates share most of them),
    // and recomputed in full every 256 queries so rounding cannot drift.
    if (m.last_x.size() != m.features || ++m.since_full >= 256) {
      m.last_x.assign(m.features, 0.0f);
      m.last_h0.assign(m.b[0].data_ptr<float>(), m.b[0].data_ptr<float>() + hidden);
      m.since_full = 0;
    }
    const float* w0 = m.w[0].data_ptr<float>();
    for (std::size_t j = 0; j < m.features; ++j) {
      const float d = x[j] - m.last_x[j];
      if (d == 0.0f) continue;
      add_scaled(d, w0 + j * hidden, m.last_h0.data(), hidden);
      m.last_x[j] = x[j];
    }
    std::vector<float> h(hidden), next(hidden);
    for (std::size_t c = 0; c < hidden; ++c) h[c] = std::max(m.last_h0[c], 0.0f);
    for (std::size_t i = 1; i < m.w.size(); ++i) {
      dense_relu(h.data(), hidden, m.w[i].data_ptr<float>(), m.b[i].data_ptr<float>(), hidden,
                 next.data(), true);
      h.swap(next);
    }
    float out[4];
    dense_relu(h.data(), hidden, m.heads_w.data_ptr<float>(), m.heads_b.data_ptr<float>(), 4, out,
               false);
    return {m.finish(out)};
  }
  torch::NoGradGuard no_grad;
  // One OpenMP thread for the batch: OpenBLAS threads the GEMMs itself, and
  // OpenMP threads beside its own make them several times slower (per row,
  // 2.2 us on one OpenMP thread, 11.6 us on two).
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const torch::Tensor in = torch::from_blob(
      const_cast<float*>(x.data()), {static_cast<int64_t>(n), static_cast<int64_t>(m.features)},
      torch::kFloat32);
  // Features equal in every row of the batch (padded layer slots, one-hot
  // entries of ops the batch never uses, the layers every candidate of a
  // space shares) add the same to every row: folded into the bias once, the
  // first layer's GEMM runs on the varying features only. Exact, as the
  // exported forward() computes.
  // (A plain loop: the tensor comparison cost twice the GEMMs.)
  std::vector<char> varies(m.features, 0);
  for (std::size_t i = 1; i < n; ++i) {
    const float* row = x.data() + i * m.features;
    for (std::size_t j = 0; j < m.features; ++j) varies[j] |= row[j] != x[j];
  }
  std::vector<int64_t> var, cst;
  for (std::size_t j = 0; j < m.features; ++j) {
    if (varies[j]) {
      var.push_back(static_cast<int64_t>(j));
    } else if (x[j] != 0.0f) {
      cst.push_back(static_cast<int64_t>(j));
    }
  }
  const torch::Tensor var_idx = torch::tensor(var, torch::kInt64);
  const torch::Tensor const_idx = torch::tensor(cst, torch::kInt64);
  const torch::Tensor bias =
      torch::addmv(m.b[0], m.w[0].index_select(0, const_idx).t(), in[0].index_select(0, const_idx));
  torch::Tensor xv = torch::empty({static_cast<int64_t>(n), static_cast<int64_t>(var.size())});
  {
    float* dst = xv.data_ptr<float>();
    for (std::size_t i = 0; i < n; ++i) {
      const float* row = x.data() + i * m.features;
      for (std::size_t k = 0; k < var.size(); ++k) *dst++ = row[static_cast<std::size_t>(var[k])];
    }
  }
  const torch::Tensor w0v = m.w[0].index_select(0, var_idx);
  torch::Tensor h = torch::addmm(bias, xv, w0v).relu_();
  for (std::size_t i = 1; i < m.w.size(); ++i) h = torch::addmm(m.b[i], h, m.w[i]).relu_();
  const torch::Tensor out = torch::addmm(m.heads_b, h, m.heads_w).contiguous();
  const float* a = out.data_ptr<float>();
  std::vector<MlpPrediction> r(n);
  for (std::size_t i = 0; i < n; ++i) r[i] = m.finish(a + 4 * i);
  at::set_num_threads(threads);
  return r;
}

namespace {

class MlpCostModel : public CostModel {
 public:
  MlpCostModel(const std::string& path, const std::string& arch)
      : path_(path), model_(path), featurizer_(sim::accelerator(arch).params()) {
    if (model_.featurizer_version() != featurizer_.version() ||
        model_.features() != featurizer_.size()) {
      throw InputError({path, 0, 0}, "cost-model",
                       "model was trained on featurizer v" +
                           std::to_string(model_.featurizer_version()) + " with " +
                           std::to_string(model_.features()) + " features; this build has v" +
                           std::to_string(featurizer_.version()) + " with " +
                           std::to_string(featurizer_.size()));
    }
  }
  std::string name() const override { return "mlp"; }
  bool prefers_one_batch() const override { return true; }
  std::string source() const override { return "mlp:" + path_; }
  std::vector<Metrics> evaluate(const std::vector<Query>& batch) override {
    std::vector<float> x;
    x.reserve(batch.size() * featurizer_.size());
    for (const auto& q : batch) {
      const auto f = featurizer_.features(*q.net, *q.hw);
      x.insert(x.end(), f.begin(), f.end());
    }
    std::vector<Metrics> out;
    for (const auto& p : model_.predict(x, batch.size())) {
      out.push_back({p.p_feasible >= 0.5, p.p_feasible >= 0.5 ? "" : "predicted infeasible",
                     p.latency_s, p.energy_j, p.area_mm2});
    }
    return out;
  }

 private:
  std::string path_;
  MlpModel model_;
  Featurizer featurizer_;
};

}  // namespace

TrainReport train_mlp_on_dataset(const std::string& dir, const TrainOptions& opts) {
  const auto t0 = std::chrono::steady_clock::now();
  const TrainData data = load_train_data(dir);
  if (opts.log) {
    opts.log(
        fmt::format("train: {} samples x {} features ({:.1f} s to featurize)", data.n, data.f,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
  }
  return train_mlp(data, opts);
}

std::string ensure_trained(const CostModelContext& c, const std::string& kind,
                           const std::string& settings, const CachedTrainer& train) {
  const Options& o = c.options;
  const std::string space = o.text("space");
  if (space.empty()) {
    throw InputError(o.where("space"), "cost_model_training",
                     "cost model '" + kind + "' without a model file (" + kind +
                         ":FILE) trains one: give cost_model_training: {space: <joint space>, "
                         "...}");
  }
  std::string space_text;
  {
    std::ifstream in(space);
    if (!in) throw InputError(o.where("space"), "space", "cannot open " + space);
    space_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const long long samples = o.integer("samples");
  const int epochs = static_cast<int>(o.integer("epochs"));
  const int workers = static_cast<int>(o.integer("workers"));
  // The dataset format and the featurizers' versions are in the key: a cache
  // built by an older coda is not resumed into a newer format.
  const std::uint64_t h = fnv1a64(fmt::format(
      "{}|{}|{}|{}|{}|{}|dataset/2|{}|{}|features/{}.{}", CODA_VERSION, c.arch, space_text, samples,
      epochs, c.seed, kind, settings, kFeaturizerVersion, kLayerFeaturizerVersion));
  const std::string dir = fmt::format("{}/{}-{:016x}", cache_dir(kind), c.arch, h);
  const std::string model = dir + "/model.pt";
  if (std::filesystem::exists(model)) {
    std::cerr << kind << ": reusing the cost model " << model << "\n";
    return model;
  }
  std::filesystem::create_directories(dir);
  std::cerr << fmt::format("{}: building the cost model in {} ({} samples, {} epochs)\n", kind, dir,
                           samples, epochs);
  DatasetJob job;
  job.arch = c.arch;
  job.space = space;
  job.out = dir + "/data";
  job.samples = samples;
  job.workers = workers;
  job.seed = c.seed;
  job.resume = std::filesystem::exists(job.out + "/schema.json");
  run_dataset_job(job);
  const auto t0 = std::chrono::steady_clock::now();
  train(job.out, model + ".partial", epochs, c.seed, workers);
  std::filesystem::rename(model + ".partial.json", model + ".json");
  std::filesystem::rename(model + ".partial", model);
  std::cerr << fmt::format(
      "{}: trained in {:.1f} s\n", kind,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return model;
}

std::vector<OptionDecl> cached_training_options(long long epochs) {
  return {OptionDecl::path("space", "", "joint space whose samples train the model (plain spec)"),
          OptionDecl::integer("samples", 20000, 100, 100000000, "simulated training samples"),
          OptionDecl::integer("epochs", epochs, 1, 10000, "training epochs"),
          OptionDecl::integer("workers", 2, 1, 256,
                              "worker processes for the dataset, threads for training")};
}

void register_mlp_cost_model() {
  cost_models().add(
      {"mlp",
       "the learned MLP (NAHAS §3.5.2): mlp:FILE loads a model from `coda train`; plain mlp "
       "trains one on simulated samples of `space` (cached)",
       cached_training_options(20), [](const CostModelContext& c) {
         const auto trainer = [](const std::string& data, const std::string& out, int epochs,
                                 unsigned long long seed, int threads) {
           TrainOptions opts;
           opts.out = out;
           opts.epochs = epochs;
           opts.seed = seed;
           opts.threads = threads;
           opts.log = [](const std::string& line) { std::cerr << line << "\n"; };
           train_mlp(load_train_data(data), opts);
         };
         return std::make_unique<MlpCostModel>(
             c.arg.empty() ? ensure_trained(c, "mlp", "", trainer) : c.arg, c.arch);
       }});
}

}  // namespace coda::cost
