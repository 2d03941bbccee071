// The NAHAS weighted product (NAHAS eq. 4-6):
//   reward = accuracy * prod_i (m_i / T_i)^w_i,  w_i = p if m_i <= T_i else q,
// with hard constraints p = 0, q = -1 and soft ones p = q = -0.07 (MnasNet).
// Targets on latency_ms, energy_mj, area_mm2, params or macs, each given as
// an option, share `kind`; `constraints` lists any with their own p and q.
#include <cmath>

#include "core/error.h"
#include "core/text.h"
#include "search/objectives/objectives.h"

namespace coda::search {
namespace {

const std::vector<std::string> kConstrained = {"latency_ms", "energy_mj", "area_mm2", "params",
                                               "macs"};

struct Constraint {
  std::string metric;
  double target = 0;
  double p = 0, q = -1;
};

void weights_of(const std::string& kind, Constraint& c) {
  if (kind == "hard") {
    c.p = 0, c.q = -1;
  } else {
    c.p = -0.07, c.q = -0.07;
  }
}

class NahasObjective : public Objective {
 public:
  explicit NahasObjective(const Options& o) {
    const std::string kind = o.text("kind");
    for (const auto& m : kConstrained) {
      if (!o.given(m)) continue;
      Constraint c{m, o.number(m), 0, 0};
      weights_of(kind, c);
      constraints_.push_back(c);
    }
    const YAML::Node list = o.list("constraints");
    for (const auto& item : list) {
      const std::string& file = o.file();
      require_map(file, item, "a constraint");
      check_keys(file, item, {"metric", "target", "kind", "p", "q"}, "a constraint");
      Constraint c;
      c.metric = read_string(file, item, "metric");
      if (std::find(kConstrained.begin(), kConstrained.end(), c.metric) == kConstrained.end()) {
        throw InputError(
            location_of(file, item["metric"]), "metric",
            "unknown metric '" + c.metric + "'; available: " + join(kConstrained, ", "));
      }
      c.target = read_double(file, item, "target");
      if (!(c.target > 0)) {
        throw InputError(location_of(file, item["target"]), "target", "must be positive");
      }
      const std::string k = item["kind"] ? read_string(file, item, "kind") : kind;
      if (k != "hard" && k != "soft") {
        throw InputError(location_of(file, item["kind"]), "kind",
                         "unknown constraint kind '" + k + "'; allowed: hard, soft");
      }
      weights_of(k, c);
      if (item["p"]) c.p = read_double(file, item, "p");
      if (item["q"]) c.q = read_double(file, item, "q");
      constraints_.push_back(c);
    }
  }

  // log reward = log accuracy + sum_i w_i (log m_i - log T_i): the slope of
  // a constraint is its exponent on the side of the target m is on.
  std::vector<std::pair<std::string, double>> log_slopes(const Measured& m) const override {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& c : constraints_) {
      if (c.metric != "latency_ms" && c.metric != "energy_mj" && c.metric != "area_mm2") continue;
      out.emplace_back(c.metric, m.metric(c.metric) <= c.target ? c.p : c.q);
    }
    return out;
  }

  double reward(const Measured& m) const override {
    if (!m.feasible) return 0;
    double r = m.accuracy;
    for (const auto& c : constraints_) {
      const double v = m.metric(c.metric);
      const double w = v <= c.target ? c.p : c.q;
      r *= std::pow(v / c.target, w);
    }
    return r;
  }

  bool satisfied(const Measured& m) const override {
    if (!m.feasible) return false;
    for (const auto& c : constraints_) {
      if (m.metric(c.metric) > c.target) return false;
    }
    return true;
  }

 private:
  std::vector<Constraint> constraints_;
};

}  // namespace

void register_nahas_objective() {
  OptionDecls decls;
  for (const auto& m : kConstrained) {
    decls.push_back(OptionDecl::positive(m, "target T of " + m + " (eq. 5)"));
  }
  decls.push_back(OptionDecl::choice("kind", "soft", {"soft", "hard"},
                                     "soft: p = q = -0.07 (MnasNet); hard: p = 0, q = -1"));
  decls.push_back(OptionDecl::list(
      "constraints", "more targets, each {metric, target, kind, p, q}, its own p and q"));
  objectives().add({"nahas", "accuracy x prod (m/T)^w over the targets (NAHAS eq. 4-6)", decls,
                    [](const Options& o) { return std::make_unique<NahasObjective>(o); }});
}

}  // namespace coda::search
