#include "models/dpu/dpu.h"

#include <algorithm>
#include <cctype>
#include <deque>

#include "models/dpu/coefficients.h"
#include "sim/stats.h"

namespace coda::dpu {
namespace {

using sc_core::SC_SEC;
using sc_core::sc_time;

// ZCU102 (XCZU9EG) resources available to DPU cores.
constexpr double kZcu102Luts = 274080, kZcu102Dsps = 2520, kZcu102Bram36 = 912;

struct Timing {
  std::vector<sc_time> start, end;
};

// Pushes one inference's instruction stream onto one core and returns the
// per-instruction times once the session has run.
void enqueue(DpuCore& core, const Program& prog, const DpuConfig& hw,
             std::deque<sim::Token>& tokens, Timing& timing) {
  const std::size_t n = prog.insts.size();
  timing.start.assign(n, sc_core::SC_ZERO_TIME);
  timing.end.assign(n, sc_core::SC_ZERO_TIME);
  std::vector<sim::Token*> done(n);
  for (auto& t : done) t = &tokens.emplace_back();
  // Fetch: block b must be in the instruction buffer before its instructions
  // dispatch; the buffer holds two blocks, so block b waits for block b-2's
  // instructions to have been dispatched and finished.
  std::vector<sim::Token*> fetched;
  for (std::size_t b = 0; b * coef::kFetchBlock < n; ++b) {
    sim::Token* f = &tokens.emplace_back();
    fetched.push_back(f);
    const std::size_t first = b * coef::kFetchBlock;
    const std::size_t count = std::min<std::size_t>(coef::kFetchBlock, n - first);
    sim::Command cmd;
    if (b >= 2) cmd.waits.push_back({done[first - coef::kFetchBlock - 1], 1});
    cmd.work = [&core, count] { core.fetch_dma.transfer(count * coef::kInstructionBytes, false); };
    cmd.signals = {f};
    core.fetch.push(std::move(cmd));
  }
  const double cycle_s = 1.0 / hw.clock_hz();
  for (std::size_t i = 0; i < n; ++i) {
    const Instruction& in = prog.insts[i];
    sim::Command cmd;
    cmd.waits.push_back({fetched[i / coef::kFetchBlock], 1});
    for (int d : in.dpdon) cmd.waits.push_back({done[static_cast<std::size_t>(d)], 1});
    cmd.signals = {done[i]};
    Timing* t = &timing;
    cmd.work = [&core, &in, t, i, cycle_s] {
      t->start[i] = sc_core::sc_time_stamp();
      switch (in.op) {
        case Opcode::kLoad:
          core.load_dma.transfer(static_cast<std::uint64_t>(in.bytes), false);
          break;
        case Opcode::kSave:
          core.save_dma.transfer(static_cast<std::uint64_t>(in.bytes), true);
          break;
        case Opcode::kHost:
          sc_core::wait(sc_time(in.host_s, SC_SEC));
          break;
        default:
          if (in.cycles > 0) sc_core::wait(sc_time(in.cycles * cycle_s, SC_SEC));
      }
      t->end[i] = sc_core::sc_time_stamp();
    };
    core.engines[static_cast<int>(unit_of(in.op))]->push(std::move(cmd));
  }
}

sim::SimResult base_result(const network::Network& net, const DpuConfig& hw) {
  sim::SimResult r;
  r.arch = "dpu";
  r.network = net.name();
  const Target& t = hw.target;
  r.extra["resources"] = {
      {"lut", {{"used", t.luts * hw.cores}, {"available", kZcu102Luts}}},
      {"dsp", {{"used", t.dsps * hw.cores}, {"available", kZcu102Dsps}}},
      {"bram36", {{"used", t.bram36 * hw.cores}, {"available", kZcu102Bram36}}},
  };
  r.extra["target"] = t.name;
  r.extra["peak_ops_per_cycle"] = 2 * hw.macs_per_cycle();
  r.extra["energy_model"] = "none: the DPU model reports latency and resources only";
  return r;
}

std::string check_resources(const DpuConfig& hw) {
  const Target& t = hw.target;
  if (t.luts == 0) return "";  // PG338 Table 9 lists no resources for this size
  if (t.dsps * hw.cores > kZcu102Dsps) {
    return std::to_string(hw.cores) + " cores need " + std::to_string(t.dsps * hw.cores) +
           " DSPs; the ZCU102 has " + std::to_string(static_cast<int>(kZcu102Dsps));
  }
  if (t.bram36 * hw.cores > kZcu102Bram36) {
    return std::to_string(hw.cores) + " cores need " + std::to_string(t.bram36 * hw.cores) +
           " BRAM36; the ZCU102 has " + std::to_string(static_cast<int>(kZcu102Bram36));
  }
  return "";
}

class DpuAccelerator : public sim::Accelerator {
 public:
  using sim::Accelerator::analytical;
  std::string name() const override { return "dpu"; }
  const std::vector<ParamDecl>& params() const override { return dpu_params(); }
  std::string validate(const ParamSet& hw) const override {
    return check_resources(DpuConfig::from(hw));
  }
  double area_mm2(const ParamSet&) const override { return 0; }

  sim::SimResult simulate(const network::Network& net, const ParamSet& params,
                          const sim::SimOptions&) override {
    const DpuConfig hw = DpuConfig::from(params);
    sim::SimResult r = base_result(net, hw);
    if (const std::string why = check_resources(hw); !why.empty()) return infeasible(r, why);
    const Program prog = compile(net, hw);
    if (!prog.feasible) return infeasible(r, prog.reason);

    sim::Session& session = sim::Session::instance();
    DpuPart& part = session.part<DpuPart>("dpu");
    // One inference on one core: the latency.
    Timing timing;
    const sc_time single = run(session, part, prog, hw, 1, &timing);
    r.stats = single_run_stats(session, *part.cores.front(), prog, single);
    // All cores busy with independent inferences: the throughput.
    const sc_time multi = hw.cores > 1 ? run(session, part, prog, hw, hw.cores, nullptr) : single;

    r.latency_s = single.to_seconds();
    r.cycles = r.latency_s * hw.clock_hz();
    double macs = 0;
    for (const auto& g : prog.groups) macs += static_cast<double>(g.macs);
    r.utilization = macs / (r.cycles * static_cast<double>(hw.macs_per_cycle()));
    r.extra["e2e_latency_ms"] = (r.latency_s + hw.host_overhead_ms * 1e-3) * 1e3;
    r.extra["host_overhead_ms"] = hw.host_overhead_ms;
    r.extra["throughput_fps"] = hw.cores / multi.to_seconds();
    r.extra["host_layers"] = prog.host_layers;
    fill_groups(r, prog, hw, timing);
    return r;
  }

  // The analytical twin: per fused group, the busiest engine's total time,
  // summed over groups (no overlap between groups, perfect overlap inside).
  sim::SimResult analytical(const network::Network& net, const ParamSet& params,
                            const sim::SimOptions&) override {
    const DpuConfig hw = DpuConfig::from(params);
    sim::SimResult r = base_result(net, hw);
    if (const std::string why = check_resources(hw); !why.empty()) return infeasible(r, why);
    const Program prog = compile(net, hw);
    if (!prog.feasible) return infeasible(r, prog.reason);
    const double bw = hw.ddr_bandwidth_gbps * 1e9;
    std::vector<std::array<double, kUnits>> busy(prog.groups.size(), std::array<double, kUnits>{});
    for (const auto& in : prog.insts) {
      if (in.group < 0) continue;
      const double s = in.op == Opcode::kLoad || in.op == Opcode::kSave ? in.bytes / bw
                       : in.op == Opcode::kHost                         ? in.host_s
                                                                        : in.cycles / hw.clock_hz();
      busy[static_cast<std::size_t>(in.group)][static_cast<int>(unit_of(in.op))] += s;
    }
    double total = 0;
    for (std::size_t g = 0; g < prog.groups.size(); ++g) {
      const double s = *std::max_element(busy[g].begin(), busy[g].end());
      sim::LayerResult lr;
      lr.name = prog.groups[g].name;
      lr.op = prog.groups[g].kind;
      lr.latency_s = s;
      lr.cycles = s * hw.clock_hz();
      lr.macs = prog.groups[g].macs;
      lr.bottleneck = unit_name(
          static_cast<Unit>(std::max_element(busy[g].begin(), busy[g].end()) - busy[g].begin()));
      r.layers.push_back(lr);
      total += s;
    }
    r.latency_s = total;
    r.cycles = total * hw.clock_hz();
    r.extra["e2e_latency_ms"] = (total + hw.host_overhead_ms * 1e-3) * 1e3;
    return r;
  }

 private:
  static sim::SimResult infeasible(sim::SimResult r, const std::string& why) {
    r.feasible = false;
    r.reason = why;
    return r;
  }

  static sc_time run(sim::Session& session, DpuPart& part, const Program& prog, const DpuConfig& hw,
                     int cores, Timing* keep) {
    session.dram().configure({hw.ddr_bandwidth_gbps * 1e9, coef::kDdrLatencyS});
    session.dram().reset();
    std::deque<sim::Token> tokens;
    std::vector<Timing> timings(static_cast<std::size_t>(cores));
    for (int c = 0; c < cores; ++c) {
      DpuCore& core = *part.cores[static_cast<std::size_t>(c)];
      core.load_dma.set_burst_bytes(coef::kBurstBytes);
      core.save_dma.set_burst_bytes(coef::kBurstBytes);
      core.fetch_dma.set_burst_bytes(coef::kBurstBytes);
      for (auto& e : core.engines) e->reset_stats();
      enqueue(core, prog, hw, tokens, timings[static_cast<std::size_t>(c)]);
    }
    const sc_time elapsed = session.run();
    if (keep) *keep = std::move(timings[0]);
    return elapsed;
  }

  // What the one-inference run did: traffic, instructions, engine activity.
  static nlohmann::json single_run_stats(sim::Session& session, const DpuCore& core,
                                         const Program& prog, sc_time elapsed) {
    sim::StatGroup stats("dpu");
    stats.set(stats.add("dram_bytes_read", "byte", "bytes read from off-chip memory"),
              static_cast<double>(session.dram().bytes_read()));
    stats.set(stats.add("dram_bytes_written", "byte", "bytes written to off-chip memory"),
              static_cast<double>(session.dram().bytes_written()));
    stats.set(stats.add("instructions", "instruction", "instructions in the compiled stream"),
              static_cast<double>(prog.insts.size()));
    const double total = elapsed.to_seconds();
    for (int u = 0; u < kUnits; ++u) {
      const std::string unit = unit_name(static_cast<Unit>(u));
      std::string lower = unit;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      stats.set(
          stats.add(lower + "_busy_fraction", "fraction",
                    "share of the inference the " + unit + " engine worked"),
          total > 0 ? core.engines[static_cast<std::size_t>(u)]->busy().to_seconds() / total : 0);
    }
    return stats.to_json();
  }

  static void fill_groups(sim::SimResult& r, const Program& prog, const DpuConfig& hw,
                          const Timing& t) {
    const std::size_t ng = prog.groups.size();
    std::vector<sc_time> g_start(ng, sc_core::sc_max_time()), g_end(ng, sc_core::SC_ZERO_TIME);
    std::vector<std::array<double, kUnits>> busy(ng, std::array<double, kUnits>{});
    for (std::size_t i = 0; i < prog.insts.size(); ++i) {
      const int g = prog.insts[i].group;
      if (g < 0 || static_cast<std::size_t>(g) >= ng || prog.insts[i].op == Opcode::kEnd) continue;
      const auto gi = static_cast<std::size_t>(g);
      busy[gi][static_cast<int>(unit_of(prog.insts[i].op))] += (t.end[i] - t.start[i]).to_seconds();
      // Engine configuration (*INIT) may run ahead; the group's window is its data work.
      const Opcode op = prog.insts[i].op;
      if (op == Opcode::kConvInit || op == Opcode::kPoolInit || op == Opcode::kDwInit ||
          op == Opcode::kElewInit) {
        continue;
      }
      g_start[gi] = std::min(g_start[gi], t.start[i]);
      g_end[gi] = std::max(g_end[gi], t.end[i]);
    }
    nlohmann::json groups = nlohmann::json::array();
    for (std::size_t g = 0; g < ng; ++g) {
      const Group& gr = prog.groups[g];
      const double window = g_end[g] > g_start[g] ? (g_end[g] - g_start[g]).to_seconds() : 0;
      sim::LayerResult lr;
      lr.name = gr.name;
      lr.op = gr.kind;
      lr.latency_s = window;
      lr.cycles = window * hw.clock_hz();
      lr.macs = gr.macs;
      lr.utilization =
          lr.cycles > 0 ? gr.macs / (lr.cycles * static_cast<double>(hw.macs_per_cycle())) : 0;
      const int top =
          static_cast<int>(std::max_element(busy[g].begin(), busy[g].end()) - busy[g].begin());
      lr.bottleneck = unit_name(static_cast<Unit>(top));
      nlohmann::json counts = nlohmann::json::object();
      for (int o = 0; o < kOpcodes; ++o)
        if (gr.counts[o]) counts[opcode_name(static_cast<Opcode>(o))] = gr.counts[o];
      nlohmann::json busy_pct = nlohmann::json::object();
      for (int u = 0; u < kUnits; ++u)
        busy_pct[unit_name(static_cast<Unit>(u))] = window > 0 ? 100 * busy[g][u] / window : 0;
      lr.extra = {{"layers", gr.layers},
                  {"tiles", gr.tiles},
                  {"instructions", counts},
                  {"busy_pct", busy_pct}};
      if (!gr.host_reason.empty()) lr.extra["host"] = gr.host_reason;
      r.layers.push_back(std::move(lr));
    }
  }
};

}  // namespace

DpuCore::DpuCore(sc_core::sc_module_name name, sim::Session& session) : sc_core::sc_module(name) {
  load_dma.socket.bind(session.interconnect().targets);
  save_dma.socket.bind(session.interconnect().targets);
  fetch_dma.socket.bind(session.interconnect().targets);
  for (int u = 0; u < kUnits; ++u) {
    engines[static_cast<std::size_t>(u)] =
        std::make_unique<sim::Engine>(unit_name(static_cast<Unit>(u)));
    if (auto* tf = session.trace_file()) engines[static_cast<std::size_t>(u)]->trace(tf);
  }
}

DpuPart::DpuPart(sc_core::sc_module_name name, sim::Session& session) : sc_core::sc_module(name) {
  for (int c = 0; c < kMaxCores; ++c) {
    cores[static_cast<std::size_t>(c)] =
        std::make_unique<DpuCore>(("core" + std::to_string(c)).c_str(), session);
  }
}

std::unique_ptr<sim::Accelerator> make_dpu_accelerator() {
  return std::make_unique<DpuAccelerator>();
}

void register_dpu() {
  sim::parts().add({"dpu",
                    "the DPU's LOAD, SAVE, CONV, MISC and DWCONV engines per core",
                    {},
                    [](sim::Session& s) { return std::make_unique<DpuPart>("dpu", s); }});
  sim::accelerators().add({"dpu",
                           "an ISA DPU like Xilinx's DPUCZDX8G: a compiler (fusion, instruction "
                           "stream) and engines per B-size",
                           {},
                           make_dpu_accelerator});
}

}  // namespace coda::dpu
