// The compare flow: several searches of one experiment side by side (one-shot
// against multi-trial, strategy against strategy). Each entry of `runs`
// names a run and replaces any of the experiment's flow, budget, strategy,
// objective, accuracy and cost_model sections; the spaces, the family and
// the seed are shared, so every run searches the same joint space. Each run
// writes its own outputs into <out>/<name>/ (and resumes there with
// --resume); compare.csv and compare.md set their best designs, re-simulated,
// beside their wall-clock times, and the stage's pool is every run's best.
#include <chrono>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "core/report.h"
#include "core/text.h"
#include "search/flows/flows.h"

namespace coda::search {
namespace {

const std::vector<std::string> kReplaceable = {"flow",      "budget",   "strategy",
                                               "objective", "accuracy", "cost_model"};

class CompareFlow : public Flow {
 public:
  FlowNeeds needs() const override {
    FlowNeeds n;
    n.network_space = Need::kOptional;
    n.hardware_space = Need::kOptional;
    n.network = Need::kOptional;
    n.hardware = Need::kOptional;
    return n;
  }

  Stage run(FlowRun& run) override {
    const Experiment& e = run.experiment();
    const YamlDoc doc = load_yaml_file(e.file);
    const YAML::Node runs = run.budget().list("runs");
    std::vector<std::string> names;
    for (const auto& item : runs) {
      require_map(doc.file, item, "a run");
      std::vector<std::string> allowed = kReplaceable;
      allowed.push_back("name");
      check_keys(doc.file, item, allowed, "a run");
      const std::string name = read_string(doc.file, item, "name");
      if (name.empty() || name.find_first_of("/\\ ") != std::string::npos ||
          std::find(names.begin(), names.end(), name) != names.end()) {
        throw InputError(location_of(doc.file, item["name"]), "name",
                         "'" + name + "': each run needs a distinct name without '/' or spaces");
      }
      if (item["flow"] && item["flow"].Scalar() == "compare") {
        throw InputError(location_of(doc.file, item["flow"]), "flow",
                         "a compared run cannot be a compare flow");
      }
      names.push_back(name);
    }
    if (names.empty()) {
      throw InputError({e.file, 0, 0}, "runs", "flow compare needs at least one run");
    }

    Stage st;
    st.space = std::make_shared<const SearchSpace>(e.network_space, std::nullopt, e.hardware_space,
                                                   e.hardware_space ? std::nullopt : e.hardware);
    std::ostringstream csv, md;
    csv << "run,flow,strategy,seconds,episodes,accuracy,predicted_latency_ms,"
           "simulated_latency_ms,simulated_area_mm2,satisfied,reward,design\n";
    md << "| run | flow | strategy | wall s | episodes | accuracy | pred. ms | sim. ms | area mm2 "
          "| meets constraints | design |\n|---|---|---|---:|---:|---:|---:|---:|---:|---|---|\n";
    std::size_t i = 0;
    for (const auto& item : runs) {
      const std::string& name = names[i++];
      // The experiment with the run's sections: nodes from the file, so an
      // error names its line.
      YAML::Node merged(YAML::NodeType::Map);
      for (const auto& kv : doc.root) {
        const std::string key = kv.first.as<std::string>();
        if (key == "budget" || key == "flow" || item[key]) continue;
        merged[key] = kv.second;
      }
      for (const auto& key : kReplaceable) {
        if (item[key]) merged[key] = item[key];
      }
      merged["name"] = e.name + "-" + name;
      const Experiment sub = load_experiment({doc.file, merged}, e.file);
      RunOptions o;
      o.out = run.out() + "/" + name;
      o.resume = run.resuming();
      o.start_over = !run.resuming();
      o.log = [&run, name](const std::string& line) { run.log("[" + name + "] " + line); };
      run.log(fmt::format("compare: run {} ({}, strategy {})", name, sub.flow, sub.strategy));
      const auto start = std::chrono::steady_clock::now();
      const ExperimentResult r = run_experiment(sub, o);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (r.top.empty()) {
        csv << fmt::format("{},{},{},{:.1f},{},,,,,false,0,\n", name, sub.flow, sub.strategy,
                           seconds, r.history.size());
        md << fmt::format("| {} | {} | {} | {:.0f} | {} | | | | | no feasible design | |\n", name,
                          sub.flow, sub.strategy, seconds, r.history.size());
        continue;
      }
      const TopDesign& t = r.top.front();
      Measured m = t.e.measured();
      m.latency_ms = t.sim_latency_s * 1e3;
      m.area_mm2 = t.sim_area_mm2;
      m.energy_mj = t.sim_energy_j * 1e3;
      m.feasible = t.simulated_feasible;
      const bool ok = t.simulated_feasible && run.objective().satisfied(m);
      csv << fmt::format("{},{},{},{:.1f},{},{:.4f},{:.4f},{:.4f},{:.3f},{},{:.4f},\"{}\"\n", name,
                         sub.flow, sub.strategy, seconds, r.history.size(), t.e.accuracy,
                         t.e.predicted.latency_s * 1e3, t.sim_latency_s * 1e3, t.sim_area_mm2,
                         ok ? "true" : "false", t.e.reward, t.e.description);
      md << fmt::format(
          "| {} | {} | {} | {:.0f} | {} | {:.2f}% | {:.3f} | {:.3f} | {:.2f} | {} | "
          "`{}` |\n",
          name, sub.flow, sub.strategy, seconds, r.history.size(), 100 * t.e.accuracy,
          t.e.predicted.latency_s * 1e3, t.sim_latency_s * 1e3, t.sim_area_mm2, ok ? "yes" : "no",
          t.e.description);
      Evaluation best = t.e;
      best.description = name + ": " + best.description;
      st.history.push_back(best);
      st.pool.push_back(best);
    }
    write_text(csv.str(), run.out() + "/compare.csv");
    write_text(md.str(), run.out() + "/compare.md");
    return st;
  }
};

}  // namespace

void register_compare_flow() {
  flows().add({"compare",
               "several runs of the experiment (each replacing its flow, budget, strategy, "
               "objective, accuracy or cost model) over the same spaces, side by side in "
               "compare.csv / compare.md",
               {OptionDecl::list("runs",
                                 "[{name: NAME, flow: ..., budget: {...}, strategy: {...}}, ...]: "
                                 "each run's sections")
                    .required_option()},
               [] { return std::make_unique<CompareFlow>(); }});
}

}  // namespace coda::search
