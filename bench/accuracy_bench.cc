// Accuracy-evaluator benchmarks (bench/RESULTS.md):
//   accuracy_bench train NETWORK EPOCHS SUBSET   time and accuracy of `train`
//   accuracy_bench tau N SUBSET [SEED]           zero-cost scores vs 1-epoch
//       trained accuracy over N networks drawn from NAHAS S1 on Fashion-MNIST:
//       Kendall tau per proxy, and the linear fit rows for
//       configs/accuracy/zero_cost_fit.csv.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "core/rank.h"
#include "models/network/zoo.h"
#include "models/space/nas_space.h"
#include "plugins/accuracy/evaluators.h"
#include "plugins/accuracy/zero_cost.h"
#include "plugins/builtins.h"

using namespace coda;

namespace {

std::pair<double, double> least_squares(const std::vector<double>& x,
                                        const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return {(sy - b * sx) / n, b};
}

int train(const std::string& network, int epochs, long long subset) {
  register_builtins();
  const auto r =
      accuracy::make_evaluator("train", {{"epochs", epochs}, {"subset", subset}, {"cache", "-"}})
          ->evaluate(network::load_network(network));
  std::printf(
      "%s: %d epoch(s) on %lld images: accuracy %.4f, %.1f s total, per epoch:", network.c_str(),
      epochs, r.extra.at("train_images").get<long long>(), r.accuracy, r.seconds);
  for (double s : r.extra.at("seconds_per_epoch")) std::printf(" %.1f s", s);
  std::printf("\n");
  return 0;
}

int tau(int n, long long subset, unsigned long long seed) {
  register_builtins();
  const auto nas = *space::nas_spaces().make("nahas_s1");
  std::mt19937_64 rng(seed);
  auto trainer = accuracy::make_evaluator(
      "train", {{"epochs", 1}, {"subset", subset}, {"test_subset", 2000}, {"cache", "-"}});
  const accuracy::DatasetSpec fashion{"fashion-mnist", ""};
  accuracy::Budget zb = accuracy::Budget::defaults();
  zb.batch = accuracy::kZeroCostBatch;
  std::vector<double> acc, naswot, synflow;
  double zc_seconds = 0, train_seconds = 0;
  for (int i = 0; i < n; ++i) {
    const auto net = nas.decode(nas.sample(rng));
    const auto t0 = std::chrono::steady_clock::now();
    const auto s = accuracy::zero_cost_scores(net, fashion, zb);
    zc_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto r = trainer->evaluate(net);
    train_seconds += r.seconds;
    acc.push_back(r.accuracy);
    naswot.push_back(s.naswot);
    synflow.push_back(std::log(s.synflow));
    std::printf("%2d %-60s acc %.4f naswot %.2f log-synflow %.2f (%.0f s)\n", i,
                net.name().substr(0, 60).c_str(), r.accuracy, s.naswot, std::log(s.synflow),
                r.seconds);
    std::fflush(stdout);
  }
  std::printf("networks %d, subset %lld, 1 epoch: train %.1f s/net, zero-cost %.2f s/net\n", n,
              subset, train_seconds / n, zc_seconds / n);
  std::printf("kendall tau: naswot %.3f, synflow %.3f; spearman: naswot %.3f, synflow %.3f\n",
              kendall_tau(naswot, acc), kendall_tau(synflow, acc), spearman_rho(naswot, acc),
              spearman_rho(synflow, acc));
  std::printf("fit rows (dataset,proxy,batch,a,b,networks,kendall_tau,source):\n");
  for (const auto& [name, x] : {std::pair{"naswot", naswot}, std::pair{"synflow", synflow}}) {
    const auto [a, b] = least_squares(x, acc);
    std::printf(
        "fashion-mnist,%s,%d,%.9g,%.9g,%d,%.3f,\"bench/accuracy_bench tau %d %lld %llu: "
        "NAHAS S1 at 28x28, 1 epoch on %lld images, 2000 test images\"\n",
        name, zb.batch, a, b, n, kendall_tau(x, acc), n, subset, seed, subset);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "train" && argc >= 5) return train(argv[2], std::atoi(argv[3]), std::atoll(argv[4]));
  if (mode == "tau" && argc >= 4) {
    return tau(std::atoi(argv[2]), std::atoll(argv[3]), argc > 4 ? std::stoull(argv[4]) : 1);
  }
  std::fprintf(stderr, "usage: accuracy_bench train NETWORK EPOCHS SUBSET | tau N SUBSET [SEED]\n");
  return 1;
}
