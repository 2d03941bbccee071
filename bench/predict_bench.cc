// The C++ side of the Python module's predict benchmark (bench/predict_bench.py):
// `predict_bench SPEC QUERIES NET...` times one batched CostModel::evaluate
// of QUERIES (network, baseline edge hardware) pairs cycling over the NETs,
// best of 5, and prints queries per second.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/timing.h"
#include "models/cost/cost_model.h"
#include "models/network/zoo.h"
#include "plugins/builtins.h"
#include "sim/accelerator.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: predict_bench SPEC QUERIES NET...\n");
    return 1;
  }
  coda::register_builtins();
  const std::string spec = argv[1];
  const long queries = std::atol(argv[2]);
  std::vector<coda::network::Network> nets;
  for (int i = 3; i < argc; ++i) nets.push_back(coda::network::load_network(argv[i]));
  const coda::ParamSet hw = coda::sim::load_hw(coda::sim::accelerator("edge"), "", {});
  auto model = coda::cost::make_cost_model(spec, "edge");
  std::vector<coda::cost::Query> batch;
  for (long i = 0; i < queries; ++i) batch.push_back({&nets[i % nets.size()], &hw});
  model->evaluate(batch);  // warm-up (loads, caches)
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    best = std::min(best, coda::bench::seconds_per_call([&] { model->evaluate(batch); }, 1));
  }
  std::printf("c++ %s: %ld queries in %.4f s: %.0f queries/s\n", spec.c_str(), queries, best,
              queries / best);
  return 0;
}
