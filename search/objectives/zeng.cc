// Zeng et al.'s objectives (ASP-DAC'20):
//   zeng  eq. 4-6: Cost = exp(-(accuracy - thres) / scale) - lambda / latency_ms,
//         the profiling cost; the reward is -Cost (lower cost is better). An
//         infeasible design costs as accuracy 0 at infinite latency.
//   enas  eq. 2: (1 - beta) * accuracy + beta * T, with T = -latency_ms, the
//         latency penalty the paper adds to ENAS's reward (§IV-A).
// Accuracy is a fraction and latency in milliseconds, the units of the
// paper's Table II (thres 0.85, scale 2: Res at 86.7%, 1.30 ms has Cost
// 0.9838 at lambda 0.01).
#include <cmath>

#include "search/objectives/objectives.h"

namespace coda::search {

double zeng_cost(double accuracy, double latency_ms, double thres, double scale, double lambda) {
  const double acc_cost = std::exp(-(accuracy - thres) / scale);         // eq. 4
  const double latency_cost = latency_ms > 0 ? -1.0 / latency_ms : 0.0;  // eq. 5
  return acc_cost + lambda * latency_cost;                               // eq. 6
}

namespace {

class ZengObjective : public Objective {
 public:
  explicit ZengObjective(const Options& o)
      : thres_(o.number("thres")), scale_(o.number("scale")), lambda_(o.number("lambda")) {}
  double reward(const Measured& m) const override {
    if (!m.feasible) return -zeng_cost(0, 0, thres_, scale_, lambda_);
    return -zeng_cost(m.accuracy, m.latency_ms, thres_, scale_, lambda_);
  }
  std::vector<ParetoAxis> pareto_axes() const override {
    return {{"accuracy", true}, {"latency_ms", false}};
  }

 private:
  double thres_, scale_, lambda_;
};

class EnasObjective : public Objective {
 public:
  explicit EnasObjective(const Options& o)
      : beta_(o.number("beta")), infeasible_ms_(o.number("infeasible_ms")) {}
  double reward(const Measured& m) const override {
    const double latency = m.feasible ? m.latency_ms : infeasible_ms_;
    const double accuracy = m.feasible ? m.accuracy : 0;
    return (1 - beta_) * accuracy + beta_ * -latency;  // eq. 2 with T = -latency
  }
  std::vector<ParetoAxis> pareto_axes() const override {
    return {{"accuracy", true}, {"latency_ms", false}};
  }

 private:
  double beta_, infeasible_ms_;
};

}  // namespace

void register_zeng_objectives() {
  objectives().add(
      {"zeng",
       "-Cost of Zeng et al. eq. 4-6: exp(-(acc - thres)/scale) - lambda/latency_ms",
       {OptionDecl::number("thres", 0.85, 0, 1, "accuracy threshold (a fraction; eq. 4)"),
        OptionDecl::number("scale", 2, 1e-6, 1e6, "tolerance of low accuracy (eq. 4)"),
        OptionDecl::number("lambda", 0.1, 0, 1e6, "weight of the latency cost (eq. 6)")},
       [](const Options& o) { return std::make_unique<ZengObjective>(o); }});
  objectives().add({"enas",
                    "(1 - beta) * accuracy - beta * latency_ms (Zeng et al. eq. 2, ENAS's reward)",
                    {OptionDecl::number("beta", 0.1, 0, 1, "weight of the latency penalty (eq. 2)"),
                     OptionDecl::number("infeasible_ms", 1000, 0, 1e9,
                                        "the latency an infeasible design is charged")},
                    [](const Options& o) { return std::make_unique<EnasObjective>(o); }});
}

}  // namespace coda::search
