#include "models/cost/layer_model.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "core/report.h"
#include "models/cost/dataset.h"
#include "models/cost/early_stopping.h"
#include "models/cost/jobs.h"
#include "models/space/joint_space.h"
#include "sim/accelerator.h"

namespace coda::cost {
namespace {

constexpr const char* kFormat = "coda-mlp-layer/1";

std::string meta_path(const std::string& model) {
  return model + ".json";
}

// K independent MLPs evaluated at once: weights stacked [K, in, out], so a
// member's layer is one slice of a batched matrix product.
struct Stack {
  std::vector<torch::Tensor> w, b;
  torch::Tensor forward(torch::Tensor h) const {  // h [K, R, in] -> [K, R, out]
    for (std::size_t j = 0; j < w.size(); ++j) {
      h = torch::baddbmm(b[j], h, w[j]);
      if (j + 1 < w.size()) h = torch::relu(h);
    }
    return h;
  }
  // The same for an input every member shares, x [R, in]: the members'
  // first layers are one matrix product with their weights side by side,
  // not K products over K copies of the input.
  torch::Tensor forward_shared(const torch::Tensor& x) const {
    const int64_t k = w[0].size(0), in = w[0].size(1), out0 = w[0].size(2);
    torch::Tensor h = torch::mm(x, w[0].permute({1, 0, 2}).reshape({in, k * out0}))
                          .view({x.size(0), k, out0})
                          .permute({1, 0, 2}) +
                      b[0];
    for (std::size_t j = 1; j < w.size(); ++j) h = torch::baddbmm(b[j], torch::relu(h), w[j]);
    return h;
  }
};

Stack make_stack(torch::nn::Module& m, const std::string& name, int64_t k, int64_t in,
                 int64_t hidden, int layers, int64_t out) {
  Stack s;
  for (int j = 0; j <= layers; ++j) {
    const int64_t a = j == 0 ? in : hidden, z = j == layers ? out : hidden;
    // Kaiming-uniform like torch::nn::Linear, per member.
    const double bound = 1.0 / std::sqrt(static_cast<double>(a));
    s.w.push_back(m.register_parameter(name + "_w" + std::to_string(j),
                                       torch::empty({k, a, z}).uniform_(-bound, bound)));
    s.b.push_back(m.register_parameter(name + "_b" + std::to_string(j),
                                       torch::empty({k, 1, z}).uniform_(-bound, bound)));
  }
  return s;
}

// The normalisation every member shares, fixed at training time.
struct Norm {
  torch::Tensor lx_mean, lx_std, nx_mean, nx_std;
  // log-latency of a layer, of a network; log energy; log area.
  float yl_m = 0, yl_s = 1, yn_m = 0, yn_s = 1, ye_m = 0, ye_s = 1, ya_m = 0, ya_s = 1;
  float calibration = 1;
};

struct Ensemble : torch::nn::Module {
  Ensemble(int64_t k, int64_t lf, int64_t nf, int64_t hidden, int layers) : k(k) {
    layer = make_stack(*this, "layer", k, lf, hidden, layers, 2);
    head = make_stack(*this, "head", k, nf + 1, hidden, layers, 4);
  }
  struct Out {
    torch::Tensor mu, gate_logit;                     // [K, R]: layer log latency, gate
    torch::Tensor log_lat, log_e, log_a, feas_logit;  // [K, N]
  };
  // `mask` [R] (1 where the layer is a group of its own, 0 where it is not,
  // -1 where not known) replaces the gate where known: training sums the
  // layers the simulator reported.
  Out forward(const torch::Tensor& lx, const torch::Tensor& seg, const torch::Tensor& nx,
              const Norm& n, const torch::Tensor& mask = {}) const {
    Out o;
    rows(lx, n, o);
    const torch::Tensor gate = (o.gate_logit > 0).to(lx.scalar_type());
    const torch::Tensor use =
        mask.defined() ? torch::where(mask.unsqueeze(0) >= 0, mask.unsqueeze(0), gate) : gate;
    const torch::Tensor sum = torch::zeros({k, nx.size(0)}, lx.options())
                                  .index_add_(1, seg, torch::exp(o.mu.clamp(-60, 20)) * use);
    head_of(sum, nx, n, o);
    return o;
  }
  // The per-layer part: o.mu and o.gate_logit of rows `lx` [R, F].
  void rows(const torch::Tensor& lx, const Norm& n, Out& o) const {
    const auto t = lx.scalar_type();
    const torch::Tensor hl = layer.forward_shared((lx - n.lx_mean.to(t)) / n.lx_std.to(t));
    o.mu = hl.select(2, 0) * n.yl_s + n.yl_m;
    o.gate_logit = hl.select(2, 1);
  }
  // The network head on the summed layer latencies `sum` [K, N] and the
  // network features `nx` [N, G].
  void head_of(const torch::Tensor& sum, const torch::Tensor& nx, const Norm& n, Out& o) const {
    const auto t = nx.scalar_type();
    const torch::Tensor log_s = torch::log(sum.clamp_min(1e-12));
    const torch::Tensor hin = torch::cat(
        {((nx - n.nx_mean.to(t)) / n.nx_std.to(t)).unsqueeze(0).expand({k, nx.size(0), nx.size(1)}),
         ((log_s - n.yn_m) / n.yn_s).unsqueeze(2)},
        2);
    const torch::Tensor hh = head.forward(hin);
    o.log_lat = log_s + hh.select(2, 0);
    o.log_e = hh.select(2, 1) * n.ye_s + n.ye_m;
    o.log_a = hh.select(2, 2) * n.ya_s + n.ya_m;
    o.feas_logit = hh.select(2, 3);
  }
  int64_t k;
  Stack layer, head;
};

// One batch of networks as tensors.
struct Batch {
  // reported: 1/0 where the network's layer latencies are known, else -1;
  // layer_known: 1 on rows of feasible networks with known layer latencies.
  torch::Tensor lx, seg, nx, layer_t, reported, layer_known, net_t, feasible;
};

Batch make_batch(const LayerTrainData& d, const std::vector<int64_t>& nets) {
  std::vector<float> lx, nx, lt, rep, known, nt, feas;
  std::vector<int64_t> seg;
  for (std::size_t j = 0; j < nets.size(); ++j) {
    const auto i = static_cast<std::size_t>(nets[j]);
    bool has_layers = false;
    for (std::size_t r = d.first_row[i]; r < d.first_row[i + 1]; ++r)
      has_layers = has_layers || d.layer_latency[r] > 0;
    for (std::size_t r = d.first_row[i]; r < d.first_row[i + 1]; ++r) {
      lx.insert(lx.end(), d.layer_x.begin() + static_cast<long>(r * d.layer_f),
                d.layer_x.begin() + static_cast<long>((r + 1) * d.layer_f));
      seg.push_back(static_cast<int64_t>(j));
      const double t = d.layer_latency[r];
      lt.push_back(t > 0 ? static_cast<float>(std::log(t)) : 0.0f);
      rep.push_back(!has_layers ? -1.0f : t > 0 ? 1.0f : 0.0f);
      known.push_back(has_layers && d.feasible[i] > 0 ? 1.0f : 0.0f);
    }
    nx.insert(nx.end(), d.net_x.begin() + static_cast<long>(i * d.net_f),
              d.net_x.begin() + static_cast<long>((i + 1) * d.net_f));
    for (int m = 0; m < 3; ++m) {
      const double t = d.targets[i * 3 + static_cast<std::size_t>(m)];
      nt.push_back(t > 0 ? static_cast<float>(std::log(t)) : std::nanf(""));
    }
    feas.push_back(d.feasible[i]);
  }
  const auto rows = static_cast<int64_t>(seg.size()), n = static_cast<int64_t>(nets.size());
  auto t = [](std::vector<float>& v, std::vector<int64_t> shape) {
    return torch::from_blob(v.data(), shape, torch::kFloat32).clone();
  };
  Batch b;
  b.lx = t(lx, {rows, static_cast<int64_t>(d.layer_f)});
  b.seg = torch::from_blob(seg.data(), {rows}, torch::kInt64).clone();
  b.nx = t(nx, {n, static_cast<int64_t>(d.net_f)});
  b.layer_t = t(lt, {rows});
  b.reported = t(rep, {rows});
  b.layer_known = t(known, {rows});
  b.net_t = t(nt, {n, 3});
  b.feasible = t(feas, {n});
  return b;
}

// Each member's loss, summed: layer and network log-latency errors in units
// of their spread, energy and area where the family models them, the gate
// and feasibility as classifications.
torch::Tensor loss_of(const Ensemble& net, const Norm& n, const Batch& b) {
  const auto o = net.forward(b.lx, b.seg, b.nx, n, b.reported);
  const auto masked_mse = [](const torch::Tensor& pred, const torch::Tensor& target,
                             const torch::Tensor& mask, float scale) {
    const torch::Tensor m = mask.unsqueeze(0).expand_as(pred);
    const torch::Tensor err = ((pred - torch::nan_to_num(target.unsqueeze(0))) / scale).pow(2) * m;
    return err.sum() / m.sum().clamp_min(1);
  };
  const torch::Tensor f = b.feasible;
  const torch::Tensor has_e = f * (~torch::isnan(b.net_t.select(1, 1))).to(torch::kFloat32);
  const torch::Tensor has_a = f * (~torch::isnan(b.net_t.select(1, 2))).to(torch::kFloat32);
  const torch::Tensor reported = b.reported.clamp_min(0);
  torch::Tensor loss = masked_mse(o.mu, b.layer_t, reported, n.yl_s) +
                       2 * masked_mse(o.log_lat, b.net_t.select(1, 0), f, n.yn_s) +
                       masked_mse(o.log_e, b.net_t.select(1, 1), has_e, n.ye_s) +
                       masked_mse(o.log_a, b.net_t.select(1, 2), has_a, n.ya_s);
  const torch::Tensor lf = b.layer_known.unsqueeze(0).expand_as(o.gate_logit);
  loss = loss + (torch::binary_cross_entropy_with_logits(
                     o.gate_logit, reported.unsqueeze(0).expand_as(o.gate_logit), {}, {},
                     at::Reduction::None) *
                 lf)
                        .sum() /
                    lf.sum().clamp_min(1);
  loss = loss + torch::binary_cross_entropy_with_logits(o.feas_logit,
                                                        f.unsqueeze(0).expand_as(o.feas_logit));
  return loss * static_cast<double>(net.k);
}

std::pair<float, float> mean_std(const std::vector<float>& v) {
  if (v.empty()) return {0.0f, 1.0f};
  double s = 0, s2 = 0;
  for (float x : v) s += x, s2 += static_cast<double>(x) * x;
  const double m = s / static_cast<double>(v.size());
  const double var = std::max(0.0, s2 / static_cast<double>(v.size()) - m * m);
  return {static_cast<float>(m), static_cast<float>(std::max(1e-3, std::sqrt(var)))};
}

Norm fit_norm(const LayerTrainData& d, const std::vector<int64_t>& train) {
  Norm n;
  std::vector<float> lx, nx, yl, yn, ye, ya;
  for (auto i64 : train) {
    const auto i = static_cast<std::size_t>(i64);
    for (std::size_t r = d.first_row[i]; r < d.first_row[i + 1]; ++r) {
      lx.insert(lx.end(), d.layer_x.begin() + static_cast<long>(r * d.layer_f),
                d.layer_x.begin() + static_cast<long>((r + 1) * d.layer_f));
      if (d.layer_latency[r] > 0) yl.push_back(static_cast<float>(std::log(d.layer_latency[r])));
    }
    nx.insert(nx.end(), d.net_x.begin() + static_cast<long>(i * d.net_f),
              d.net_x.begin() + static_cast<long>((i + 1) * d.net_f));
    if (d.feasible[i] > 0) {
      const double* t = &d.targets[i * 3];
      if (t[0] > 0) yn.push_back(static_cast<float>(std::log(t[0])));
      if (t[1] > 0) ye.push_back(static_cast<float>(std::log(t[1])));
      if (t[2] > 0) ya.push_back(static_cast<float>(std::log(t[2])));
    }
  }
  auto stats = [](std::vector<float>& v, int64_t f, torch::Tensor& mean, torch::Tensor& sd) {
    const torch::Tensor x =
        torch::from_blob(v.data(), {static_cast<int64_t>(v.size()) / f, f}, torch::kFloat32);
    mean = x.mean(0).clone();
    sd = x.std(0).clone();
    // Constant features keep scale 1: a network of another family then
    // moves them by their raw amount instead of exploding.
    sd = torch::where(sd < 1e-6, torch::ones_like(sd), sd);
  };
  stats(lx, static_cast<int64_t>(d.layer_f), n.lx_mean, n.lx_std);
  stats(nx, static_cast<int64_t>(d.net_f), n.nx_mean, n.nx_std);
  std::tie(n.yl_m, n.yl_s) = mean_std(yl);
  std::tie(n.yn_m, n.yn_s) = mean_std(yn);
  std::tie(n.ye_m, n.ye_s) = mean_std(ye);
  std::tie(n.ya_m, n.ya_s) = mean_std(ya);
  return n;
}

struct Summary {
  torch::Tensor mean_log_lat, sigma, log_e, log_a, p_feas;  // [N]
};

Summary summarise(const Ensemble::Out& o) {
  Summary s;
  s.mean_log_lat = o.log_lat.mean(0);
  s.sigma = o.log_lat.size(0) > 1 ? o.log_lat.std(0) : torch::zeros_like(s.mean_log_lat);
  s.log_e = o.log_e.mean(0);
  s.log_a = o.log_a.mean(0);
  s.p_feas = torch::sigmoid(o.feas_logit).mean(0);
  return s;
}

// The names every buffer of the exported module carries.
std::vector<std::pair<std::string, torch::Tensor>> norm_buffers(const Norm& n) {
  return {{"lx_mean", n.lx_mean},
          {"lx_std", n.lx_std},
          {"nx_mean", n.nx_mean},
          {"nx_std", n.nx_std},
          {"scalars", torch::tensor({n.yl_m, n.yl_s, n.yn_m, n.yn_s, n.ye_m, n.ye_s, n.ya_m, n.ya_s,
                                     n.calibration})}};
}

// TorchScript: forward(layer_x [R, F], seg [R] int64, net_x [N, G]) ->
// [N, 5]: latency_s, energy_j, area_mm2, p_feasible, latency_sigma.
void export_torchscript(const Ensemble& net, const Norm& n, int layers, const std::string& path) {
  torch::jit::Module m("CodaLayerCostModel");
  for (const auto& [name, t] : norm_buffers(n)) m.register_buffer(name, t.detach().clone());
  for (const auto& item : net.named_parameters())
    m.register_buffer(item.key(), item.value().detach().clone());
  std::ostringstream src;
  auto stack = [&](const std::string& name, const std::string& in) {
    src << "    h = " << in << "\n";
    for (int j = 0; j <= layers; ++j) {
      src << "    h = torch.baddbmm(self." << name << "_b" << j << ", h, self." << name << "_w" << j
          << ")\n";
      if (j < layers) src << "    h = torch.relu(h)\n";
    }
  };
  src << "def forward(self, layer_x, seg, net_x):\n"
      << "    s = self.scalars\n    k = self.layer_w0.size(0)\n"
      << "    rows = layer_x.size(0)\n    nets = net_x.size(0)\n";
  stack("layer",
        "((layer_x - self.lx_mean) / self.lx_std).unsqueeze(0).expand([k, rows, "
        "layer_x.size(1)])");
  src << "    mu = h.select(2, 0) * s[1] + s[0]\n"
      << "    use = (h.select(2, 1) > 0).float()\n"
      << "    total = torch.zeros([k, nets]).index_add_(1, seg, torch.exp(mu.clamp(-60.0, 20.0)) * "
         "use)\n"
      << "    log_s = torch.log(total.clamp_min(1e-12))\n";
  stack("head",
        "torch.cat([((net_x - self.nx_mean) / self.nx_std).unsqueeze(0).expand([k, nets, "
        "net_x.size(1)]), ((log_s - s[2]) / s[3]).unsqueeze(2)], 2)");
  src << "    lat = log_s + h.select(2, 0)\n"
      << "    sigma = lat.std(0) * s[8] if k > 1 else torch.zeros([nets])\n"
      << "    return torch.stack([torch.exp(lat.mean(0)), torch.exp((h.select(2, 1) * s[5] + "
         "s[4]).mean(0)), torch.exp((h.select(2, 2) * s[7] + s[6]).mean(0)), "
         "torch.sigmoid(h.select(2, 3)).mean(0), sigma], 1)\n";
  m.define(src.str());
  std::ostringstream bytes;
  m.save(bytes);
  write_text(bytes.str(), path);
}

}  // namespace

void LayerTrainData::add(const LayerRows& rows, const std::vector<std::pair<int, double>>& layers,
                         const Metrics& m) {
  if (first_row.empty()) first_row.push_back(0);
  std::unordered_map<int, double> latency(layers.begin(), layers.end());
  layer_x.insert(layer_x.end(), rows.layer.begin(), rows.layer.end());
  for (int p : rows.position) {
    const auto it = latency.find(p);
    layer_latency.push_back(it == latency.end() ? 0.0 : it->second);
  }
  first_row.push_back(layer_latency.size());
  net_x.insert(net_x.end(), rows.net.begin(), rows.net.end());
  targets.insert(targets.end(), {m.latency_s, m.energy_j, m.area_mm2});
  feasible.push_back(m.feasible ? 1.0f : 0.0f);
  ++networks;
}

LayerTrainData load_layer_train_data(const std::string& dir, bool twin) {
  const nlohmann::json schema = read_schema(dir);
  if (schema.value("format", "") == "coda-dataset/1") {
    throw InputError({dir + "/schema.json", 0, 0}, "format",
                     "coda-dataset/1 has no per-layer latencies, which mlp-layer learns from; "
                     "rebuild the dataset with this coda (coda dataset)");
  }
  const std::string arch = schema.at("arch");
  sim::Accelerator& acc = sim::accelerator(arch);
  const space::JointSpace space = space::JointSpace::load(schema.at("space"), arch, acc.params());
  const LayerFeaturizer featurizer(acc.params(), twin ? &acc : nullptr);
  LayerTrainData d;
  d.twin = twin;
  d.layer_f = featurizer.layer_size();
  d.net_f = featurizer.net_size();
  d.layer_names = featurizer.layer_names();
  d.net_names = featurizer.net_names();
  d.featurizer_version = featurizer.version();
  for (const auto& s : read_dataset(dir))
    d.add(featurizer.rows(space.nas().decode(s.nas), hw_from_values(acc, s.hw)), s.layers,
          s.metrics);
  return d;
}

LayerTrainReport train_layer_model(const LayerTrainData& data, const LayerTrainOptions& o) {
  const auto t_start = std::chrono::steady_clock::now();
  if (data.networks < 40) {
    throw InputError({}, "--data",
                     "needs at least 40 samples, has " + std::to_string(data.networks));
  }
  check_output_file(o.out, "--out");
  torch::manual_seed(o.seed);
  at::set_num_threads(o.threads);
  std::vector<int64_t> order(data.networks);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed);
  std::shuffle(order.begin(), order.end(), rng);
  const auto n_val = std::max<std::size_t>(
      10, static_cast<std::size_t>(o.val_fraction * static_cast<double>(data.networks)));
  // Three disjoint parts: validation (early stopping), calibration (the
  // interval's scale, on networks the stopping rule never saw, so it is not
  // flattered by the choice of epoch) and training.
  const std::vector<int64_t> val(order.begin(), order.begin() + static_cast<long>(n_val));
  const std::vector<int64_t> cal(order.begin() + static_cast<long>(n_val),
                                 order.begin() + static_cast<long>(2 * n_val));
  std::vector<int64_t> train(order.begin() + static_cast<long>(2 * n_val), order.end());
  Norm norm = fit_norm(data, train);
  Ensemble net(o.members, static_cast<int64_t>(data.layer_f), static_cast<int64_t>(data.net_f),
               o.hidden, o.layers);
  torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(o.lr));
  const Batch val_batch = make_batch(data, val);

  LayerTrainReport rep;
  rep.train_samples = train.size();
  rep.val_samples = val.size();
  rep.best_val_loss = 1e300;
  EarlyStopping stopping(o.patience);
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    net.train();
    std::shuffle(train.begin(), train.end(), rng);
    double train_loss = 0;
    int batches = 0;
    for (std::size_t s = 0; s < train.size(); s += static_cast<std::size_t>(o.batch)) {
      const std::size_t e = std::min(train.size(), s + static_cast<std::size_t>(o.batch));
      const Batch b = make_batch(data, std::vector<int64_t>(train.begin() + static_cast<long>(s),
                                                            train.begin() + static_cast<long>(e)));
      opt.zero_grad();
      torch::Tensor loss = loss_of(net, norm, b);
      loss.backward();
      opt.step();
      train_loss += loss.item<double>() / static_cast<double>(o.members);
      ++batches;
    }
    net.eval();
    torch::NoGradGuard no_grad;
    const double val_loss =
        loss_of(net, norm, val_batch).item<double>() / static_cast<double>(o.members);
    if (o.log) {
      o.log(fmt::format("epoch {:3d}  train loss {:.5f}  val loss {:.5f}{}", epoch,
                        train_loss / std::max(1, batches), val_loss,
                        val_loss < rep.best_val_loss ? "  *" : ""));
    }
    if (!stopping.next(epoch, val_loss, net, opt, rep)) break;
  }
  stopping.restore(net);
  torch::NoGradGuard no_grad;
  // Calibration on the held-out networks: the members' spread, scaled so
  // that mean +- z90 * scale * spread holds 90% of their simulated latencies.
  {
    const Batch cal_batch = make_batch(data, cal);
    const Summary s = summarise(net.forward(cal_batch.lx, cal_batch.seg, cal_batch.nx, norm));
    std::vector<double> z;
    std::size_t within = 0, feasible = 0;
    for (int64_t i = 0; i < cal_batch.feasible.size(0); ++i) {
      if (cal_batch.feasible[i].item<float>() < 0.5) continue;
      const double truth = cal_batch.net_t[i][0].item<float>();
      const double mu = s.mean_log_lat[i].item<float>();
      const double sd = std::max(1e-6, static_cast<double>(s.sigma[i].item<float>()));
      z.push_back(std::abs(truth - mu) / sd);
      within += std::abs(std::exp(mu - truth) - 1) <= 0.10;
      ++feasible;
    }
    if (!z.empty() && o.members > 1) {
      std::sort(z.begin(), z.end());
      // The conformal quantile: the ceil((n + 1) * 0.9)-th smallest score.
      const std::size_t q = std::min(
          z.size() - 1,
          static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(z.size() + 1))) - 1);
      norm.calibration = static_cast<float>(std::max(1e-3, z[q] / kZ90Interval));
    }
    rep.calibration_scale = norm.calibration;
    rep.val_latency_within_10pct =
        feasible ? static_cast<double>(within) / static_cast<double>(feasible) : 0;
  }
  export_torchscript(net, norm, o.layers, o.out);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  const nlohmann::json meta = {{"format", kFormat},
                               {"featurizer_version", data.featurizer_version},
                               {"analytical_twin_features", data.twin},
                               {"layer_feature_names", data.layer_names},
                               {"net_feature_names", data.net_names},
                               {"members", o.members},
                               {"hidden", o.hidden},
                               {"layers", o.layers},
                               {"seed", o.seed},
                               {"epochs_run", rep.epochs_run},
                               {"best_epoch", rep.best_epoch},
                               {"best_val_loss", rep.best_val_loss},
                               {"val_latency_within_10pct", rep.val_latency_within_10pct},
                               {"calibration_scale", rep.calibration_scale},
                               {"train_samples", rep.train_samples},
                               {"val_samples", rep.val_samples},
                               {"calibration_samples", cal.size()}};
  write_json(meta, meta_path(o.out));
  return rep;
}

struct LayerModel::Impl {
  torch::jit::Module module;
  std::unique_ptr<Ensemble> net;
  Norm norm;
  int version = 0;
  bool twin = false;
  std::size_t lf = 0, nf = 0;
  int hidden = 0, layers = 0;
};

LayerModel::LayerModel(const std::string& path) : impl_(std::make_unique<Impl>()) {
  std::ifstream meta_in(meta_path(path));
  if (!meta_in) {
    throw InputError({meta_path(path), 0, 0}, "cost-model",
                     "missing model metadata (written by coda train --model mlp-layer)");
  }
  const auto meta = nlohmann::json::parse(meta_in, nullptr, false);
  if (!meta.is_object() || meta.value("format", "") != kFormat) {
    throw InputError({meta_path(path), 0, 0}, "format",
                     std::string("is not ") + kFormat +
                         " (a whole-network model loads as mlp:FILE, this one as mlp-layer:FILE)");
  }
  torch::jit::Module module;
  try {
    module = torch::jit::load(path);
  } catch (const std::exception& e) {
    throw InputError({path, 0, 0}, "cost-model",
                     std::string("cannot load TorchScript model: ") + e.what());
  }
  impl_->version = meta.value("featurizer_version", 0);
  impl_->twin = meta.value("analytical_twin_features", false);
  impl_->lf = meta.value("layer_feature_names", nlohmann::json::array()).size();
  impl_->nf = meta.value("net_feature_names", nlohmann::json::array()).size();
  impl_->module = module;
  auto buffer = [&](const std::string& name) { return module.attr(name).toTensor().clone(); };
  Norm& n = impl_->norm;
  n.lx_mean = buffer("lx_mean");
  n.lx_std = buffer("lx_std");
  n.nx_mean = buffer("nx_mean");
  n.nx_std = buffer("nx_std");
  const torch::Tensor s = buffer("scalars");
  float* v[] = {&n.yl_m, &n.yl_s, &n.yn_m, &n.yn_s,       &n.ye_m,
                &n.ye_s, &n.ya_m, &n.ya_s, &n.calibration};
  for (int i = 0; i < 9; ++i) *v[i] = s[i].item<float>();
  impl_->hidden = meta.value("hidden", 64);
  impl_->layers = meta.value("layers", 2);
  impl_->net =
      std::make_unique<Ensemble>(meta.value("members", 1), static_cast<int64_t>(impl_->lf),
                                 static_cast<int64_t>(impl_->nf), impl_->hidden, impl_->layers);
  torch::NoGradGuard no_grad;
  for (auto& item : impl_->net->named_parameters()) item.value().copy_(buffer(item.key()));
  impl_->net->eval();
}

LayerModel::~LayerModel() = default;
std::size_t LayerModel::layer_features() const {
  return impl_->lf;
}
std::size_t LayerModel::net_features() const {
  return impl_->nf;
}
int LayerModel::featurizer_version() const {
  return impl_->version;
}
bool LayerModel::uses_twin() const {
  return impl_->twin;
}
int LayerModel::members() const {
  return static_cast<int>(impl_->net->k);
}

namespace {

// Many networks' rows as the three inputs of forward().
struct Inputs {
  std::vector<float> lx, nx;
  std::vector<int64_t> seg;
  torch::Tensor layer_x, segment, net_x;
  Inputs(const std::vector<LayerRows>& nets, std::size_t lf, std::size_t nf) {
    for (std::size_t i = 0; i < nets.size(); ++i) {
      lx.insert(lx.end(), nets[i].layer.begin(), nets[i].layer.end());
      nx.insert(nx.end(), nets[i].net.begin(), nets[i].net.end());
      seg.insert(seg.end(), nets[i].position.size(), static_cast<int64_t>(i));
    }
    const auto rows = static_cast<int64_t>(seg.size()), n = static_cast<int64_t>(nets.size());
    layer_x = torch::from_blob(lx.data(), {rows, static_cast<int64_t>(lf)}, torch::kFloat32);
    segment = torch::from_blob(seg.data(), {rows}, torch::kInt64);
    net_x = torch::from_blob(nx.data(), {n, static_cast<int64_t>(nf)}, torch::kFloat32);
  }
};

}  // namespace

std::vector<LayerPrediction> LayerModel::predict(const std::vector<LayerRows>& nets) const {
  torch::NoGradGuard no_grad;
  const Inputs in(nets, impl_->lf, impl_->nf);
  const Summary s = summarise(impl_->net->forward(in.layer_x, in.segment, in.net_x, impl_->norm));
  const torch::Tensor out =
      torch::stack({s.mean_log_lat, s.log_e, s.log_a, s.p_feas, s.sigma * impl_->norm.calibration},
                   1)
          .contiguous();
  auto a = out.accessor<float, 2>();
  std::vector<LayerPrediction> r(nets.size());
  for (std::size_t i = 0; i < nets.size(); ++i) {
    const auto k = static_cast<int64_t>(i);
    auto e = [](float x) { return std::exp(std::clamp(static_cast<double>(x), -60.0, 60.0)); };
    r[i] = {e(a[k][0]), e(a[k][1]), e(a[k][2]), a[k][3], a[k][4]};
  }
  return r;
}

std::vector<LayerPrediction> LayerModel::predict_torchscript(
    const std::vector<LayerRows>& nets) const {
  torch::NoGradGuard no_grad;
  const Inputs in(nets, impl_->lf, impl_->nf);
  auto module = impl_->module;
  const torch::Tensor out =
      module.forward({in.layer_x, in.segment, in.net_x}).toTensor().contiguous();
  auto a = out.accessor<float, 2>();
  std::vector<LayerPrediction> r(nets.size());
  for (std::size_t i = 0; i < nets.size(); ++i) {
    const auto k = static_cast<int64_t>(i);
    r[i] = {a[k][0], a[k][1], a[k][2], a[k][3], a[k][4]};
  }
  return r;
}

double LayerModel::fine_tune(const LayerTrainData& data, int steps, double lr,
                             unsigned long long seed) {
  if (data.networks == 0 || steps <= 0) return 0;
  Ensemble& net = *impl_->net;
  net.train();
  torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(lr));
  std::vector<int64_t> all(data.networks);
  std::iota(all.begin(), all.end(), 0);
  std::mt19937_64 rng(seed);
  double total = 0;
  for (int step = 0; step < steps; ++step) {
    std::shuffle(all.begin(), all.end(), rng);
    const std::vector<int64_t> pick(
        all.begin(), all.begin() + static_cast<long>(std::min<std::size_t>(all.size(), 32)));
    opt.zero_grad();
    torch::Tensor loss = loss_of(net, impl_->norm, make_batch(data, pick));
    loss.backward();
    opt.step();
    total += loss.item<double>() / static_cast<double>(net.k);
  }
  net.eval();
  return total / steps;
}

ExpectedPrediction LayerModel::expected(const RelaxedRows& r, const std::vector<double>& w) const {
  if (w.size() != r.pairs) {
    throw InputError({}, "weights", fmt::format("expected {} weights, got {}", r.pairs, w.size()));
  }
  // The ensemble in double precision (a copy: fine-tuning changes the original).
  Ensemble net(impl_->net->k, static_cast<int64_t>(impl_->lf), static_cast<int64_t>(impl_->nf),
               impl_->hidden, impl_->layers);
  {
    torch::NoGradGuard g;
    const auto from = impl_->net->named_parameters();
    for (auto& p : net.named_parameters()) p.value().copy_(from[p.key()]);
  }
  net.to(torch::kDouble);
  const auto opts = torch::TensorOptions().dtype(torch::kDouble);
  const auto R = static_cast<int64_t>(r.rows), P = static_cast<int64_t>(r.pairs);
  const auto F = static_cast<int64_t>(impl_->lf), G = static_cast<int64_t>(impl_->nf);
  auto tensor = [&](const std::vector<double>& v, std::vector<int64_t> shape) {
    return torch::from_blob(const_cast<double*>(v.data()), shape, opts);
  };
  const torch::Tensor wt = torch::tensor(w, opts).requires_grad_(true);
  torch::Tensor lx = tensor(r.layer_base, {R, F});
  if (!r.feature_pairs.empty()) {
    std::vector<int64_t> idx(r.feature_pairs.begin(), r.feature_pairs.end());
    const auto J = static_cast<int64_t>(idx.size());
    lx = lx + torch::tensordot(wt.index_select(0, torch::tensor(idx)),
                               tensor(r.layer_delta, {J, R, F}), {0}, {0});
  }
  // Row weights: products of pair weights, padded with a weight of 1.
  std::size_t width = 1;
  for (const auto& p : r.row_pairs) width = std::max(width, p.size());
  std::vector<int64_t> pick(static_cast<std::size_t>(R) * width, P);
  for (std::size_t i = 0; i < r.row_pairs.size(); ++i) {
    for (std::size_t j = 0; j < r.row_pairs[i].size(); ++j)
      pick[i * width + j] = static_cast<int64_t>(r.row_pairs[i][j]);
  }
  const torch::Tensor row_w = torch::cat({wt, torch::ones({1}, opts)})
                                  .index_select(0, torch::tensor(pick))
                                  .view({R, static_cast<int64_t>(width)})
                                  .prod(1);
  Ensemble::Out o;
  net.rows(lx, impl_->norm, o);
  const torch::Tensor gate = (o.gate_logit > 0).to(torch::kDouble).detach();
  const torch::Tensor sum =
      (torch::exp(o.mu.clamp(-60, 20)) * gate * row_w.unsqueeze(0)).sum(1, true);  // [K, 1]
  const torch::Tensor nx =
      (tensor(r.net_base, {G}) + torch::tensordot(wt, tensor(r.net_delta, {P, G}), {0}, {0}))
          .unsqueeze(0);
  net.head_of(sum, nx, impl_->norm, o);
  ExpectedPrediction out;
  const torch::Tensor outputs[] = {o.log_lat.mean(), o.log_e.mean(), o.log_a.mean(),
                                   torch::log(torch::sigmoid(o.feas_logit).mean())};
  double* value[] = {&out.log_latency_s, &out.log_energy_j, &out.log_area_mm2, &out.log_feasible};
  std::vector<double>* grad[] = {&out.d_latency, &out.d_energy, &out.d_area, &out.d_feasible};
  for (int m = 0; m < 4; ++m) {
    *value[m] = outputs[m].item<double>();
    const torch::Tensor g = torch::autograd::grad({outputs[m]}, {wt}, {}, m < 3, false, true)[0];
    const torch::Tensor c = g.defined() ? g.contiguous() : torch::zeros({P}, opts);
    grad[m]->assign(c.data_ptr<double>(), c.data_ptr<double>() + P);
  }
  return out;
}

}  // namespace coda::cost

namespace coda::cost {
namespace {

// mlp-layer's expected cost over a relaxed space, around a candidate x0:
//  - the latency of the layers outside the searchable layers, and the
//    network features, are first-order in the weights around x0 (each
//    pair's change measured by featurizing x0 with that one choice changed);
//    the hardware knobs' own columns are exactly the weighted mean of their
//    normalised values, since only their own field moves them;
//  - a searchable layer contributes every branch (combination of its
//    decisions), featurized in x0 with that branch, its latency weighed by
//    the branch's probability: the summed layer latency is exact in
//    expectation over the network choices at x0's hardware (layers add up,
//    FBNet's LUT argument), and first-order in the hardware weights, which
//    move every row's features through the per-layer MLP.
class LayerExpectedCost : public ExpectedCost {
 public:
  LayerExpectedCost(const LayerModel& model, const LayerFeaturizer& featurizer, RelaxedSpace space)
      : model_(model), featurizer_(featurizer), space_(std::move(space)) {
    std::size_t off = 0;
    grouped_.assign(space_.sizes.size(), false);
    for (int n : space_.sizes) {
      offset_.push_back(off);
      off += static_cast<std::size_t>(n);
    }
    pairs_ = off;
    for (const auto& g : space_.groups) {
      for (std::size_t d : g.dims) grouped_.at(d) = true;
    }
  }

  Expectation evaluate(const std::vector<std::vector<double>>& weights,
                       const std::vector<int>& around) override {
    if (weights.size() != space_.sizes.size() || around.size() != space_.sizes.size()) {
      throw InputError(
          {}, "weights",
          fmt::format("expected weights and a candidate over {} dimensions", space_.sizes.size()));
    }
    if (around != x0_) build(around);
    std::vector<double> w(pairs_);
    for (std::size_t d = 0; d < weights.size(); ++d) {
      for (std::size_t c = 0; c < weights[d].size(); ++c) w.at(offset_[d] + c) = weights[d][c];
    }
    const ExpectedPrediction p = model_.expected(rows_, w);
    Expectation e;
    e.log_latency_s = p.log_latency_s;
    e.log_energy_j = p.log_energy_j;
    e.log_area_mm2 = p.log_area_mm2;
    auto split = [&](const std::vector<double>& g) {
      std::vector<std::vector<double>> out;
      for (std::size_t d = 0; d < space_.sizes.size(); ++d) {
        out.emplace_back(g.begin() + static_cast<long>(offset_[d]),
                         g.begin() + static_cast<long>(offset_[d] + space_.sizes[d]));
      }
      return out;
    };
    e.d_latency = split(p.d_latency);
    e.d_energy = split(p.d_energy);
    e.d_area = split(p.d_area);
    e.log_feasible = p.log_feasible;
    e.d_feasible = split(p.d_feasible);
    return e;
  }

 private:
  struct Featurized {
    LayerRows rows;
    std::vector<std::string> names;  // per row, its layer's name
  };
  const Featurized& featurize(const std::vector<int>& x) {
    auto it = cache_.find(x);
    if (it != cache_.end()) return it->second;
    const auto [net, hw] = space_.decode(x);
    Featurized f{featurizer_.rows(net, hw), {}};
    const auto order = net.topological_order();
    for (int pos : f.rows.position) f.names.push_back(net.layer(order[pos]).name);
    return cache_.emplace(x, std::move(f)).first->second;
  }
  static bool in_layer(const std::string& name, const std::string& prefix) {
    return name == prefix ||
           (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
            name[prefix.size()] == '.');
  }
  // The pairs of the dimensions outside the groups, except x0's own choice.
  std::vector<std::pair<std::size_t, std::vector<int>>> feature_variants(
      const std::vector<int>& x) const {
    std::vector<std::pair<std::size_t, std::vector<int>>> v;
    for (std::size_t d = 0; d < space_.sizes.size(); ++d) {
      if (grouped_[d]) continue;
      for (int c = 0; c < space_.sizes[d]; ++c) {
        if (c == x[d]) continue;
        std::vector<int> y = x;
        y[d] = c;
        v.emplace_back(offset_[d] + static_cast<std::size_t>(c), y);
      }
    }
    return v;
  }
  // Appends the rows of `x` that `keep` selects, with their feature deltas.
  void add_rows(const std::vector<int>& x, const std::function<bool(const std::string&)>& keep,
                const std::vector<std::size_t>& row_pairs,
                std::vector<std::vector<double>>& delta) {
    const std::size_t lf = featurizer_.layer_size();
    const auto variants = feature_variants(x);
    const Featurized base = featurize(x);
    std::vector<Featurized> moved;
    for (const auto& v : variants) moved.push_back(featurize(v.second));
    for (std::size_t i = 0; i < base.names.size(); ++i) {
      if (!keep(base.names[i])) continue;
      const float* b = base.rows.layer.data() + i * lf;
      rows_.layer_base.insert(rows_.layer_base.end(), b, b + lf);
      rows_.row_pairs.push_back(row_pairs);
      for (std::size_t j = 0; j < variants.size(); ++j) {
        const float* m = moved[j].rows.layer.data() + i * lf;
        for (std::size_t f = 0; f < lf; ++f)
          delta[j].push_back(static_cast<double>(m[f]) - static_cast<double>(b[f]));
      }
      ++rows_.rows;
    }
  }

  void build(const std::vector<int>& x0) {
    cache_.clear();
    rows_ = RelaxedRows{};
    rows_.pairs = pairs_;
    const auto variants = feature_variants(x0);
    for (const auto& v : variants) rows_.feature_pairs.push_back(v.first);
    std::vector<std::vector<double>> delta(variants.size());
    // Rows outside every searchable layer.
    add_rows(
        x0,
        [&](const std::string& name) {
          for (const auto& g : space_.groups)
            if (in_layer(name, g.prefix)) return false;
          return true;
        },
        {}, delta);
    // Every branch of every searchable layer.
    for (const auto& g : space_.groups) {
      std::vector<int> combo(g.dims.size(), 0);
      while (true) {
        std::vector<int> x = x0;
        std::vector<std::size_t> pairs;
        for (std::size_t j = 0; j < g.dims.size(); ++j) {
          x[g.dims[j]] = combo[j];
          pairs.push_back(offset_[g.dims[j]] + static_cast<std::size_t>(combo[j]));
        }
        add_rows(
            x, [&](const std::string& name) { return in_layer(name, g.prefix); }, pairs, delta);
        std::size_t j = g.dims.size();
        while (j > 0 && ++combo[j - 1] == space_.sizes[g.dims[j - 1]]) combo[--j] = 0;
        if (j == 0) break;
      }
    }
    const std::size_t lf = featurizer_.layer_size(), nf = featurizer_.net_size();
    rows_.layer_delta.reserve(variants.size() * rows_.rows * lf);
    for (const auto& d : delta)
      rows_.layer_delta.insert(rows_.layer_delta.end(), d.begin(), d.end());
    // Network features: first-order in every pair.
    const Featurized& base = featurize(x0);
    rows_.net_base.assign(base.rows.net.begin(), base.rows.net.end());
    rows_.net_delta.assign(pairs_ * nf, 0.0);
    for (std::size_t d = 0; d < space_.sizes.size(); ++d) {
      for (int c = 0; c < space_.sizes[d]; ++c) {
        if (c == x0[d]) continue;
        std::vector<int> y = x0;
        y[d] = c;
        const auto& net = featurize(y).rows.net;
        for (std::size_t f = 0; f < nf; ++f) {
          rows_.net_delta[(offset_[d] + static_cast<std::size_t>(c)) * nf + f] =
              static_cast<double>(net[f]) - rows_.net_base[f];
        }
      }
    }
    x0_ = x0;
    cache_.clear();
  }

  const LayerModel& model_;
  const LayerFeaturizer& featurizer_;
  RelaxedSpace space_;
  std::vector<std::size_t> offset_;
  std::vector<bool> grouped_;
  std::size_t pairs_ = 0;
  std::vector<int> x0_;
  RelaxedRows rows_;
  std::map<std::vector<int>, Featurized> cache_;
};

class LayerCostModel : public CostModel {
 public:
  LayerCostModel(const std::string& path, const std::string& arch, const Options& options)
      : path_(path),
        model_(path),
        featurizer_(sim::accelerator(arch).params(),
                    model_.uses_twin() ? &sim::accelerator(arch) : nullptr),
        steps_(static_cast<int>(options.integer("fine_tune_steps"))),
        lr_(options.number("fine_tune_lr")) {
    if (model_.featurizer_version() != featurizer_.version() ||
        model_.layer_features() != featurizer_.layer_size() ||
        model_.net_features() != featurizer_.net_size()) {
      throw InputError(
          {path, 0, 0}, "cost-model",
          fmt::format("model was trained on layer featurizer v{} with {}+{} features for another "
                      "family or build; this build has v{} with {}+{} for {}",
                      model_.featurizer_version(), model_.layer_features(), model_.net_features(),
                      featurizer_.version(), featurizer_.layer_size(), featurizer_.net_size(),
                      arch));
    }
    replay_.layer_f = featurizer_.layer_size();
    replay_.net_f = featurizer_.net_size();
  }
  std::string name() const override { return "mlp-layer"; }
  bool prefers_one_batch() const override { return true; }
  std::string source() const override { return "mlp-layer:" + path_; }
  std::vector<Metrics> evaluate(const std::vector<Query>& batch) override {
    std::vector<LayerRows> rows;
    rows.reserve(batch.size());
    for (const auto& q : batch) rows.push_back(featurizer_.rows(*q.net, *q.hw));
    std::vector<Metrics> out;
    for (const auto& p : model_.predict(rows)) {
      Metrics m{p.p_feasible >= 0.5, p.p_feasible >= 0.5 ? "" : "predicted infeasible", p.latency_s,
                p.energy_j, p.area_mm2};
      m.latency_sigma = p.latency_sigma;
      out.push_back(m);
    }
    return out;
  }
  // Every simulated answer joins a replay set; the model then takes
  // fine_tune_steps Adam steps over all of it.
  std::unique_ptr<ExpectedCost> expected_cost(RelaxedSpace space) override {
    return std::make_unique<LayerExpectedCost>(model_, featurizer_, std::move(space));
  }
  bool learn(const std::vector<Query>& batch, const std::vector<Metrics>& truth) override {
    if (steps_ == 0) return false;
    for (std::size_t i = 0; i < batch.size(); ++i)
      replay_.add(featurizer_.rows(*batch[i].net, *batch[i].hw), {}, truth[i]);
    model_.fine_tune(replay_, steps_, lr_, ++rounds_);
    return true;
  }

 private:
  std::string path_;
  LayerModel model_;
  LayerFeaturizer featurizer_;
  int steps_;
  double lr_;
  LayerTrainData replay_;
  unsigned long long rounds_ = 0;
};

}  // namespace

namespace {

// What a cached model's key records of the trainer's defaults.
std::string layer_settings() {
  const LayerTrainOptions d;
  return fmt::format("members={},hidden={},layers={},batch={},lr={},patience={},features={}",
                     d.members, d.hidden, d.layers, d.batch, d.lr, d.patience,
                     kLayerFeaturizerVersion);
}

}  // namespace

void register_layer_cost_model() {
  auto options = cached_training_options(80);
  options.push_back(OptionDecl::integer(
      "fine_tune_steps", 20, 0, 100000,
      "Adam steps over the simulated samples a verifying search hands back (0: never fine-tune)"));
  options.push_back(
      OptionDecl::number("fine_tune_lr", 3e-4, 1e-7, 1, "learning rate of online fine-tuning"));
  cost_models().add(
      {"mlp-layer",
       "the layer-level learned model: an ensemble of per-layer MLPs summed with a learned "
       "network-level correction, with calibrated uncertainty; mlp-layer:FILE loads a model from "
       "`coda train --model mlp-layer`, plain mlp-layer trains one on simulated samples of "
       "`space` (cached)",
       options, [](const CostModelContext& c) {
         const auto trainer = [](const std::string& data, const std::string& out, int epochs,
                                 unsigned long long seed, int threads) {
           (void)threads;  // see LayerTrainOptions::threads
           LayerTrainOptions opts;
           opts.out = out;
           opts.epochs = epochs;
           opts.seed = seed;
           opts.log = [](const std::string& line) { std::cerr << line << "\n"; };
           train_layer_model(load_layer_train_data(data), opts);
         };
         return std::make_unique<LayerCostModel>(
             c.arg.empty() ? ensure_trained(c, "mlp-layer", layer_settings(), trainer) : c.arg,
             c.arch, c.options);
       }});
}

}  // namespace coda::cost
