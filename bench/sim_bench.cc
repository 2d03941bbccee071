// Speed benchmark of one accelerator job after elaboration (results in
// bench/RESULTS.md): `sim_bench <arch> <network> [reps] [hw.yaml]`.
#include <cstdio>
#include <string>

#include "bench/timing.h"
#include "models/network/zoo.h"
#include "plugins/builtins.h"
#include "sim/accelerator.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sim_bench <arch> <network> [reps] [hw.yaml]\n");
    return 1;
  }
  coda::register_builtins();
  const std::string arch = argv[1], net_name = argv[2];
  const int reps = argc > 3 ? std::stoi(argv[3]) : 100;
  auto& acc = coda::sim::accelerator(arch);
  const coda::ParamSet hw =
      argc > 4 ? coda::load_params_file(acc.params(), argv[4], arch) : coda::ParamSet(acc.params());
  const auto net = coda::network::build_zoo(net_name);
  acc.simulate(net, hw, {});  // elaborates the session
  const double sim_s = coda::bench::seconds_per_call([&] { acc.simulate(net, hw, {}); }, reps);
  const double twin_s = coda::bench::seconds_per_call([&] { acc.analytical(net, hw); }, reps);
  std::printf("%s %s: systemc %.3f ms/job, analytical %.3f ms/job (%d reps)\n", arch.c_str(),
              net_name.c_str(), sim_s * 1e3, twin_s * 1e3, reps);
  return 0;
}
