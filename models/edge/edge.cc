#include "models/edge/edge.h"

#include <algorithm>
#include <deque>

#include "models/edge/area_energy.h"
#include "models/edge/coefficients.h"
#include "models/edge/config.h"
#include "models/edge/mapper.h"
#include "sim/stats.h"

namespace coda::edge {
namespace {

using sc_core::SC_SEC;
using sc_core::sc_time;

const char* unit_name(Unit u) {
  switch (u) {
    case Unit::kArray:
      return "array";
    case Unit::kVector:
      return "vector";
    case Unit::kFree:
      return "none";
  }
  return "?";
}

// What bounds a layer when its phases overlap.
std::string bottleneck(const LayerPlan& p, double dram_cycles) {
  if (p.unit == Unit::kFree) return "none";
  const double work = std::max({p.compute_cycles, p.lm_cycles, p.nlu_cycles, dram_cycles});
  if (p.setup_cycles > work) return "setup";
  if (work == dram_cycles) return "io";
  if (work == p.nlu_cycles) return "nonlinear";
  if (work == p.lm_cycles) return "local_memory";
  return "compute";
}

double dram_cycles(const LayerPlan& p, const EdgeConfig& hw) {
  return p.dram_read_bytes / (hw.io_bandwidth_gbps * 1e9) * hw.clock_hz();
}

sim::SimResult base_result(const network::Network& net, const EdgeConfig& hw) {
  sim::SimResult r;
  r.arch = "edge";
  r.network = net.name();
  const AreaBreakdown a = area(hw);
  r.area_mm2 = a.total_mm2();
  r.extra["area"] = a.to_json();
  r.extra["peak_tops"] = hw.peak_tops();
  return r;
}

void finish(sim::SimResult& r, const NetworkPlan& plan, const EdgeConfig& hw) {
  double macs = 0;
  for (const auto& l : plan.layers) macs += static_cast<double>(l.macs);
  r.utilization = r.cycles > 0 ? macs / (r.cycles * static_cast<double>(hw.macs_per_cycle())) : 0;
  const EnergyBreakdown e = energy(plan, hw, r.latency_s);
  r.energy_j = e.total_j();
  r.extra["energy"] = e.to_json();
  r.extra["weights"] = {{"resident", plan.weights_resident},
                        {"total_bytes", plan.total_weight_bytes},
                        {"tile_bytes", plan.weight_tile_bytes}};
  r.extra["max_live_activation_bytes_per_pe"] = plan.max_live_bytes_per_pe;
}

sim::LayerResult layer_result(const LayerPlan& p, const EdgeConfig& hw, double cycles) {
  sim::LayerResult lr;
  lr.name = p.name;
  lr.op = p.op;
  lr.cycles = cycles;
  lr.latency_s = cycles / hw.clock_hz();
  lr.macs = p.macs;
  lr.utilization =
      cycles > 0 ? static_cast<double>(p.macs) / (cycles * static_cast<double>(hw.macs_per_cycle()))
                 : 0;
  lr.bottleneck = bottleneck(p, dram_cycles(p, hw));
  lr.extra = {{"unit", unit_name(p.unit)}, {"mapping", p.mapping}};
  return lr;
}

sim::SimResult infeasible(sim::SimResult r, const std::string& reason) {
  r.feasible = false;
  r.reason = reason;
  return r;
}

class EdgeAccelerator : public sim::Accelerator {
 public:
  using sim::Accelerator::analytical;
  std::string name() const override { return "edge"; }
  const std::vector<ParamDecl>& params() const override { return edge_params(); }

  std::string validate(const ParamSet& hw) const override {
    // Every in-range combination can be built; feasibility depends on the
    // network (mapping, memory), which simulate() reports.
    (void)hw;
    return "";
  }

  double area_mm2(const ParamSet& hw) const override {
    return area(EdgeConfig::from(hw)).total_mm2();
  }

  sim::SimResult simulate(const network::Network& net, const ParamSet& params,
                          const sim::SimOptions& opts) override;
  sim::SimResult analytical(const network::Network& net, const ParamSet& params,
                            const sim::SimOptions& opts) override;
};

// The roofline twin: every layer takes its setup plus the largest of its
// compute, local-memory, non-linear and off-chip times; the image load and
// result store do not overlap anything.
sim::SimResult EdgeAccelerator::analytical(const network::Network& net, const ParamSet& params,
                                           const sim::SimOptions&) {
  const EdgeConfig hw = EdgeConfig::from(params);
  sim::SimResult r = base_result(net, hw);
  const NetworkPlan plan = plan_network(net, hw);
  if (!plan.feasible) return infeasible(r, plan.reason);
  const double bw = hw.io_bandwidth_gbps * 1e9;
  const double image_bytes =
      static_cast<double>(net.input_shape().elements()) * hw.bytes_per_element();
  const double lat_cycles = coef::kDramLatencyS * hw.clock_hz();
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    const LayerPlan& p = plan.layers[i];
    double cycles = 0;
    if (p.unit != Unit::kFree) {
      const double weights_in = p.dram_read_bytes - (i == 0 ? image_bytes : 0);
      cycles = p.setup_cycles + std::max({p.compute_cycles, p.lm_cycles, p.nlu_cycles,
                                          weights_in / bw * hw.clock_hz()});
    }
    r.layers.push_back(layer_result(p, hw, cycles));
    r.cycles += cycles;
  }
  const double in_cycles = image_bytes / bw * hw.clock_hz() + lat_cycles;
  const double out_cycles = plan.layers.back().dram_write_bytes / bw * hw.clock_hz() + lat_cycles;
  r.extra["input_load_cycles"] = in_cycles;
  r.extra["output_store_cycles"] = out_cycles;
  r.cycles += in_cycles + out_cycles;
  r.latency_s = r.cycles / hw.clock_hz();
  finish(r, plan, hw);
  return r;
}

sim::SimResult EdgeAccelerator::simulate(const network::Network& net, const ParamSet& params,
                                         const sim::SimOptions& /*opts*/) {
  const EdgeConfig hw = EdgeConfig::from(params);
  sim::SimResult r = base_result(net, hw);
  const NetworkPlan plan = plan_network(net, hw);
  if (!plan.feasible) return infeasible(r, plan.reason);

  sim::Session& session = sim::Session::instance();
  EdgePart& part = session.part<EdgePart>("edge");
  session.dram().configure({hw.io_bandwidth_gbps * 1e9, coef::kDramLatencyS});
  session.dram().reset();
  part.dma.set_burst_bytes(coef::kBurstBytes);
  part.dma.reset_stats();
  for (sim::Engine* e : {&part.io, &part.lm, &part.array, &part.nlu}) e->reset_stats();

  const double cycle_s = 1.0 / hw.clock_hz();
  auto cycles = [cycle_s](double n) { return sc_time(n * cycle_s, SC_SEC); };
  const sc_time t0 = sc_core::sc_time_stamp();

  // Tokens live until the run ends. One per weight tile load, array tile,
  // and layer completion; each is signalled exactly once.
  std::deque<sim::Token> tokens;
  auto token = [&tokens]() -> sim::Token* { return &tokens.emplace_back(); };
  std::vector<sc_time> layer_end(plan.layers.size());
  sim::Token* image_loaded = token();
  const double image_bytes = net.input_shape().elements() * hw.bytes_per_element();
  sc_time image_done;
  part.io.push({{},
                [&part, image_bytes, &image_done] {
                  part.dma.transfer(static_cast<std::uint64_t>(image_bytes), false);
                  image_done = sc_core::sc_time_stamp();
                },
                {image_loaded}});

  sim::Token* previous_done = image_loaded;
  // Per streamed weight tile, in order: signalled when its buffer is free.
  std::vector<sim::Token*> weight_released;
  for (std::size_t li = 0; li < plan.layers.size(); ++li) {
    const LayerPlan& p = plan.layers[li];
    sim::Token* done = token();
    if (p.unit == Unit::kFree) {
      part.array.push({{{previous_done, 1}},
                       [&layer_end, li] { layer_end[li] = sc_core::sc_time_stamp(); },
                       {done}});
      previous_done = done;
      continue;
    }
    const bool stream = !plan.weights_resident && p.weight_bytes > 0;
    // Tiles flow I/O -> local memory -> register files -> SIMD lanes. The
    // layer is cut into at least kPipelineTiles so the stages overlap; weight
    // tiles (when streamed) are the coarser grain.
    const int wtiles = p.tiles;
    const double stage = std::max(p.compute_cycles, p.lm_cycles);
    const int tiles = std::max(wtiles, std::clamp(static_cast<int>(stage / coef::kMinTileCycles), 4,
                                                  coef::kPipelineTiles));
    const double tile_compute = p.compute_cycles / tiles;
    const double tile_lm = p.lm_cycles / tiles;
    const double tile_nlu = p.nlu_cycles / tiles;
    std::vector<sim::Token*> loaded(static_cast<std::size_t>(wtiles), nullptr);
    std::vector<sim::Token*> released(static_cast<std::size_t>(wtiles), nullptr);
    if (stream) {
      for (int w = 0; w < wtiles; ++w) {
        loaded[static_cast<std::size_t>(w)] = token();
        released[static_cast<std::size_t>(w)] = token();
        const double bytes = w + 1 < wtiles
                                 ? plan.weight_tile_bytes
                                 : p.weight_bytes - plan.weight_tile_bytes * (wtiles - 1);
        // Double-buffered weight tiles: a buffer frees when the last compute
        // tile of the weight tile two back is done.
        std::vector<std::pair<sim::Token*, std::uint64_t>> waits;
        if (weight_released.size() >= 2)
          waits.push_back({weight_released[weight_released.size() - 2], 1});
        part.io.push(
            {waits,
             [&part, bytes] { part.dma.transfer(static_cast<std::uint64_t>(bytes), false); },
             {loaded[static_cast<std::size_t>(w)]}});
        weight_released.push_back(released[static_cast<std::size_t>(w)]);
      }
    }
    // Engine configuration overlaps the first register-file fill.
    sim::Token* configured = token();
    part.array.push({{{previous_done, 1}},
                     [cycles, setup = p.setup_cycles] { sc_core::wait(cycles(setup)); },
                     {configured}});
    std::vector<sim::Token*> computed(static_cast<std::size_t>(tiles));
    for (int t = 0; t < tiles; ++t) {
      const int w = t * wtiles / tiles;
      sim::Token* staged = token();
      std::vector<std::pair<sim::Token*, std::uint64_t>> lm_waits = {{previous_done, 1}};
      if (stream) lm_waits.push_back({loaded[static_cast<std::size_t>(w)], 1});
      // Register files are double-buffered: fill t once tile t-2 is computed.
      if (t >= 2) lm_waits.push_back({computed[static_cast<std::size_t>(t - 2)], 1});
      part.lm.push({lm_waits, [cycles, tile_lm] { sc_core::wait(cycles(tile_lm)); }, {staged}});

      computed[static_cast<std::size_t>(t)] = token();
      const bool last = t + 1 == tiles;
      std::vector<sim::Token*> signals = {computed[static_cast<std::size_t>(t)]};
      if (last && p.nlu_cycles == 0) signals.push_back(done);
      // The last compute tile of a weight tile frees its buffer.
      if (stream && (last || (t + 1) * wtiles / tiles != w))
        signals.push_back(released[static_cast<std::size_t>(w)]);
      std::vector<std::pair<sim::Token*, std::uint64_t>> waits = {{staged, 1}};
      if (t == 0) waits.push_back({configured, 1});
      part.array.push({waits,
                       [cycles, tile_compute, last, li, &layer_end, nlu = p.nlu_cycles] {
                         sc_core::wait(cycles(tile_compute));
                         if (last && nlu == 0) layer_end[li] = sc_core::sc_time_stamp();
                       },
                       signals});
      if (p.nlu_cycles > 0) {
        part.nlu.push({{{computed[static_cast<std::size_t>(t)], 1}},
                       [cycles, tile_nlu, last, li, &layer_end] {
                         sc_core::wait(cycles(tile_nlu));
                         if (last) layer_end[li] = sc_core::sc_time_stamp();
                       },
                       last ? std::vector<sim::Token*>{done} : std::vector<sim::Token*>{}});
      }
    }
    previous_done = done;
  }
  const double out_bytes = plan.layers.back().dram_write_bytes;
  sc_time end;
  part.io.push({{{previous_done, 1}},
                [&part, out_bytes, &end] {
                  part.dma.transfer(static_cast<std::uint64_t>(out_bytes), true);
                  end = sc_core::sc_time_stamp();
                },
                {}});
  session.run();

  // Layer cycles run from the previous layer's end; the image load and the
  // result store are reported beside the layers.
  sc_time prev = image_done;
  for (std::size_t li = 0; li < plan.layers.size(); ++li) {
    const double c = (layer_end[li] - prev).to_seconds() * hw.clock_hz();
    r.layers.push_back(layer_result(plan.layers[li], hw, c));
    prev = layer_end[li];
  }
  r.extra["input_load_cycles"] = (image_done - t0).to_seconds() * hw.clock_hz();
  r.extra["output_store_cycles"] = (end - prev).to_seconds() * hw.clock_hz();
  r.latency_s = (end - t0).to_seconds();
  r.cycles = r.latency_s * hw.clock_hz();
  finish(r, plan, hw);
  const double total = r.latency_s;
  sim::StatGroup stats("edge");
  stats.set(stats.add("io_busy_fraction", "fraction", "share of the run the I/O engine moved data"),
            part.io.busy().to_seconds() / total);
  stats.set(stats.add("lm_busy_fraction", "fraction",
                      "share of the run local memory filled register files"),
            part.lm.busy().to_seconds() / total);
  stats.set(stats.add("array_busy_fraction", "fraction", "share of the run the SIMD lanes worked"),
            part.array.busy().to_seconds() / total);
  stats.set(
      stats.add("nlu_busy_fraction", "fraction", "share of the run the non-linear unit worked"),
      part.nlu.busy().to_seconds() / total);
  stats.set(stats.add("dram_bytes_read", "byte", "bytes read from off-chip memory"),
            static_cast<double>(session.dram().bytes_read()));
  stats.set(stats.add("dram_bytes_written", "byte", "bytes written to off-chip memory"),
            static_cast<double>(session.dram().bytes_written()));
  r.stats = stats.to_json();
  return r;
}

}  // namespace

std::vector<SystolicRun> simulate_systolic(const std::vector<SystolicLayer>& layers,
                                           const SystolicConfig& cfg) {
  sim::Session& session = sim::Session::instance();
  EdgePart& part = session.part<EdgePart>("edge");
  // Time base: one array cycle is one nanosecond; one word is one byte.
  const double cycle_s = 1e-9;
  const double words_per_cycle = cfg.bandwidth_words_per_cycle.front();
  // CALC: SCALE-Sim sizes the interface to the demand, so it never stalls.
  const double bandwidth = cfg.calc_bandwidth ? 1e21 : words_per_cycle / cycle_s;
  part.dma.set_burst_bytes(coef::kBurstBytes);
  std::vector<SystolicRun> out;
  for (const SystolicLayer& layer : layers) {
    SystolicRun run;
    run.name = layer.name;
    run.counts = systolic_counts(layer, cfg);
    const SystolicCounts& c = run.counts;
    session.dram().configure({bandwidth, 0});
    session.dram().reset();
    const long long folds = c.row_folds * c.col_folds;
    const long long chunks = std::min<long long>(folds, 8);
    const double per_fold = static_cast<double>(c.compute_cycles + 1) / static_cast<double>(folds);
    const double in_words = static_cast<double>(c.ifmap_dram_words + c.filter_dram_words);
    const sc_time t0 = sc_core::sc_time_stamp();
    std::deque<sim::Token> tokens;
    std::vector<sim::Token*> computed;
    sc_time in_first, in_last, out_first, out_last, compute_end;
    bool first_in = true, first_out = true;
    // The I/O engine runs one chunk ahead: load k+1 goes before store k, so
    // loads overlap computation (double buffering) and stores drain behind.
    std::vector<sim::Token*> loaded;
    for (long long k = 0; k < chunks; ++k) {
      loaded.push_back(&tokens.emplace_back());
      computed.push_back(&tokens.emplace_back());
    }
    const auto in_bytes = static_cast<std::uint64_t>(in_words / static_cast<double>(chunks));
    const auto out_bytes = static_cast<std::uint64_t>(static_cast<double>(c.ofmap_dram_words) /
                                                      static_cast<double>(chunks));
    auto push_load = [&](long long k) {
      std::vector<std::pair<sim::Token*, std::uint64_t>> waits;
      if (k >= 2) waits.push_back({computed[static_cast<std::size_t>(k - 2)], 1});
      part.io.push({waits,
                    [&, in_bytes] {
                      if (first_in) in_first = sc_core::sc_time_stamp(), first_in = false;
                      part.dma.transfer(in_bytes, false);
                      in_last = sc_core::sc_time_stamp();
                    },
                    {loaded[static_cast<std::size_t>(k)]}});
    };
    auto push_store = [&](long long k) {
      part.io.push({{{computed[static_cast<std::size_t>(k)], 1}},
                    [&, out_bytes] {
                      if (first_out) out_first = sc_core::sc_time_stamp(), first_out = false;
                      part.dma.transfer(out_bytes, true);
                      out_last = sc_core::sc_time_stamp();
                    },
                    {}});
    };
    push_load(0);
    for (long long k = 0; k < chunks; ++k) {
      if (k + 1 < chunks) push_load(k + 1);
      push_store(k);
      const long long chunk_folds = folds / chunks + (k < folds % chunks ? 1 : 0);
      const double cycles = per_fold * static_cast<double>(chunk_folds) - (k + 1 == chunks ? 1 : 0);
      part.array.push({{{loaded[static_cast<std::size_t>(k)], 1}},
                       [&compute_end, cycles, cycle_s] {
                         sc_core::wait(sc_time(cycles * cycle_s, SC_SEC));
                         compute_end = sc_core::sc_time_stamp();
                       },
                       {computed[static_cast<std::size_t>(k)]}});
    }
    session.run();
    auto cyc = [&](sc_time t) { return std::llround((t - t0).to_seconds() / cycle_s); };
    // The layer ends with its last computation; output writes drain behind it.
    run.total_cycles = std::max(cyc(compute_end), c.compute_cycles);
    run.stall_cycles = run.total_cycles - c.compute_cycles;
    run.dram_ifmap_start = run.dram_filter_start = cyc(in_first);
    run.dram_ifmap_stop = run.dram_filter_stop = cyc(in_last);
    run.dram_ofmap_start = cyc(out_first);
    run.dram_ofmap_stop = cyc(out_last);
    out.push_back(run);
  }
  return out;
}

EdgePart::EdgePart(sc_core::sc_module_name name, sim::Session& session) : sc_core::sc_module(name) {
  dma.socket.bind(session.interconnect().targets);
  if (auto* tf = session.trace_file()) {
    io.trace(tf);
    lm.trace(tf);
    array.trace(tf);
    nlu.trace(tf);
  }
}

std::unique_ptr<sim::Accelerator> make_edge_accelerator() {
  return std::make_unique<EdgeAccelerator>();
}

void register_edge() {
  sim::parts().add({"edge",
                    "the edge accelerator's I/O, local-memory, SIMD and non-linear engines",
                    {},
                    [](sim::Session& s) { return std::make_unique<EdgePart>("edge", s); }});
  sim::accelerators().add({"edge",
                           "the PE-array edge accelerator of NAHAS §3.3 (Table 1), with area and "
                           "energy",
                           {},
                           make_edge_accelerator});
}

}  // namespace coda::edge
