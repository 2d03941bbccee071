// Look-up speed of a latency look-up table (results in bench/RESULTS.md):
// `lut_bench <lut.json> <space>`: layer look-ups per second for each
// correction from choices, and whole queries through the cost-model
// interface (recognising each block of a decoded network first).
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "bench/timing.h"
#include "models/cost/lut.h"
#include "models/space/nas_space.h"
#include "plugins/builtins.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: lut_bench <lut.json> <nas space>\n");
    return 1;
  }
  coda::register_builtins();
  const auto lut = coda::cost::LatencyLut::load(argv[1]);
  const auto space = coda::space::NasSpace::open(argv[2]);
  std::mt19937_64 rng(1);
  std::vector<std::vector<int>> combos;
  std::vector<coda::network::Network> nets;
  for (int i = 0; i < 200; ++i) {
    const auto x = space.sample(rng);
    nets.push_back(space.decode(x));
    combos.push_back(lut.recognise(nets.back()));
  }
  const double layers = static_cast<double>(lut.layers());
  double sink = 0;
  for (const auto& [name, c] : {std::pair{"none", coda::cost::LutCorrection::kNone},
                                std::pair{"supernet", coda::cost::LutCorrection::kSupernet},
                                std::pair{"single_path", coda::cost::LutCorrection::kSinglePath}}) {
    std::size_t i = 0;
    const double s = coda::bench::seconds_per_call(
        [&] { sink += lut.latency_s(combos[i++ % combos.size()], c); }, 200000);
    // eq. 8 touches every layer in each of the L contexts.
    const double lookups = c == coda::cost::LutCorrection::kSinglePath ? layers * layers : layers;
    std::printf("lut %s: %.0f layer look-ups/s (%.2f us per network of %zu layers)\n", name,
                lookups / s, s * 1e6, lut.layers());
  }
  std::size_t i = 0;
  const double s = coda::bench::seconds_per_call(
      [&] { sink += static_cast<double>(lut.recognise(nets[i++ % nets.size()]).size()); }, 20000);
  std::printf("recognising a decoded network's blocks: %.2f us per network (sink %g)\n", s * 1e6,
              sink);
  return 0;
}
