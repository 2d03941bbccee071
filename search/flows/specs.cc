// The design-specification grid (Lu et al. ICCAD'19 Tables 3-4): the same
// NAS search on fixed hardware, repeated for every point of a grid of
// hardware values (Lu's <rL, rT>: the pipelined family's lut_budget and
// throughput_fps) and for every listed NAS space (the joint space, then the
// quantization-only spaces of fixed architectures). Each search writes its
// own outputs into <space>/<point>/; specs.csv and specs.md hold one row per
// search: its best design with what the family reports about it (LUTs,
// throughput, parameter bits) and, with `float_accuracy`, the accuracy of
// the same network without its quantization. The flow's result, written at
// the top of the output directory, is the first space's search at the first
// point.
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "core/report.h"
#include "core/text.h"
#include "search/flows/flows.h"
#include "sim/accelerator.h"

namespace coda::search {
namespace {

struct Axis {
  std::string param;
  std::vector<double> values;
};

std::vector<Axis> read_grid(const Options& o, const ParamSet& hw) {
  const std::string& file = o.file();
  std::vector<Axis> axes;
  for (const auto& item : o.list("grid")) {
    if (!item.IsMap() || item.size() != 1) {
      throw InputError(location_of(file, item), "grid",
                       "each entry is one hardware field and its values, e.g. "
                       "{lut_budget: [30000, 100000]}");
    }
    const auto kv = *item.begin();
    Axis a;
    a.param = kv.first.as<std::string>();
    std::vector<std::string> names;
    for (const auto& d : hw.decls()) names.push_back(d.name);
    if (std::find(names.begin(), names.end(), a.param) == names.end()) {
      throw InputError(location_of(file, kv.first), a.param,
                       "unknown hardware field; allowed: " + join(names, ", "));
    }
    if (!kv.second.IsSequence() || kv.second.size() == 0) {
      throw InputError(location_of(file, kv.second), a.param, "expected a non-empty list");
    }
    for (const auto& v : kv.second) {
      const SourceLocation where = location_of(file, v);
      const double x = hw.parse(hw.decl(a.param), v.Scalar(), where);
      ParamSet probe = hw;
      probe.set(a.param, x, where);  // range checks
      a.values.push_back(x);
    }
    axes.push_back(std::move(a));
  }
  return axes;
}

// Every combination of the axes' values, the last axis fastest.
std::vector<std::vector<double>> grid_points(const std::vector<Axis>& axes) {
  std::vector<std::vector<double>> points = {{}};
  for (const Axis& a : axes) {
    std::vector<std::vector<double>> next;
    for (const auto& p : points) {
      for (double v : a.values) {
        auto q = p;
        q.push_back(v);
        next.push_back(std::move(q));
      }
    }
    points = std::move(next);
  }
  return points;
}

std::vector<space::NasSpace> read_spaces(const Experiment& e, const Options& o) {
  std::vector<space::NasSpace> spaces = {*e.network_space};
  for (const auto& item : o.list("spaces")) {
    try {
      spaces.push_back(space::NasSpace::open(item.Scalar(), o.file())
                           .with_input(e.network_space->input(), e.network_space->classes()));
    } catch (const InputError& err) {
      throw InputError(location_of(o.file(), item), "spaces", err.what());
    }
  }
  return spaces;
}

class SpecGridFlow : public Flow {
 public:
  FlowNeeds needs() const override {
    FlowNeeds n;
    n.network_space = Need::kRequired;
    n.hardware = Need::kRequired;
    n.network = Need::kForbidden;
    return n;
  }

  Stage run(FlowRun& run) override {
    const Experiment& e = run.experiment();
    const Options& o = run.budget();
    const std::vector<Axis> axes = read_grid(o, *e.hardware);
    const auto points = grid_points(axes);
    const auto spaces = read_spaces(e, o);
    const long long episodes = o.integer("evaluations");
    const bool float_accuracy = o.flag("float_accuracy");
    sim::Accelerator& acc = sim::accelerator(e.arch);

    nlohmann::json rows = nlohmann::json::array();
    std::optional<Stage> first;
    for (const space::NasSpace& nas : spaces) {
      for (const auto& point : points) {
        ParamSet hw = *e.hardware;
        std::vector<std::string> label;
        nlohmann::json spec = nlohmann::json::object();
        for (std::size_t k = 0; k < axes.size(); ++k) {
          hw.set(axes[k].param, point[k]);
          label.push_back(axes[k].param + "=" + hw.text(axes[k].param));
          spec[axes[k].param] = point[k];
        }
        const std::string dir = run.out() + "/" + nas.name() + "/" + join(label, ",");
        Stage st;
        st.space = std::make_shared<const SearchSpace>(nas, std::nullopt, std::nullopt, hw);
        auto ev = run.evaluator(*st.space);
        run.log(
            fmt::format("specs: {} at {} ({} episodes)", nas.name(), join(label, ", "), episodes));
        st.history = run.search(*st.space, *ev, dir, episodes, e.seed);
        st.pool = st.history;
        st.fresh = ev->fresh_evaluations();
        run.write(st, dir);
        rows.push_back(row(run, acc, st, nas.name(), spec, float_accuracy));
        if (!first) first = std::move(st);
      }
    }
    write_tables(rows, axes, run.out());
    return std::move(*first);
  }

 private:
  static nlohmann::json row(FlowRun& run, sim::Accelerator& acc, const Stage& st,
                            const std::string& space, const nlohmann::json& spec,
                            bool float_accuracy) {
    long long feasible = 0;
    for (const auto& ev : st.history) feasible += ev.feasible ? 1 : 0;
    nlohmann::json r = {{"space", space},
                        {"spec", spec},
                        {"episodes", st.history.size()},
                        {"feasible", feasible},
                        {"found", false}};
    const auto ranked = rank_by_reward(st.pool);
    if (ranked.empty() || !ranked.front()->feasible) return r;
    const Evaluation& best = *ranked.front();
    const Decoded d = st.space->decode(best.x);
    r["found"] = true;
    r["design"] = best.description;
    r["accuracy"] = best.accuracy;
    r["reward"] = best.reward;
    r["latency_ms"] = best.predicted.latency_s * 1e3;
    r["params"] = best.params;
    // What the family reports about the design: its scalar extras.
    const sim::SimResult sr = acc.analytical(d.net, d.hw);
    for (const auto& [k, v] : sr.extra.items()) {
      if (v.is_number()) r[k] = v;
    }
    if (float_accuracy) {
      network::Network plain = d.net;
      bool quantized = false;
      for (auto id : plain.layers()) {
        quantized |= plain.layer(id).quant.has_value();
        plain.mutable_layer(id).quant.reset();
      }
      r["accuracy_float"] = quantized ? run.accuracy(plain).accuracy : best.accuracy;
    }
    return r;
  }

  static void write_tables(const nlohmann::json& rows, const std::vector<Axis>& axes,
                           const std::string& out) {
    // The family's columns: every scalar any row reports, in first-seen order.
    const std::vector<std::string> fixed = {"space",      "spec",   "episodes",      "feasible",
                                            "found",      "design", "accuracy",      "reward",
                                            "latency_ms", "params", "accuracy_float"};
    std::vector<std::string> extra;
    for (const auto& r : rows) {
      for (const auto& [k, v] : r.items()) {
        if (std::find(fixed.begin(), fixed.end(), k) == fixed.end() &&
            std::find(extra.begin(), extra.end(), k) == extra.end()) {
          extra.push_back(k);
        }
      }
    }
    std::vector<std::string> cols = {"space"};
    for (const Axis& a : axes) cols.push_back("spec." + a.param);
    for (const char* c :
         {"episodes", "feasible", "accuracy", "accuracy_float", "latency_ms", "params"}) {
      cols.push_back(c);
    }
    cols.insert(cols.end(), extra.begin(), extra.end());
    cols.push_back("design");
    auto cell = [&](const nlohmann::json& r, const std::string& c) -> std::string {
      const nlohmann::json* v = nullptr;
      if (c.rfind("spec.", 0) == 0) {
        v = &r["spec"][c.substr(5)];
      } else if (r.contains(c)) {
        v = &r[c];
      }
      if (!v) return c == "design" && !r["found"].get<bool>() ? "no design" : "";
      if (v->is_string()) return v->get<std::string>();
      if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
      if (v->is_number_integer()) return std::to_string(v->get<long long>());
      if (v->is_number()) return fmt::format("{:.6g}", v->get<double>());
      return v->dump();
    };
    std::ostringstream csv, md;
    csv << join(cols, ",") << "\n";
    md << "| " << join(cols, " | ") << " |\n|";
    for (std::size_t i = 0; i < cols.size(); ++i) md << "---|";
    md << "\n";
    for (const auto& r : rows) {
      std::vector<std::string> cells;
      for (const auto& c : cols) cells.push_back(cell(r, c));
      std::vector<std::string> quoted;
      for (const auto& c : cells) quoted.push_back(csv_quote(c));
      csv << join(quoted, ",") << "\n";
      md << "| " << join(cells, " | ") << " |\n";
    }
    write_text(csv.str(), out + "/specs.csv");
    write_text(md.str(), out + "/specs.md");
    write_json(rows, out + "/specs.json");
  }
};

}  // namespace

void register_spec_grid_flow() {
  flows().add(
      {"specs",
       "NAS on the fixed `hardware` for every point of a grid of hardware values and every "
       "listed space; a table of each search's best design (Lu et al. Tables 3-4)",
       {OptionDecl::integer("evaluations", 100, 1, 1000000000,
                            "episodes (candidates) of each search"),
        batch_option(),
        OptionDecl::list("grid",
                         "hardware fields and their values, e.g. [{lut_budget: [30000, 100000]}, "
                         "{throughput_fps: [500, 1000]}]; every combination is searched")
            .required_option(),
        OptionDecl::list("spaces",
                         "more NAS spaces (names or files) searched at every point after "
                         "`network_space`"),
        OptionDecl::flag("float_accuracy", false,
                         "also evaluate each best network without its quantization")},
       [] { return std::make_unique<SpecGridFlow>(); }});
}

}  // namespace coda::search
