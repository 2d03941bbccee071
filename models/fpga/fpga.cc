#include "models/fpga/fpga.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "core/error.h"
#include "models/fpga/config.h"
#include "models/fpga/idesign.h"
#include "sim/stats.h"

namespace coda::fpga {
namespace {

// Steps queued ahead of the compute engine by a job's feed (see simulate).
constexpr std::size_t kWindow = 64;

using sc_core::SC_SEC;
using sc_core::sc_time;

// DMA bursts: large enough that a ResNet-18 job stays a few thousand events,
// small enough that streams interleave on the DDR.
constexpr std::uint64_t kBurstBytes = 64 * 1024;

nlohmann::json resources(const FpgaConfig& hw, int k) {
  const MemoryUse m = hw.memory(k);
  return {{"dsp", {{"used", hw.dsp_used()}, {"available", hw.device.dsp}}},
          {"bram18k", {{"used", m.bram()}, {"available", hw.device.bram18k}}},
          {"lutram_mbit", {{"used", m.lutram_mbit}, {"available", hw.device.lutram_mbit}}},
          {"bandwidth_words_per_cycle",
           {{"used", hw.words_per_cycle()}, {"available", hw.device.port_bits / hw.data_bits}}}};
}

nlohmann::json design(const FpgaConfig& hw) {
  return {{"device", hw.device.name},
          {"clock_mhz", hw.clock_mhz},
          {"data_bits", hw.data_bits},
          {"tm", hw.tm},
          {"tn", hw.tn},
          {"tr", hw.tr},
          {"tc", hw.tc},
          {"tm_dw", hw.tm_dw},
          {"ib", hw.ib},
          {"wb", hw.wb},
          {"ob", hw.ob}};
}

double peak_macs(const FpgaConfig& hw, Kind k) {
  return k == Kind::kDepthwise ? hw.tm_dw : static_cast<double>(hw.tm) * hw.tn;
}

std::string class_name(char c) {
  return std::string(1, c);
}

class FpgaAccelerator : public sim::Accelerator {
 public:
  using sim::Accelerator::analytical;
  std::string name() const override { return "fpga"; }
  const std::vector<ParamDecl>& params() const override { return fpga_params(); }
  std::string validate(const ParamSet& hw) const override {
    return check_resources(FpgaConfig::from(hw), 1);
  }
  double area_mm2(const ParamSet&) const override { return 0; }

  sim::SimResult analytical(const network::Network& net, const ParamSet& params,
                            const sim::SimOptions& opts) override {
    Prepared p = prepare(net, params, opts);
    if (!p.result.feasible) return p.result;
    sim::SimResult& r = p.result;
    double total = 0, macs = 0;
    for (const auto& l : p.layers) {
      const LayerEstimate e = estimate(l, p.hw, p.scope);
      sim::LayerResult lr = layer_result(l, p.hw, e.cycles);
      lr.bottleneck = class_name(e.bottleneck);
      lr.extra["tiles"] = e.tiles();
      lr.extra["steps_per_tile"] = e.steps_n;
      lr.extra["step_cycles"] = {{"comp", e.t_comp}, {"ifm", e.t_i}, {"weights", e.t_w}};
      lr.extra["ofm_cycles"] = e.t_o;
      total += e.cycles;
      macs += static_cast<double>(l.macs);
      r.layers.push_back(std::move(lr));
    }
    finish(r, p.hw, total, macs);
    return r;
  }

  sim::SimResult simulate(const network::Network& net, const ParamSet& params,
                          const sim::SimOptions& opts) override {
    Prepared p = prepare(net, params, opts);
    if (!p.result.feasible) return p.result;
    sim::SimResult& r = p.result;
    const FpgaConfig& hw = p.hw;
    sim::Session& session = sim::Session::instance();
    FpgaPart& part = session.part<FpgaPart>("fpga");
    session.dram().configure({hw.device.dram_gbps * 1e9, hw.device.dram_latency_ns * 1e-9});
    session.dram().reset();
    const double word_bytes = hw.data_bits / 8.0;
    const double clock = hw.clock_hz();
    part.i_dma.set_port_bandwidth(hw.ib * word_bytes * clock);
    part.w_dma.set_port_bandwidth(hw.wb * word_bytes * clock);
    part.o_dma.set_port_bandwidth(hw.ob * word_bytes * clock);
    for (sim::Dma* d : {&part.i_dma, &part.w_dma, &part.o_dma}) {
      d->set_burst_bytes(kBurstBytes);
      d->reset_stats();
    }
    for (sim::Engine* e : {&part.i_load, &part.w_load, &part.compute, &part.store})
      e->reset_stats();

    const std::size_t nl = p.layers.size();
    // Per layer: busy time of the IFM, weight, compute and OFM units, and the
    // completion of its last store.
    std::vector<std::array<double, 4>> busy(nl, std::array<double, 4>{});
    std::vector<sc_time> end(nl, sc_core::SC_ZERO_TIME);
    const sc_time start = sc_core::sc_time_stamp();
    std::array<sim::Token, 4> tok;  // IFM loaded, weights loaded, computed, stored
    sim::Token &i_loaded = tok[0], &w_loaded = tok[1], &computed = tok[2], &stored = tok[3];
    std::uint64_t k = 0, t = 0;
    const double cycle_s = 1.0 / clock;
    // The feed engine walks the steps inside the simulation; before each
    // step it waits until the compute queue holds fewer than kWindow steps.
    // The loaders run at most two steps ahead of the compute and the store
    // behind it, so every queue stays within the window.
    sim::Command feed;
    feed.work = [&] {
      for (std::size_t li = 0; li < nl; ++li) {
        const std::uint64_t stored_before = t;
        bool first_of_layer = true, tile_open = false;
        auto* b = &busy[li];
        auto* e = &end[li];
        StepVisitor v;
        v.step = [&](double i_words, double w_beats, double comp) {
          // Loads fill the half that step k - 2 used; the layer's input is the
          // previous layer's output, so its first load waits for every store.
          part.compute.wait_below(kWindow);
          sim::Command li_cmd, lw_cmd, c_cmd;
          if (k >= 2) {
            li_cmd.waits.push_back({&computed, k - 1});
            lw_cmd.waits.push_back({&computed, k - 1});
          }
          if (first_of_layer && stored_before > 0) li_cmd.waits.push_back({&stored, stored_before});
          const auto i_bytes = static_cast<std::uint64_t>(std::llround(i_words * word_bytes));
          const auto w_bytes =
              static_cast<std::uint64_t>(std::llround(w_beats * hw.wb * word_bytes));
          // Loaders keep requests outstanding: they move on once the port took
          // the last burst; the compute waits for the data to arrive.
          // When this step's IFM and weights have arrived (requests run
          // ahead), shared by its load and compute commands.
          const auto ai = std::make_shared<sc_time>(), aw = std::make_shared<sc_time>();
          li_cmd.work = [&part, b, i_bytes, ai] {
            timed(&(*b)[0],
                  [&] { *ai = sc_core::sc_time_stamp() + part.i_dma.issue(i_bytes, false); });
          };
          lw_cmd.work = [&part, b, w_bytes, aw] {
            timed(&(*b)[1],
                  [&] { *aw = sc_core::sc_time_stamp() + part.w_dma.issue(w_bytes, false); });
          };
          li_cmd.signals = {&i_loaded};
          lw_cmd.signals = {&w_loaded};
          c_cmd.waits = {{&i_loaded, k + 1}, {&w_loaded, k + 1}};
          // An output tile writes the OFM half of tile t - 2.
          if (!tile_open && t >= 2) c_cmd.waits.push_back({&stored, t - 1});
          const sc_time dt(comp * cycle_s, SC_SEC);
          c_cmd.work = [b, dt, ai, aw] {
            const sc_time ready = std::max(*ai, *aw);
            if (ready > sc_core::sc_time_stamp()) sc_core::wait(ready - sc_core::sc_time_stamp());
            timed(&(*b)[2], [&] { sc_core::wait(dt); });
          };
          c_cmd.signals = {&computed};
          part.i_load.push(std::move(li_cmd));
          part.w_load.push(std::move(lw_cmd));
          part.compute.push(std::move(c_cmd));
          ++k;
          first_of_layer = false;
          tile_open = true;
        };
        v.tile_done = [&](double o_words) {
          sim::Command s_cmd;
          s_cmd.waits = {{&computed, k}};
          const auto o_bytes = static_cast<std::uint64_t>(std::llround(o_words * word_bytes));
          // The OFM half is free once the port took the data; the layer is
          // done when the last write has landed.
          s_cmd.work = [&part, b, e, o_bytes] {
            sc_time in_flight;
            timed(&(*b)[3], [&] { in_flight = part.o_dma.issue(o_bytes, true); });
            *e = std::max(*e, sc_core::sc_time_stamp() + in_flight);
          };
          s_cmd.signals = {&stored};
          part.store.push(std::move(s_cmd));
          ++t;
          tile_open = false;
        };
        for_each_step(p.layers[li], hw, v);
      }
    };
    part.feed.push(std::move(feed));
    const sc_time elapsed = session.run();

    double macs = 0;
    sc_time prev = start;
    for (std::size_t li = 0; li < nl; ++li) {
      const FpgaLayer& l = p.layers[li];
      const double cycles = (end[li] - prev).to_seconds() * clock;
      prev = std::max(prev, end[li]);
      sim::LayerResult lr = layer_result(l, hw, cycles);
      const auto& bz = busy[li];
      // Property 2 over the layer's measured busy times.
      const double n_lat1 = std::max({bz[0], bz[1], bz[2]});
      lr.bottleneck = class_name(classify(bz[2], bz[0], bz[1], n_lat1, bz[3]));
      lr.extra["busy_cycles"] = {{"ifm", bz[0] * clock},
                                 {"weights", bz[1] * clock},
                                 {"comp", bz[2] * clock},
                                 {"ofm", bz[3] * clock}};
      const LayerEstimate twin = estimate(l, hw, Scope::kNetwork);
      lr.extra["analytical_cycles"] = twin.cycles;
      lr.extra["analytical_bottleneck"] = class_name(twin.bottleneck);
      lr.extra["difference_pct"] = cycles > 0 ? 100 * (twin.cycles - cycles) / cycles : 0;
      lr.extra["tiles"] = twin.tiles();
      macs += static_cast<double>(l.macs);
      r.layers.push_back(std::move(lr));
    }
    finish(r, hw, elapsed.to_seconds() * clock, macs);
    sim::StatGroup stats("fpga");
    stats.set(stats.add("dram_bytes_read", "byte", "bytes read from off-chip memory"),
              static_cast<double>(session.dram().bytes_read()));
    stats.set(stats.add("dram_bytes_written", "byte", "bytes written to off-chip memory"),
              static_cast<double>(session.dram().bytes_written()));
    stats.set(stats.add("steps", "step", "tile steps simulated (one Tm x Tn block of a tile)"),
              static_cast<double>(k));
    stats.set(stats.add("output_tiles", "tile", "output tiles stored"), static_cast<double>(t));
    const double total = elapsed.to_seconds();
    const std::pair<const char*, const sim::Engine*> engines[] = {{"ifm_load", &part.i_load},
                                                                  {"weight_load", &part.w_load},
                                                                  {"compute", &part.compute},
                                                                  {"store", &part.store}};
    for (const auto& [name, engine] : engines) {
      stats.set(stats.add(std::string(name) + "_busy_fraction", "fraction",
                          std::string("share of the run the ") + name + " engine worked"),
                total > 0 ? engine->busy().to_seconds() / total : 0);
    }
    r.stats = stats.to_json();
    return r;
  }

 private:
  struct Prepared {
    FpgaConfig hw;
    Scope scope = Scope::kNetwork;
    std::vector<FpgaLayer> layers;
    sim::SimResult result;
  };

  template <typename F>
  static void timed(double* acc, F&& f) {
    const sc_time s = sc_core::sc_time_stamp();
    f();
    *acc += (sc_core::sc_time_stamp() - s).to_seconds();
  }

  Prepared prepare(const network::Network& net, const ParamSet& params,
                   const sim::SimOptions& opts) const {
    Prepared p;
    p.hw = FpgaConfig::from(params);
    p.scope = parse_scope(opts.scope);
    sim::SimResult& r = p.result;
    r.arch = "fpga";
    r.network = net.name();
    try {
      p.layers = engine_layers(net, p.scope, p.hw.data_bits);
    } catch (const InputError& e) {
      // A layer the engine cannot run makes the design infeasible, so a
      // search or sweep records it instead of stopping.
      r.feasible = false;
      r.reason = e.message();
      return p;
    }
    const int k = max_kernel(p.layers);
    r.extra["resources"] = resources(p.hw, k);
    r.extra["design"] = design(p.hw);
    r.extra["scope"] = scope_name(p.scope);
    std::string why = check_resources(p.hw, k);
    if (why.empty()) why = check_layers(p.layers, p.hw);
    if (!why.empty()) {
      r.feasible = false;
      r.reason = why;
    }
    return p;
  }

  static sim::LayerResult layer_result(const FpgaLayer& l, const FpgaConfig& hw, double cycles) {
    sim::LayerResult lr;
    lr.name = l.name;
    lr.op = l.kind == Kind::kDepthwise ? "depthwise" : l.op;
    lr.cycles = cycles;
    lr.latency_s = cycles / hw.clock_hz();
    lr.macs = l.macs;
    const double peak = peak_macs(hw, l.kind);
    lr.utilization = cycles > 0 && peak > 0 ? static_cast<double>(l.macs) / (cycles * peak) : 0;
    return lr;
  }

  static void finish(sim::SimResult& r, const FpgaConfig& hw, double cycles, double macs) {
    r.cycles = cycles;
    r.latency_s = cycles / hw.clock_hz();
    const double peak = static_cast<double>(hw.tm) * hw.tn + hw.tm_dw;
    r.utilization = cycles > 0 ? macs / (cycles * peak) : 0;
    std::array<int, 4> counts{};
    for (const auto& l : r.layers) {
      const std::string order = "OIWC";
      const auto pos = order.find(l.bottleneck);
      if (pos != std::string::npos) ++counts[pos];
    }
    r.extra["bottlenecks"] = {
        {"O", counts[0]}, {"I", counts[1]}, {"W", counts[2]}, {"C", counts[3]}};
  }
};

}  // namespace

FpgaPart::FpgaPart(sc_core::sc_module_name name, sim::Session& session) : sc_core::sc_module(name) {
  for (sim::Dma* d : {&i_dma, &w_dma, &o_dma}) d->socket.bind(session.interconnect().targets);
  if (auto* tf = session.trace_file()) {
    for (sim::Engine* e : {&i_load, &w_load, &compute, &store}) e->trace(tf);
  }
}

std::unique_ptr<sim::Accelerator> make_fpga_accelerator() {
  return std::make_unique<FpgaAccelerator>();
}

void register_fpga() {
  sim::parts().add({"fpga",
                    "the tiled FPGA engine's loaders, compute and store engines and DMAs",
                    {},
                    [](sim::Session& s) { return std::make_unique<FpgaPart>("fpga", s); }});
  sim::accelerators().add({"fpga",
                           "the tiled FPGA engine of HotNAS (iDesign) on a ZCU102, with iDetect "
                           "bottlenecks",
                           {},
                           make_fpga_accelerator});
}

}  // namespace coda::fpga
