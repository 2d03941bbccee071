// Query speed of the learned cost models (results in bench/RESULTS.md):
// `cost_bench <model.pt> [<mlp-layer model.pt>]`: the MLP's batched
// inference on featurized rows, a single query and the featurizer's own time
// per network; the compute roofline of a 3 x 256 MLP on this machine (dense
// GEMMs with 256 inputs, nothing else); and, given a layer-level model, its
// cost per network (featurizing with the analytical twin, predicting).
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include <torch/torch.h>

#include "models/cost/featurizer.h"
#include "models/cost/layer_features.h"
#include "models/cost/layer_model.h"
#include "models/cost/mlp.h"
#include "models/edge/config.h"
#include "models/network/zoo.h"
#include "models/space/nas_space.h"
#include "plugins/builtins.h"
#include "sim/accelerator.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cost_bench <model.pt> [<mlp-layer model.pt>]\n");
    return 1;
  }
  const coda::cost::MlpModel model(argv[1]);
  const coda::cost::Featurizer featurizer(coda::edge::edge_params());
  const coda::ParamSet hw(coda::edge::edge_params());
  const auto net = coda::network::build_zoo("mobilenet_v2");
  const auto row = featurizer.features(net, hw);
  // Batches of distinct NAHAS S1 candidates, as a search sends them (the
  // batched path skips features that are zero in every row of a batch, so
  // repeating one row would flatter it).
  coda::register_builtins();
  const auto nas = *coda::space::nas_spaces().make("nahas_s1");
  std::mt19937_64 rng(1);
  std::vector<float> pool;
  for (int i = 0; i < 4096; ++i) {
    const auto f = featurizer.features(nas.decode(nas.sample(rng)), hw);
    pool.insert(pool.end(), f.begin(), f.end());
  }
  {
    // How many features vary within a batch (the rest fold into the bias).
    const std::size_t f = row.size(), b = 256;
    std::size_t varying = 0, zero = 0;
    for (std::size_t j = 0; j < f; ++j) {
      bool v = false, nz = false;
      for (std::size_t i = 0; i < b; ++i) {
        v = v || pool[i * f + j] != pool[j];
        nz = nz || pool[i * f + j] != 0;
      }
      varying += v;
      zero += !nz;
    }
    std::printf(
        "mlp: a batch of 256 S1 candidates: %zu of %zu features vary, %zu are zero in every row\n",
        varying, f, zero);
  }
  double batched = 0;
  std::size_t best_batch = 0;
  for (const std::size_t batch : {256, 1024, 4096}) {
    std::vector<float> x(pool.begin(), pool.begin() + static_cast<long>(batch * row.size()));
    model.predict(x, batch);  // warm-up
    const int reps = static_cast<int>(50 * 1024 / batch);
    const double t0 = now();
    for (int r = 0; r < reps; ++r) model.predict(x, batch);
    const double qps = reps * batch / (now() - t0);
    std::printf("mlp: batch %zu: %.0f queries/s\n", batch, qps);
    if (qps > batched) batched = qps, best_batch = batch;
  }
  // Single queries over distinct candidates, as a search asks them (the
  // single path updates the first layer by the features that changed, so
  // repeating one row would flatter it).
  std::vector<std::vector<float>> ones;
  for (std::size_t i = 0; i < 4096; ++i)
    ones.emplace_back(pool.begin() + static_cast<long>(i * row.size()),
                      pool.begin() + static_cast<long>((i + 1) * row.size()));
  double t0 = now();
  const int singles = 4096;
  for (int r = 0; r < singles; ++r) model.predict(ones[static_cast<std::size_t>(r)], 1);
  const double single_us = (now() - t0) / singles * 1e6;
  t0 = now();
  const int feats = 2000;
  for (int r = 0; r < feats; ++r) featurizer.features(net, hw);
  const double feat_us = (now() - t0) / feats * 1e6;
  std::printf(
      "mlp: batched %.0f queries/s (batch %zu), single query %.1f us; featurizer %.1f us per "
      "network\n",
      batched, best_batch, single_us, feat_us);

  // Roofline: the same three hidden layers and heads from a 256-wide input,
  // as plain GEMMs on random data (what no featurization or sparsity trick
  // can beat).
  {
    torch::NoGradGuard no_grad;
    // One OpenMP thread: OpenBLAS runs its own, and OpenMP ones beside them
    // only contend (2 OpenMP threads: 54 GFLOP/s; 1: 108).
    at::set_num_threads(1);
    const int64_t b = 4096;
    const torch::Tensor x = torch::rand({b, 256});
    std::vector<torch::Tensor> w, bias;
    for (int i = 0; i < 3; ++i)
      w.push_back(torch::rand({256, 256})), bias.push_back(torch::rand({256}));
    const torch::Tensor wh = torch::rand({256, 4}), bh = torch::rand({4});
    auto run = [&] {
      torch::Tensor h = x;
      for (int i = 0; i < 3; ++i) h = torch::addmm(bias[i], h, w[i]).relu_();
      return torch::addmm(bh, h, wh);
    };
    run();
    const int reps = 50;
    const double r0 = now();
    for (int r = 0; r < reps; ++r) run();
    const double secs = now() - r0;
    const double flop = 2.0 * b * reps * (3 * 256 * 256 + 256 * 4);
    std::printf(
        "roofline: 3 x 256 MLP from 256 inputs, batch %lld: %.0f queries/s (%.1f GFLOP/s)\n",
        static_cast<long long>(b), b * reps / secs, flop / secs / 1e9);
  }

  if (argc > 2) {
    const coda::cost::LayerModel layer(argv[2]);
    auto& edge = coda::sim::accelerator("edge");
    const coda::cost::LayerFeaturizer lf(edge.params(), layer.uses_twin() ? &edge : nullptr);
    std::vector<coda::cost::LayerRows> rows;
    std::mt19937_64 rng2(2);
    for (int i = 0; i < 256; ++i) rows.push_back(lf.rows(nas.decode(nas.sample(rng2)), hw));
    layer.predict(rows);
    const int reps = 20;
    double l0 = now();
    for (int r = 0; r < reps; ++r) layer.predict(rows);
    const double batched_us = (now() - l0) / (reps * 256.0) * 1e6;
    l0 = now();
    for (int r = 0; r < 500; ++r) layer.predict({rows[static_cast<std::size_t>(r % 256)]});
    const double one_us = (now() - l0) / 500 * 1e6;
    l0 = now();
    for (int r = 0; r < 200; ++r) lf.rows(net, hw);
    const double rows_us = (now() - l0) / 200 * 1e6;
    std::printf(
        "mlp-layer: %d members; per network %.1f us batched (256 S1 networks), %.1f us alone; "
        "featurizing MobileNetV2 %.1f us (%s)\n",
        layer.members(), batched_us, one_us, rows_us,
        layer.uses_twin() ? "with the analytical twin" : "shapes only");
  }
  return 0;
}
