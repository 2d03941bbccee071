// The FPGA engine's benchmarks (results in bench/RESULTS.md):
//   fpga_bench table2   HotNAS Table II, each network on its own design,
//                       side by side with the paper (markdown)
//   fpga_bench speed    analytical layer evaluations per second and the
//                       wall time of one SystemC ResNet-18 job
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench/timing.h"
#include "models/fpga/config.h"
#include "models/fpga/idesign.h"
#include "models/network/zoo.h"
#include "plugins/builtins.h"
#include "sim/accelerator.h"

namespace {

using namespace coda;

// HotNAS Table II (16-bit, 200 MHz, ZCU102). The port columns are printed
// as (I_p, O_p, W_p) but hold (W_b, I_b, O_b) (reference/fpga.md); Tr and Tc
// are not in the table and come from the authors' released exploration
// results (hotNAS-CODES20 results/exploration_res/conv_only and
// util/conv_dconv_dse): 64 x 32 for AlexNet, 64 x 64 for the other
// networks without depthwise layers, 32 x 32 for those with.
struct Row {
  const char* network;  // coda zoo name
  const char* paper_name;
  int tm, tn, tm_dw, wb, ib, ob, tr, tc;
  int c, i, w, o;  // the paper's bottleneck counts
  double ms;
};

const std::vector<Row> kTable2 = {
    {"alexnet", "alexnet", 70, 36, 0, 18, 6, 2, 64, 32, 4, 0, 1, 0, 2.02},
    {"squeezenet1_1", "squeezenet 1.1", 70, 36, 0, 6, 14, 10, 64, 64, 5, 9, 4, 8, 2.47},
    {"mnasnet0_5", "mnasnet 0.5", 100, 16, 832, 6, 10, 14, 32, 32, 8, 16, 16, 12, 3.99},
    {"squeezenet1_0", "squeezenet 1.0", 130, 19, 0, 6, 10, 14, 64, 64, 8, 7, 4, 7, 4.61},
    {"proxyless_mobile", "proxyless mobile", 100, 16, 832, 10, 10, 10, 32, 32, 17, 15, 11, 18,
     5.83},
    {"mnasnet1_0", "mnasnet1.0", 100, 18, 704, 10, 10, 10, 32, 32, 7, 21, 10, 14, 5.94},
    {"resnet18", "resnet18", 70, 36, 0, 18, 6, 6, 64, 64, 8, 2, 10, 0, 6.27},
    {"mobilenet_v2", "mobilenet v2", 160, 12, 576, 10, 10, 10, 32, 32, 2, 20, 8, 22, 6.29},
    {"proxyless_gpu", "proxyless gpu", 130, 12, 832, 10, 10, 10, 32, 32, 8, 15, 11, 9, 6.49},
    {"fbnet_a", "fbnet", 100, 16, 832, 10, 10, 10, 32, 32, 11, 29, 10, 15, 7.37},
    {"proxyless_cpu", "proxyless cpu", 220, 8, 704, 10, 10, 10, 32, 32, 18, 5, 10, 28, 8.53},
};

ParamSet design_of(const Row& row, const std::vector<ParamDecl>& decls) {
  ParamSet p(decls);
  p.set("tm", row.tm);
  p.set("tn", row.tn);
  p.set("tm_dw", row.tm_dw);
  p.set("wb", row.wb);
  p.set("ib", row.ib);
  p.set("ob", row.ob);
  p.set("tr", row.tr);
  p.set("tc", row.tc);
  return p;
}

std::string counts(const sim::SimResult& r) {
  const auto& b = r.extra["bottlenecks"];
  return fmt::format("{} / {} / {} / {}", b["C"].get<int>(), b["I"].get<int>(), b["W"].get<int>(),
                     b["O"].get<int>());
}

int table2() {
  auto& acc = sim::accelerator("fpga");
  sim::SimOptions conv_only;
  conv_only.scope = "conv_only";
  std::printf(
      "| network | Tm | Tn | Tm(d) | W_b I_b O_b | Tr x Tc | paper ms | coda conv_only ms | diff | "
      "paper C/I/W/O | coda C/I/W/O | BRAM18K | network: analytical ms | network: SystemC ms |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& row : kTable2) {
    const ParamSet hw = design_of(row, acc.params());
    const auto net = network::build_zoo(row.network);
    const auto a = acc.analytical(net, hw, conv_only);
    const auto s = acc.simulate(net, hw, {});
    const auto t = acc.analytical(net, hw);
    const std::string design = fmt::format(
        "| {} | {} | {} | {} | {} {} {} | {} x {} ", row.paper_name, row.tm, row.tn,
        row.tm_dw ? std::to_string(row.tm_dw) : "-", row.wb, row.ib, row.ob, row.tr, row.tc);
    if (!a.feasible) {
      std::printf("%s| %.2f | infeasible: %s | | %d / %d / %d / %d | | | | |\n", design.c_str(),
                  row.ms, a.reason.c_str(), row.c, row.i, row.w, row.o);
      continue;
    }
    const double ms = a.latency_s * 1e3;
    const std::string net_ms =
        s.feasible ? fmt::format("{:.2f} | {:.2f}", t.latency_s * 1e3, s.latency_s * 1e3)
                   : "infeasible | infeasible";
    std::printf("%s| %.2f | %.2f | %+.0f%% | %d / %d / %d / %d | %s | %d | %s |\n", design.c_str(),
                row.ms, ms, 100 * (ms - row.ms) / row.ms, row.c, row.i, row.w, row.o,
                counts(a).c_str(), a.extra["resources"]["bram18k"]["used"].get<int>(),
                net_ms.c_str());
  }
  return 0;
}

int speed() {
  auto& acc = sim::accelerator("fpga");
  const ParamSet hw(acc.params());
  const fpga::FpgaConfig cfg = fpga::FpgaConfig::from(hw);
  const auto net = network::build_zoo("resnet18");
  // The analytical model alone: every layer of ResNet-18 through eq. 2-13.
  const auto layers = fpga::engine_layers(net, fpga::Scope::kNetwork, cfg.data_bits);
  double sink = 0;
  const int reps = 20000;
  const double per_net = coda::bench::seconds_per_call(
      [&] {
        for (const auto& l : layers) sink += fpga::estimate(l, cfg, fpga::Scope::kNetwork).cycles;
      },
      reps);
  std::printf("analytical: %.0f layer evaluations/s (%zu layers of resnet18, %d reps, sink %g)\n",
              layers.size() / per_net, layers.size(), reps, sink > 0 ? 1.0 : 0.0);
  const double job = coda::bench::seconds_per_call([&] { acc.analytical(net, hw); }, 2000);
  std::printf("analytical job (resnet18, with result records): %.3f ms\n", job * 1e3);
  acc.simulate(net, hw, {});  // elaborates the session
  const double sim = coda::bench::seconds_per_call([&] { acc.simulate(net, hw, {}); }, 200);
  const auto r = acc.simulate(net, hw, {});
  std::printf("systemc job (resnet18, %s steps): %.3f ms wall\n", r.stats["steps"].dump().c_str(),
              sim * 1e3);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  coda::register_builtins();
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "table2") return table2();
  if (mode == "speed") return speed();
  std::fprintf(stderr, "usage: fpga_bench table2|speed\n");
  return 1;
}
