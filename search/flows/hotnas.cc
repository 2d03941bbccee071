// The HotNAS flow (Jiang et al., CODES+ISSS'20, §III-①-③ and §IV): hot-start
// co-search of compression and FPGA design from a zoo of trained models.
//
// For each backbone of `backbones`:
//   1. iDesign: the fastest design of the experiment's hardware space for
//      the backbone at its deployment resolution (the sweep, with the
//      experiment's cost model);
//   2. iSpace: the dimensions iDetect's classes call for (models/fpga/
//      ispace.h), written to <backbone>/ispace.yaml, or read from
//      `ispace_dir`/<backbone>.yaml when a user edited one;
//   3. A_ori: the accuracy evaluator on the unmodified backbone (hot-start:
//      its zoo checkpoint, trained once when the zoo lacks it).
// iSearch step 1 (Table III): a Monte Carlo test of `monte_carlo` uniform
// samples of each iSpace, latency only; backbones whose minimum misses T are
// pruned, the rest ranked by eq. 18 at (A_ori, minimum latency), top
// `keep` kept.
// iSearch step 2: the experiment's strategy (REINFORCE, eq. 19, by default)
// over each kept backbone's iSpace with eq. 18 (A_ori set per backbone);
// designs past T are not fine-tuned. Baselines with the same episodes:
// hardware only (H on the unmodified backbone) and compression only (P, C,
// Q, X on the iDesign design). The winner - the most accurate design that
// meets T, as in §IV-A - is re-simulated in SystemC, fine-tuned for
// `final_epochs` and saved (<backbone>/winner.pt, winner.yaml,
// winner_hw.yaml). Table V splits its latency reduction over P, C, Q, X and
// H by applying them in that order.
//
// Outputs: hotnas.md and hotnas.json (Tables III, IV, V and the baselines)
// in the run directory, each search's outputs in <backbone>/<search>/, and
// the best backbone's co-search as the run's own outputs.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/error.h"
#include "core/files.h"
#include "core/report.h"
#include "core/text.h"
#include "models/fpga/config.h"
#include "models/fpga/ispace.h"
#include "models/network/yaml_io.h"
#include "models/network/zoo.h"
#include "search/flows/flows.h"

namespace coda::search {
namespace {
namespace fs = std::filesystem;
using network::CompressionDimension;
using network::CompressionKind;

nlohmann::json read_json_file(const std::string& path) {
  return nlohmann::json::parse(read_text_file(path, "flow state"));
}

std::string hw_text(const ParamSet& p, const std::vector<std::string>& fields) {
  std::vector<std::string> parts;
  for (const auto& f : fields) parts.push_back(f + " " + p.text(f));
  return join(parts, ", ");
}

const std::vector<std::string>& design_fields() {
  static const std::vector<std::string> f{"tm", "tn", "tr", "tc", "tm_dw", "ib", "wb", "ob"};
  return f;
}

double ms(const cost::Metrics& m) {
  return m.latency_s * 1e3;
}

struct Backbone {
  std::string spec;
  network::Network net;
  std::string dir;
  std::optional<ParamSet> design;
  double original_ms = 0;
  double accuracy = 0;            // A_ori
  nlohmann::json accuracy_extra;  // the evaluator's details (the zoo entry)
  std::optional<fpga::ISpace> ispace;
  // Monte Carlo
  double mc_min = 0, mc_max = 0, mc_avg = 0;
  long long mc_feasible = 0;
  double rank_reward = 0;
  bool kept = false;
  std::string pruned_because;
};

class HotnasFlow : public Flow {
 public:
  FlowNeeds needs() const override {
    FlowNeeds n;
    n.hardware_space = Need::kRequired;
    n.network = Need::kForbidden;
    return n;
  }

  Stage run(FlowRun& run) override {
    const Experiment& e = run.experiment();
    if (e.arch != "fpga") {
      throw InputError({e.file, 0, 0}, "arch",
                       "the hotnas flow searches the HotNAS FPGA engine; allowed: fpga");
    }
    if (!e.objective_options.declares("latency_ms") || !e.objective_options.given("latency_ms")) {
      throw InputError({e.file, 0, 0}, "objective",
                       "the hotnas flow needs the timing constraint T as the objective's "
                       "latency_ms, e.g. {name: hotnas, latency_ms: 8}");
    }
    t_ms_ = e.objective_options.number("latency_ms");
    const Options& b = run.budget();
    const YAML::Node list = b.list("backbones");
    if (!list.IsSequence() || list.size() == 0) {
      throw InputError(b.where("backbones"), "backbones",
                       "expected a list of zoo networks or network files");
    }
    std::vector<Backbone> bbs;
    for (const auto& item : list) {
      if (!item.IsScalar()) {
        throw InputError(location_of(b.file(), item), "backbones", "expected a network name");
      }
      Backbone bb;
      bb.spec = item.Scalar();
      try {
        bb.net = network::load_network(bb.spec);
      } catch (const InputError& err) {
        throw InputError(location_of(b.file(), item), "backbones", err.what());
      }
      bb.dir = run.out() + "/" + bb.net.name();
      fs::create_directories(bb.dir);
      bbs.push_back(std::move(bb));
    }

    for (auto& bb : bbs) prepare(run, bb);
    select(run, bbs);
    for (const auto& bb : bbs) {
      run.log(
          fmt::format("Table III: {:<18} original {:.3f} ms, Monte Carlo min {:.3f} / avg {:.3f} "
                      "/ max {:.3f} ms: {}",
                      bb.net.name(), bb.original_ms, bb.mc_min, bb.mc_avg, bb.mc_max,
                      bb.kept ? "kept" : "pruned (" + bb.pruned_because + ")"));
    }

    nlohmann::json report = {{"timing_constraint_ms", t_ms_},
                             {"backbones", nlohmann::json::array()}};
    Stage best_stage;
    double best_accuracy = -1;
    for (auto& bb : bbs) {
      nlohmann::json row = table3_row(bb);
      if (bb.kept) {
        Stage st;
        row.update(co_search(run, bb, st));
        const double acc = row.value("hotnas_accuracy_search", -1.0);
        if (row.value("meets", false) && acc > best_accuracy) {
          best_accuracy = acc;
          best_stage = st;
        } else if (!best_stage.space) {
          best_stage = st;
        }
      }
      report["backbones"].push_back(row);
    }
    report["search_seconds"] = run.seconds();
    write_json(report, run.out() + "/hotnas.json");
    write_text(markdown(report), run.out() + "/hotnas.md");
    run.log("hotnas: report in " + run.out() + "/hotnas.md");
    if (!best_stage.space) {
      throw InputError({e.file, 0, 0}, "objective",
                       fmt::format("no backbone can meet the timing constraint of {} ms in its "
                                   "iSpace (see hotnas.md's Table III)",
                                   t_ms_));
    }
    return best_stage;
  }

 private:
  // iDesign, iSpace, A_ori and the Monte Carlo test of one backbone.
  void prepare(FlowRun& run, Backbone& bb) {
    const Experiment& e = run.experiment();
    const space::HwSpace& hws = *e.hardware_space;
    // 1. iDesign: the sweep's fastest feasible design, kept for --resume.
    const std::string idesign_file = bb.dir + "/idesign.json";
    if (fs::exists(idesign_file)) {
      const auto j = read_json_file(idesign_file);
      bb.design = hws.point(j.at("point").get<long long>());
      bb.original_ms = j.at("latency_ms").get<double>();
    } else {
      run.log(fmt::format("{}: iDesign over {} designs", bb.net.name(), hws.size()));
      long long best = -1;
      const long long chunk = 4096;
      for (long long start = 0; start < hws.size(); start += chunk) {
        std::vector<ParamSet> hw;
        for (long long i = start; i < std::min(hws.size(), start + chunk); ++i) {
          hw.push_back(hws.point(i));
        }
        std::vector<cost::Query> q;
        for (const auto& h : hw) q.push_back({&bb.net, &h});
        const auto m = cost::evaluate_in_workers(run.cost_model(), q, e.workers);
        for (std::size_t k = 0; k < m.size(); ++k) {
          if (m[k].feasible && (best < 0 || ms(m[k]) < bb.original_ms)) {
            best = start + static_cast<long long>(k);
            bb.original_ms = ms(m[k]);
          }
        }
      }
      if (best < 0) {
        throw InputError({e.file, 0, 0}, "hardware_space",
                         "no design of the hardware space runs '" + bb.net.name() + "'");
      }
      bb.design = hws.point(best);
      write_json({{"point", best},
                  {"latency_ms", bb.original_ms},
                  {"design", hw_text(*bb.design, design_fields())}},
                 idesign_file);
    }
    // 2. iSpace.
    const Options& b = run.budget();
    fpga::ISpaceOptions io;
    io.hw_radius = static_cast<int>(b.integer("hw_radius"));
    const std::string edited =
        b.text("ispace_dir").empty() ? "" : b.text("ispace_dir") + "/" + bb.net.name() + ".yaml";
    if (!edited.empty() && fs::exists(edited)) {
      bb.ispace = fpga::load_ispace(edited, bb.net, hws);
      bb.design = bb.ispace->design;
    } else {
      bb.ispace = fpga::generate_ispace(bb.net, *bb.design, hws, io);
    }
    write_text(bb.ispace->to_yaml(), bb.dir + "/ispace.yaml");
    // 3. A_ori.
    const accuracy::Result original = run.accuracy(bb.net);
    bb.accuracy = original.accuracy;
    bb.accuracy_extra = original.extra;
    // Monte Carlo (Table III).
    const long long n = b.integer("monte_carlo");
    const std::string mc_file = bb.dir + "/montecarlo.json";
    std::vector<double> lat;
    const nlohmann::json saved = fs::exists(mc_file) ? read_json_file(mc_file) : nlohmann::json();
    if (saved.is_object() && saved.at("samples").get<long long>() == n) {
      for (const auto& v : saved.at("latency_ms")) lat.push_back(v.get<double>());
    } else {
      const SearchSpace space(bb.net, bb.ispace->compression, bb.ispace->hardware, std::nullopt);
      std::mt19937_64 rng(fnv1a64(bb.net.name(), run.experiment().seed));
      std::vector<Decoded> decoded;
      for (long long i = 0; i < n; ++i) {
        Candidate x;
        for (const auto& d : space.dimensions()) {
          x.push_back(static_cast<int>(rng() % static_cast<unsigned long long>(d.size())));
        }
        try {
          decoded.push_back(space.decode(x));
        } catch (const InputError&) {
          lat.push_back(-1);  // cannot build: not a design
        }
      }
      std::vector<cost::Query> q;
      for (const auto& d : decoded) q.push_back({&d.net, &d.hw});
      for (const auto& m : cost::evaluate_in_workers(run.cost_model(), q, e.workers)) {
        lat.push_back(m.feasible ? ms(m) : -1);
      }
      write_json({{"samples", n}, {"latency_ms", lat}}, mc_file);
    }
    double sum = 0;
    bb.mc_min = 1e300, bb.mc_max = 0;
    for (double v : lat) {
      if (v < 0) continue;
      ++bb.mc_feasible;
      sum += v;
      bb.mc_min = std::min(bb.mc_min, v);
      bb.mc_max = std::max(bb.mc_max, v);
    }
    bb.mc_avg = bb.mc_feasible ? sum / static_cast<double>(bb.mc_feasible) : 0;
    run.log(fmt::format(
        "{}: A_ori {:.2f}%, original {:.3f} ms, Monte Carlo {}/{} feasible, min "
        "{:.3f} ms, avg {:.3f}, max {:.3f}; {} compression dimensions",
        bb.net.name(), bb.accuracy * 100, bb.original_ms, bb.mc_feasible, lat.size(),
        bb.mc_feasible ? bb.mc_min : 0.0, bb.mc_avg, bb.mc_max, bb.ispace->compression.size()));
  }

  // Eq. 18 normalised by `accuracy` as A_ori (when the objective takes it).
  std::unique_ptr<Objective> objective_for(FlowRun& run, double accuracy) const {
    if (run.experiment().objective_options.declares("accuracy_original")) {
      return run.objective_with({{"accuracy_original", std::max(accuracy, 1e-6)}});
    }
    return run.objective_with({});
  }

  // iSearch step 1: prune by the minimum latency, rank by eq. 18, keep K.
  // Ranked on one scale: with each backbone's own A_ori, r_acc of its
  // original accuracy would be 1 for all and accuracy would not count, so
  // A_ori here is the best original accuracy of the survivors (the paper's
  // acc_baseline role, §III-① iv).
  void select(FlowRun& run, std::vector<Backbone>& bbs) {
    std::vector<Backbone*> feasible;
    double best = 0;
    for (auto& bb : bbs) {
      if (!bb.mc_feasible) {
        bb.pruned_because = "no feasible sample";
      } else if (bb.mc_min > t_ms_) {
        bb.pruned_because = fmt::format("minimum {:.3f} ms > T", bb.mc_min);
      } else {
        feasible.push_back(&bb);
        best = std::max(best, bb.accuracy);
      }
    }
    const auto scale = objective_for(run, best);
    for (Backbone* bb : feasible) {
      Measured m;
      m.accuracy = bb->accuracy;
      m.latency_ms = bb->mc_min;
      bb->rank_reward = scale->reward(m);
    }
    std::stable_sort(feasible.begin(), feasible.end(), [](const Backbone* a, const Backbone* b) {
      return a->rank_reward > b->rank_reward;
    });
    const auto keep = static_cast<std::size_t>(run.budget().integer("keep"));
    for (std::size_t i = 0; i < feasible.size(); ++i) {
      if (i < keep) {
        feasible[i]->kept = true;
      } else {
        feasible[i]->pruned_because = fmt::format("rank {} by eq. 18 (keep {})", i + 1, keep);
      }
    }
  }

  nlohmann::json table3_row(const Backbone& bb) const {
    return {{"backbone", bb.net.name()},
            {"design", hw_text(*bb.design, design_fields())},
            {"accuracy_original", bb.accuracy},
            {"accuracy_details", bb.accuracy_extra},
            {"latency_original_ms", bb.original_ms},
            {"meets_original", bb.original_ms <= t_ms_},
            {"monte_carlo_min_ms", bb.mc_min},
            {"monte_carlo_avg_ms", bb.mc_avg},
            {"monte_carlo_max_ms", bb.mc_max},
            {"monte_carlo_feasible", bb.mc_feasible},
            {"rank_reward", bb.rank_reward},
            {"kept", bb.kept},
            {"pruned_because", bb.pruned_because},
            {"compression_dimensions", bb.ispace->compression.size()},
            {"hardware_dimensions", bb.ispace->hardware.dimensions().size()}};
  }

  struct SearchOutcome {
    std::vector<Evaluation> pool;
    double seconds = 0;                  // the search's wall time when it first ran
    const Evaluation* winner = nullptr;  // the most accurate design meeting T
    const Evaluation* fastest = nullptr;
  };

  SearchOutcome one_search(FlowRun& run, const Backbone& bb, const Objective& objective,
                           const std::shared_ptr<const SearchSpace>& space, const std::string& name,
                           unsigned long long seed, Stage* stage) {
    Stage st;
    st.space = space;
    auto ev = run.evaluator(*space, objective);
    const std::string dir = bb.dir + "/" + name;
    const auto t0 = std::chrono::steady_clock::now();
    const long long episodes = run.budget().integer("episodes");
    run.log(fmt::format("{}: {} ({} dimensions, {} episodes)", bb.net.name(), name,
                        space->dimensions().size(), episodes));
    st.history = run.search(*space, *ev, dir, episodes, seed);
    st.pool = st.history;
    st.fresh = ev->fresh_evaluations();
    run.write(st, dir, &objective);
    SearchOutcome out;
    out.pool = st.pool;
    // A resumed run reports the time the search took when it ran.
    const std::string timing = dir + "/seconds.json";
    if (!fs::exists(timing)) {
      write_json({{"seconds",
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}},
                 timing);
    }
    out.seconds = read_json_file(timing).at("seconds").get<double>();
    for (const auto& x : out.pool) {
      if (!x.feasible) continue;
      if (!out.fastest || x.predicted.latency_s < out.fastest->predicted.latency_s)
        out.fastest = &x;
      if (x.predicted.latency_s * 1e3 > t_ms_) continue;
      if (!out.winner || x.accuracy > out.winner->accuracy ||
          (x.accuracy == out.winner->accuracy &&
           x.predicted.latency_s < out.winner->predicted.latency_s)) {
        out.winner = &x;
      }
    }
    if (stage) *stage = st;
    return out;
  }

  nlohmann::json outcome_json(const SearchOutcome& o) const {
    long long fine_tuned = 0;
    for (const auto& x : o.pool) fine_tuned += x.feasible && x.accuracy > 0 ? 1 : 0;
    nlohmann::json j = {
        {"evaluations", o.pool.size()}, {"scored", fine_tuned}, {"seconds", o.seconds}};
    if (o.winner) {
      j["meets"] = true;
      j["accuracy"] = o.winner->accuracy;
      j["latency_ms"] = o.winner->predicted.latency_s * 1e3;
      j["design"] = o.winner->description;
    } else {
      j["meets"] = false;
      if (o.fastest) j["fastest_ms"] = o.fastest->predicted.latency_s * 1e3;
    }
    return j;
  }

  // iSearch step 2 for one kept backbone, its baselines, the winner's
  // re-simulation, final fine-tuning and Table V.
  nlohmann::json co_search(FlowRun& run, Backbone& bb, Stage& stage) {
    const Experiment& e = run.experiment();
    const auto objective = objective_for(run, bb.accuracy);
    const fpga::ISpace& is = *bb.ispace;
    const unsigned long long seed = fnv1a64(bb.net.name(), e.seed);
    const auto co_space =
        std::make_shared<const SearchSpace>(bb.net, is.compression, is.hardware, std::nullopt);
    SearchOutcome co = one_search(run, bb, *objective, co_space, "cosearch", seed, &stage);
    nlohmann::json row = {{"cosearch", outcome_json(co)}};
    if (run.budget().flag("baselines")) {
      const auto hw_space = std::make_shared<const SearchSpace>(
          bb.net, std::vector<CompressionDimension>{}, is.hardware, std::nullopt);
      row["hardware_only"] = outcome_json(
          one_search(run, bb, *objective, hw_space, "hardware-only", seed + 1, nullptr));
      if (!is.compression.empty()) {
        const auto c_space =
            std::make_shared<const SearchSpace>(bb.net, is.compression, std::nullopt, *bb.design);
        row["compression_only"] = outcome_json(
            one_search(run, bb, *objective, c_space, "compression-only", seed + 2, nullptr));
      }
    }
    row["meets"] = co.winner != nullptr;
    if (!co.winner) return row;
    const Evaluation& w = *co.winner;
    const Decoded win = co_space->decode(w.x);
    row["hotnas_design"] = w.description;
    row["hotnas_hw"] = hw_text(win.hw, design_fields());
    row["hotnas_accuracy_search"] = w.accuracy;
    row["hotnas_latency_ms"] = w.predicted.latency_s * 1e3;
    row["params_original"] = bb.net.params();
    row["params_hotnas"] = win.net.params();
    row["weights_mb_original"] = weight_megabytes(bb.net, *bb.design);
    row["weights_mb_hotnas"] = weight_megabytes(win.net, win.hw);
    // Re-simulation in SystemC.
    cost::CostModelContext c;
    c.arch = e.arch;
    c.seed = e.seed;
    const auto sim = cost::make_cost_model("simulator", c);
    const cost::Metrics sm = sim->evaluate({{&win.net, &win.hw}}).front();
    row["hotnas_latency_systemc_ms"] = ms(sm);
    row["latency_error"] = std::abs(w.predicted.latency_s - sm.latency_s) / sm.latency_s;
    // The winner's files and its final fine-tuning.
    write_text(network::to_yaml(win.net), bb.dir + "/winner.yaml");
    write_text(win.hw.dump_yaml(), bb.dir + "/winner_hw.yaml");
    row["winner_files"] = {bb.dir + "/winner.yaml", bb.dir + "/winner_hw.yaml"};
    const long long final_epochs = run.budget().integer("final_epochs");
    const auto& decls = e.accuracy_options;
    if (final_epochs > 0 && decls.declares("epochs") && decls.declares("save_checkpoint")) {
      const std::string final_file = bb.dir + "/winner-final.json";
      if (!fs::exists(final_file)) {
        const std::string ckpt = fs::absolute(bb.dir + "/winner.pt").string();
        run.log(
            fmt::format("{}: fine-tuning the winner for {} epoch(s)", bb.net.name(), final_epochs));
        const auto final_ev =
            run.accuracy_with({{"epochs", final_epochs}, {"save_checkpoint", ckpt}});
        const accuracy::Result r = final_ev->evaluate(win.net);
        write_json({{"accuracy", r.accuracy},
                    {"checkpoint", ckpt},
                    {"seconds", r.seconds},
                    {"epochs", final_epochs}},
                   final_file);
      }
      const auto j = read_json_file(final_file);
      row["hotnas_accuracy_final"] = j.at("accuracy");
      row["final_epochs"] = final_epochs;
      row["winner_checkpoint"] = j.at("checkpoint");
    }
    row["table5"] = table5(run, bb, *co_space, w.x, win.hw);
    return row;
  }

  // Table IV's "Param. (S)": every parameter at its layer's weight bits
  // (the datapath's width where a layer is not quantized).
  static double weight_megabytes(const network::Network& net, const ParamSet& hw) {
    double bits = 0;
    for (const auto id : net.layers()) {
      const auto& l = net.layer(id);
      bits += static_cast<double>(network::layer_params(l)) *
              (l.quant ? l.quant->weight_bits() : hw.get_int("data_bits"));
    }
    return bits / 8 / 1e6;
  }

  // Table V: the winner's changes applied in the order P, C, Q, X, H, each
  // technique's latency reduction measured with the experiment's cost model.
  nlohmann::json table5(FlowRun& run, const Backbone& bb, const SearchSpace& space,
                        const Candidate& x, const ParamSet& win_hw) {
    const auto& dims = space.compression();
    std::vector<int> choice(dims.size(), 0);
    auto latency = [&](const ParamSet& hw) {
      network::Network net = bb.net;
      network::apply_compression(net, dims, choice);
      return ms(run.cost_model().evaluate({{&net, &hw}}).front());
    };
    nlohmann::json rows = nlohmann::json::array();
    double before = latency(*bb.design);
    const double start = before;
    for (auto kind : {CompressionKind::kPattern, CompressionKind::kChannelCut,
                      CompressionKind::kQuant, CompressionKind::kKernelExpand}) {
      std::vector<std::string> changes;
      for (std::size_t k = 0; k < dims.size(); ++k) {
        if (dims[k].kind == kind && x[k] != 0) {
          choice[k] = x[k];
          changes.push_back(dims[k].layer + " " + dims[k].label(dims[k].values[x[k]]) + " (" +
                            dims[k].reason.substr(0, dims[k].reason.find(':')) + ")");
        }
      }
      const double after = latency(*bb.design);
      rows.push_back({{"space", network::compression_kind_name(kind)},
                      {"changes", changes},
                      {"reduction_ms", before - after}});
      before = after;
    }
    std::vector<std::string> hw_changes;
    for (const auto& f : design_fields()) {
      if (bb.design->get(f) != win_hw.get(f)) {
        hw_changes.push_back(f + " " + bb.design->text(f) + " -> " + win_hw.text(f));
      }
    }
    const double after = latency(win_hw);
    rows.push_back(
        {{"space", "hardware"}, {"changes", hw_changes}, {"reduction_ms", before - after}});
    return {{"rows", rows}, {"from_ms", start}, {"to_ms", after}};
  }

  std::string markdown(const nlohmann::json& r) const {
    std::string s = fmt::format("# HotNAS co-search, T = {} ms\n\n", t_ms_);
    s += "## Table III: backbone selection by a Monte Carlo test of each iSpace\n\n"
         "| backbone | A_ori | iDesign | original (ms) | MC min | sat. | MC max | MC avg | "
         "eq. 18 | kept |\n|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& b : r["backbones"]) {
      s += fmt::format(
          "| {} | {:.2f}% | {} | {:.3f} | {:.3f} | {} | {:.3f} | {:.3f} | {:.3f} | {} |\n",
          b["backbone"].get<std::string>(), b["accuracy_original"].get<double>() * 100,
          b["design"].get<std::string>(), b["latency_original_ms"].get<double>(),
          b["monte_carlo_min_ms"].get<double>(),
          b["monte_carlo_min_ms"].get<double>() <= t_ms_ ? "yes" : "no",
          b["monte_carlo_max_ms"].get<double>(), b["monte_carlo_avg_ms"].get<double>(),
          b["rank_reward"].get<double>(),
          b["kept"].get<bool>() ? "kept" : "pruned: " + b["pruned_because"].get<std::string>());
    }
    s += "\nThe hot start (the zoo, trained before the search):\n\n";
    for (const auto& b : r["backbones"]) {
      const auto& x = b["accuracy_details"];
      if (!x.contains("zoo_source")) continue;
      s += fmt::format("- {}: {:.2f}% on the whole test set; {}, {:.0f} s\n",
                       b["backbone"].get<std::string>(),
                       x.value("backbone_accuracy_full_test", 0.0) * 100,
                       x["zoo_source"].get<std::string>(), x.value("zoo_seconds", 0.0));
    }
    s += "\n## Table IV: the backbones and their HotNAS designs\n\n"
         "| backbone | original acc. | original (ms) | HotNAS acc. (beta) | HotNAS acc. (final) | "
         "HotNAS (ms) | SystemC (ms) | meets T | params | weights (MB) | co-search (s) |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& b : r["backbones"]) {
      if (!b["kept"].get<bool>()) continue;
      if (!b.value("meets", false)) {
        s += fmt::format(
            "| {} | {:.2f}% | {:.3f} | - | - | - | - | no | - | - | {:.0f} |\n",
            b["backbone"].get<std::string>(), b["accuracy_original"].get<double>() * 100,
            b["latency_original_ms"].get<double>(), b["cosearch"]["seconds"].get<double>());
        continue;
      }
      s += fmt::format(
          "| {} | {:.2f}% | {:.3f} | {:.2f}% | {} | {:.3f} | {:.3f} | yes | {:.2f}M -> {:.2f}M | "
          "{:.2f} -> {:.2f} | {:.0f} |\n",
          b["backbone"].get<std::string>(), b["accuracy_original"].get<double>() * 100,
          b["latency_original_ms"].get<double>(), b["hotnas_accuracy_search"].get<double>() * 100,
          b.contains("hotnas_accuracy_final")
              ? fmt::format("{:.2f}%", b["hotnas_accuracy_final"].get<double>() * 100)
              : "-",
          b["hotnas_latency_ms"].get<double>(), b["hotnas_latency_systemc_ms"].get<double>(),
          b["params_original"].get<double>() / 1e6, b["params_hotnas"].get<double>() / 1e6,
          b["weights_mb_original"].get<double>(), b["weights_mb_hotnas"].get<double>(),
          b["cosearch"]["seconds"].get<double>());
    }
    s += "\n## Baselines with the same episodes: what co-search buys\n\n"
         "| backbone | search | meets T | accuracy | latency (ms) | designs scored | seconds |\n"
         "|---|---|---|---|---|---|---|\n";
    for (const auto& b : r["backbones"]) {
      if (!b["kept"].get<bool>()) continue;
      for (const char* k : {"cosearch", "hardware_only", "compression_only"}) {
        if (!b.contains(k)) continue;
        const auto& o = b[k];
        const std::string tail =
            fmt::format(" {} of {} | {:.0f} |\n", o["scored"].get<long long>(),
                        o["evaluations"].get<long long>(), o["seconds"].get<double>());
        s += o["meets"].get<bool>()
                 ? fmt::format("| {} | {} | yes | {:.2f}% | {:.3f} |",
                               b["backbone"].get<std::string>(), k,
                               o["accuracy"].get<double>() * 100, o["latency_ms"].get<double>()) +
                       tail
                 : fmt::format("| {} | {} | no | - | fastest {:.3f} |",
                               b["backbone"].get<std::string>(), k, o.value("fastest_ms", 0.0)) +
                       tail;
      }
    }
    for (const auto& b : r["backbones"]) {
      if (!b.contains("table5")) continue;
      const auto& t = b["table5"];
      s += fmt::format(
          "\n## Table V: {}, {:.3f} ms -> {:.3f} ms\n\n"
          "| space | changes (iDetect class) | reduction (ms) |\n|---|---|---|\n",
          b["backbone"].get<std::string>(), t["from_ms"].get<double>(), t["to_ms"].get<double>());
      for (const auto& row : t["rows"]) {
        std::vector<std::string> ch = row["changes"].get<std::vector<std::string>>();
        s += fmt::format("| {} | {} | {:.3f} |\n", row["space"].get<std::string>(),
                         ch.empty() ? "-" : join(ch, "; "), row["reduction_ms"].get<double>());
      }
    }
    s += fmt::format(
        "\nWall time of this run, after the zoo (a resumed run counts from its "
        "resume): {:.0f} s\n",
        r["search_seconds"].get<double>());
    return s;
  }

  double t_ms_ = 0;
};

}  // namespace

void register_hotnas_flow() {
  flows().add(
      {"hotnas",
       "HotNAS: iDesign, iSpace and a Monte Carlo selection of zoo backbones, then co-search of "
       "compression and FPGA design from their trained weights (HotNAS §III)",
       {OptionDecl::list("backbones", "zoo networks (or network files) to start from")
            .required_option(),
        OptionDecl::integer("monte_carlo", 100, 1, 1000000,
                            "iSpace samples per backbone in step 1 (Table III)"),
        OptionDecl::integer("keep", 2, 1, 1000, "backbones kept for step 2 (K)"),
        OptionDecl::integer("episodes", 200, 1, 1000000000,
                            "episodes of each step-2 search (co-search and each baseline)"),
        OptionDecl::flag("baselines", true,
                         "also search hardware only and compression only with the same episodes"),
        OptionDecl::integer("final_epochs", 1, 0, 10000,
                            "epochs that fine-tune each winner (F; 0: none)"),
        OptionDecl::integer("hw_radius", 1, 0, 100,
                            "neighbours either side of the design in each hardware field's list"),
        OptionDecl::path("ispace_dir", "",
                         "read <backbone>.yaml iSpace files from here instead of generating them"),
        batch_option()},
       [] { return std::make_unique<HotnasFlow>(); }});
}

}  // namespace coda::search
