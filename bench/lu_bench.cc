// Speed of Lu et al.'s Algorithm 1 (results in bench/RESULTS.md): the
// dynamic-programming hardware search on the paper's 6-layer networks with
// full Tm/Tn ranges, at every <rL, rT> of §4.
#include <cstdio>

#include "bench/timing.h"
#include "models/network/zoo.h"
#include "models/pipelined/config.h"
#include "models/pipelined/design.h"
#include "plugins/builtins.h"

int main() {
  coda::register_builtins();
  using namespace coda::pipelined;
  const auto hw = PipelinedConfig::from(coda::ParamSet(pipelined_params()));
  double worst = 0;
  for (const char* name : {"lu_a1", "lu_b1", "lu_d", "lu_e", "lu_f"}) {
    const auto layers = pipe_layers(coda::network::build_zoo(name), hw, nullptr);
    for (long long rl : {30000LL, 100000LL, 300000LL}) {
      for (double rt : {500.0, 1000.0, 2000.0}) {
        SearchResult r;
        const double s = coda::bench::seconds_per_call(
            [&] { r = search_hardware(layers, rl, rt, hw.clock_hz()); }, 5);
        worst = std::max(worst, s);
        std::printf("%-6s rL=%-6lld rT=%-5.0f %-10s frontier %3zu, states %5lld: %.1f ms\n", name,
                    rl, rt, r.exists ? "feasible" : "infeasible", r.frontier.size(), r.states,
                    s * 1e3);
      }
    }
  }
  std::printf("slowest call: %.1f ms (target <= 1000 ms)\n", worst * 1e3);
  return 0;
}
