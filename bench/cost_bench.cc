// Query speed of the MLP cost model (results in bench/RESULTS.md):
// `cost_bench <model.pt>`: batched inference on featurized rows, a single
// query, and the featurizer's own time per network.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "models/cost/featurizer.h"
#include "models/cost/mlp.h"
#include "models/edge/config.h"
#include "models/network/zoo.h"
#include "models/space/nas_space.h"
#include "plugins/builtins.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cost_bench <model.pt>\n");
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
  std::vector<float> one(row.begin(), row.end());
  double t0 = now();
  const int singles = 2000;
  for (int r = 0; r < singles; ++r) model.predict(one, 1);
  const double single_us = (now() - t0) / singles * 1e6;
  t0 = now();
  const int feats = 2000;
  for (int r = 0; r < feats; ++r) featurizer.features(net, hw);
  const double feat_us = (now() - t0) / feats * 1e6;
  std::printf(
      "mlp: batched %.0f queries/s (batch %zu), single query %.1f us; featurizer %.1f us per "
      "network\n",
      batched, best_batch, single_us, feat_us);
  return 0;
}
