// Speed benchmarks of the edge accelerator (results in bench/RESULTS.md):
// one MobileNetV2 job after elaboration, and the analytical twin.
#include <chrono>
#include <cstdio>
#include <string>

#include "models/edge/config.h"
#include "models/network/zoo.h"
#include "models/registry.h"
#include "sim/accelerator.h"

namespace {

template <typename F>
double seconds_per_call(F&& f, int reps) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
}

}  // namespace

int main(int argc, char** argv) {
  coda::register_accelerators();
  const std::string net_name = argc > 1 ? argv[1] : "mobilenet_v2";
  const int reps = argc > 2 ? std::stoi(argv[2]) : 200;
  auto& edge = coda::sim::accelerator("edge");
  const coda::ParamSet hw(edge.params());
  const auto net = coda::network::build_zoo(net_name);
  edge.simulate(net, hw, {});  // elaborates the session
  const double sim_s = seconds_per_call([&] { edge.simulate(net, hw, {}); }, reps);
  const double twin_s = seconds_per_call([&] { edge.analytical(net, hw); }, reps);
  const double plan_s = seconds_per_call([&] { coda::edge::EdgeConfig::from(hw); }, reps);
  (void)plan_s;
  std::printf("edge %s: systemc %.3f ms/job, analytical %.3f ms/job (%d reps)\n", net_name.c_str(),
              sim_s * 1e3, twin_s * 1e3, reps);
  return 0;
}
