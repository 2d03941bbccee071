#include "models/pipelined/pipelined.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "models/pipelined/config.h"
#include "models/pipelined/design.h"
#include "sim/stats.h"
#include "sim/token.h"

namespace coda::pipelined {
namespace {

using sc_core::sc_time;

constexpr std::uint64_t kBurstBytes = 4096;

// A network mapped: its conv layers and the design Algorithm 1 chose.
struct Mapped {
  PipelinedConfig hw;
  std::vector<PipeLayer> layers;
  SearchResult search;
  sim::SimResult result;
};

sim::SimResult infeasible(sim::SimResult r, const std::string& why) {
  r.feasible = false;
  r.reason = why;
  return r;
}

class PipelinedAccelerator : public sim::Accelerator {
 public:
  using sim::Accelerator::analytical;
  std::string name() const override { return "pipelined"; }
  const std::vector<ParamDecl>& params() const override { return pipelined_params(); }
  std::string validate(const ParamSet&) const override { return ""; }
  double area_mm2(const ParamSet&) const override { return 0; }

  sim::SimResult analytical(const network::Network& net, const ParamSet& params,
                            const sim::SimOptions&) override {
    Mapped m = map(net, params);
    if (!m.result.feasible) return m.result;
    sim::SimResult& r = m.result;
    const Design& d = m.search.best;
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
      r.layers.push_back(layer_result(m, i, static_cast<double>(d.tiles[i].cycles)));
    }
    finish(r, m, static_cast<double>(d.cycles));
    return r;
  }

  sim::SimResult simulate(const network::Network& net, const ParamSet& params,
                          const sim::SimOptions&) override {
    Mapped m = map(net, params);
    if (!m.result.feasible) return m.result;
    sim::SimResult& r = m.result;
    const Design& d = m.search.best;
    const PipelinedConfig& hw = m.hw;
    sim::Session& session = sim::Session::instance();
    PipelinedPart& part = session.part<PipelinedPart>("pipelined");
    session.dram().configure({hw.dram_gbps * 1e9, 100e-9});
    session.dram().reset();
    part.dma.set_burst_bytes(kBurstBytes);
    part.dma.reset_stats();
    part.loader.reset_stats();
    for (auto& e : part.stages) e->reset_stats();
    const double clock = hw.clock_hz();
    const auto cycles = [&](double c) { return sc_time(c / clock, sc_core::SC_SEC); };
    const std::uint64_t frames = static_cast<std::uint64_t>(hw.frames);
    const auto image_bytes =
        static_cast<std::uint64_t>((net.input_shape().elements() * hw.input_bits + 7) / 8);

    // Per stage: frames produced and input buffers released; two frame
    // buffers between neighbours (double buffering).
    std::deque<sim::Token> tokens;
    std::vector<sc_time> first_done(m.layers.size()), last_done(m.layers.size());
    sc_time weights_time = sc_core::SC_ZERO_TIME;
    const sc_time start = sc_core::sc_time_stamp();
    for (std::size_t g = 0; g < d.partition_starts.size(); ++g) {
      const std::size_t begin = d.partition_starts[g];
      const std::size_t end =
          g + 1 < d.partition_starts.size() ? d.partition_starts[g + 1] : m.layers.size();
      const std::size_t n = end - begin;
      std::uint64_t weight_bytes = 0;
      for (std::size_t i = begin; i < end; ++i) {
        weight_bytes += static_cast<std::uint64_t>((m.layers[i].weight_bits + 7) / 8);
      }
      sim::Token& loaded = tokens.emplace_back();
      std::vector<sim::Token*> produced(n + 1), released(n + 1);
      for (std::size_t s = 0; s <= n; ++s) {
        produced[s] = &tokens.emplace_back();
        released[s] = &tokens.emplace_back();
      }
      // The partition's weights, then its frames: produced[0] counts frames
      // in the first stage's input buffer, released[s] frames stage s let go.
      const sc_time load_start = sc_core::sc_time_stamp();
      part.loader.push({{},
                        [&part, weight_bytes, &weights_time, load_start] {
                          if (weight_bytes) part.dma.transfer(weight_bytes, false);
                          weights_time += sc_core::sc_time_stamp() - load_start;
                        },
                        {&loaded}});
      for (std::uint64_t f = 0; f < frames; ++f) {
        sim::Command load;
        load.waits = {{&loaded, 1}};
        if (f >= 2) load.waits.push_back({released[1], f - 1});
        load.work = [&part, image_bytes] { part.dma.transfer(image_bytes, false); };
        load.signals = {produced[0]};
        part.loader.push(std::move(load));
        for (std::size_t s = 1; s <= n; ++s) {
          const std::size_t li = begin + s - 1;
          sim::Command c;
          c.waits = {{produced[s - 1], f + 1}};
          if (s < n && f >= 2) c.waits.push_back({released[s + 1], f - 1});
          const sc_time t = cycles(static_cast<double>(d.tiles[li].cycles));
          c.work = [t, f, li, &first_done, &last_done] {
            sc_core::wait(t);
            if (f == 0) first_done[li] = sc_core::sc_time_stamp();
            last_done[li] = sc_core::sc_time_stamp();
          };
          c.signals = {produced[s], released[s]};
          part.stages[s - 1]->push(std::move(c));
        }
      }
      session.run();  // partitions run one after another on the same fabric
    }
    const sc_time total = sc_core::sc_time_stamp() - start;
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
      // A stage's steady frame interval: the time between its first and
      // last frame, over the frames in between.
      const double interval =
          frames > 1 ? (last_done[i] - first_done[i]).to_seconds() * clock / (frames - 1)
                     : static_cast<double>(d.tiles[i].cycles);
      sim::LayerResult lr = layer_result(m, i, interval);
      const double twin = static_cast<double>(d.tiles[i].cycles);
      lr.extra["analytical_cycles"] = twin;
      lr.extra["difference_pct"] = interval > 0 ? 100 * (twin - interval) / interval : 0;
      r.layers.push_back(std::move(lr));
    }
    const double per_frame = total.to_seconds() * clock / static_cast<double>(frames);
    finish(r, m, per_frame);
    r.extra["analytical_throughput_fps"] = d.throughput_fps(clock);
    r.extra["difference_pct"] = 100 * (static_cast<double>(d.cycles) - per_frame) / per_frame;
    sim::StatGroup stats("pipelined");
    stats.set(stats.add("dram_bytes_read", "byte", "weights and input frames read"),
              static_cast<double>(session.dram().bytes_read()));
    stats.set(stats.add("frames", "frame", "frames streamed through each partition"),
              static_cast<double>(frames));
    stats.set(
        stats.add("weight_load_cycles", "cycle", "cycles spent loading the partitions' weights"),
        weights_time.to_seconds() * clock);
    stats.set(stats.add("pipeline_cycles", "cycle", "cycles of the whole run"),
              total.to_seconds() * clock);
    r.stats = stats.to_json();
    return r;
  }

 private:
  static Mapped map(const network::Network& net, const ParamSet& params) {
    Mapped m;
    m.hw = PipelinedConfig::from(params);
    sim::SimResult& r = m.result;
    r.arch = "pipelined";
    r.network = net.name();
    std::string why;
    m.layers = pipe_layers(net, m.hw, &why);
    if (!why.empty()) return {m.hw, {}, {}, infeasible(r, why)};
    if (m.layers.empty()) return {m.hw, {}, {}, infeasible(r, "the network has no convolution")};
    m.search = search_hardware(m.layers, m.hw.lut_budget, m.hw.throughput_fps, m.hw.clock_hz());
    if (!m.search.exists) {
      const auto& l = m.layers[static_cast<std::size_t>(std::max(0LL, m.search.failed_layer))];
      r = infeasible(r, fmt::format("no tiling and partitioning meets rL = {} LUTs and rT = {} "
                                    "frames/s (Algorithm 1 keeps no solution at layer '{}')",
                                    m.hw.lut_budget, m.hw.throughput_fps, l.name));
    }
    return m;
  }

  static sim::LayerResult layer_result(const Mapped& m, std::size_t i, double cycles) {
    const PipeLayer& l = m.layers[i];
    const Tile& t = m.search.best.tiles[i];
    sim::LayerResult lr;
    lr.name = l.name;
    lr.op = "conv2d";
    lr.cycles = cycles;
    lr.latency_s = cycles / m.hw.clock_hz();
    lr.macs = l.macs;
    lr.utilization = cycles > 0 ? static_cast<double>(l.macs) / (cycles * t.tm * t.tn) : 0;
    // The slowest stage of its partition bounds it; the others wait on it.
    const Design& d = m.search.best;
    std::size_t g = 0;
    while (g + 1 < d.partition_starts.size() && d.partition_starts[g + 1] <= i) ++g;
    lr.bottleneck = t.cycles == d.partition_cycles[g] ? "compute" : "pipeline";
    lr.extra = {
        {"tm", t.tm},
        {"tn", t.tn},
        {"luts", t.luts},
        {"partition", g},
        {"bits", {{"in", l.bits.in_bits}, {"out", l.bits.out_bits}, {"weight", l.bits.w_bits}}}};
    return lr;
  }

  static void finish(sim::SimResult& r, const Mapped& m, double cycles_per_frame) {
    const Design& d = m.search.best;
    const double clock = m.hw.clock_hz();
    r.cycles = cycles_per_frame;
    r.latency_s = cycles_per_frame / clock;
    // Utilisation: MACs over the multiplier-cycles of the partitions, each
    // partition's multipliers busy for its latency (scaled to the measured
    // frame time).
    double macs = 0, mult_cycles = 0;
    long long weight_bits = 0;
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
      macs += static_cast<double>(m.layers[i].macs);
      weight_bits += m.layers[i].weight_bits;
    }
    for (std::size_t g = 0; g < d.partition_starts.size(); ++g) {
      const std::size_t end =
          g + 1 < d.partition_starts.size() ? d.partition_starts[g + 1] : m.layers.size();
      double units = 0;
      for (std::size_t i = d.partition_starts[g]; i < end; ++i) {
        units += static_cast<double>(d.tiles[i].tm * d.tiles[i].tn);
      }
      mult_cycles += units * static_cast<double>(d.partition_cycles[g]);
    }
    if (d.cycles > 0) mult_cycles *= cycles_per_frame / static_cast<double>(d.cycles);
    r.utilization = mult_cycles > 0 ? macs / mult_cycles : 0;
    nlohmann::json partitions = nlohmann::json::array();
    for (std::size_t g = 0; g < d.partition_starts.size(); ++g) {
      const std::size_t end =
          g + 1 < d.partition_starts.size() ? d.partition_starts[g + 1] : m.layers.size();
      nlohmann::json names = nlohmann::json::array();
      for (std::size_t i = d.partition_starts[g]; i < end; ++i) names.push_back(m.layers[i].name);
      partitions.push_back(
          {{"layers", names},
           {"luts", d.partition_luts[g]},
           {"cycles", d.partition_cycles[g]},
           {"latency_ms", static_cast<double>(d.partition_cycles[g]) / clock * 1e3}});
    }
    r.extra["luts"] = d.luts;
    r.extra["throughput_fps"] = clock / cycles_per_frame;
    r.extra["partitions"] = partitions;
    r.extra["spec"] = {{"lut_budget", m.hw.lut_budget}, {"throughput_fps", m.hw.throughput_fps}};
    r.extra["parameter_kbits"] = static_cast<double>(weight_bits) / 1000.0;
    r.extra["frontier_size"] = m.search.frontier.size();
    r.extra["resources"] = {{"luts", {{"used", d.luts}, {"available", m.hw.lut_budget}}}};
  }
};

}  // namespace

PipelinedPart::PipelinedPart(sc_core::sc_module_name name, sim::Session& session)
    : sc_core::sc_module(name) {
  dma.socket.bind(session.interconnect().targets);
  for (int s = 0; s < kMaxStages; ++s) {
    stages.push_back(std::make_unique<sim::Engine>(("stage" + std::to_string(s)).c_str()));
    if (auto* tf = session.trace_file()) stages.back()->trace(tf);
  }
  if (auto* tf = session.trace_file()) loader.trace(tf);
}

std::unique_ptr<sim::Accelerator> make_pipelined_accelerator() {
  return std::make_unique<PipelinedAccelerator>();
}

void register_pipelined() {
  sim::parts().add(
      {"pipelined",
       "the pipelined accelerator's frame loader and stage engines",
       {},
       [](sim::Session& s) { return std::make_unique<PipelinedPart>("pipelined", s); }});
  sim::accelerators().add(
      {"pipelined",
       "Lu et al.'s layer-pipelined accelerator on a LUT-based FPGA (Cyclone IV): one tiled "
       "engine per conv layer, partitions found by Algorithm 1",
       {},
       make_pipelined_accelerator});
}

}  // namespace coda::pipelined
