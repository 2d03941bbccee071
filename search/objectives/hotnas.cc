// HotNAS eq. 18 (§III-① v): R = alpha * r_acc + (1 - alpha) * r_lat.
//   lat > T:  r_acc = -1, r_lat = T - lat (ms), and the design is not
//             fine-tuned (needs_accuracy() is false);
//   else:     r_acc = (acc - A_min) / (A_ori - A_min) * 2 - 1,
//             r_lat = (T - lat) / (T - T_min) * 2 - 1.
// The paper leaves A_min and T_min open ("lower bounds ... for a better
// normalization"); coda takes A_min = A_ori - accuracy_drop (10 points by
// default) and T_min = latency_min_ms, or T / 2 when not given. An
// infeasible design is charged as lat = 2T. A_ori is the backbone's
// accuracy: the hotnas flow sets `accuracy_original` per backbone; without
// it accuracies are normalised over [0, 1] (A_ori = 1, A_min = 0).
#include "search/objectives/objectives.h"

namespace coda::search {

double hotnas_reward(double accuracy, double latency_ms, const HotnasReward& p) {
  if (latency_ms > p.latency_ms) {
    return p.alpha * -1.0 + (1 - p.alpha) * (p.latency_ms - latency_ms);
  }
  const double r_acc = (accuracy - p.accuracy_min) / (p.accuracy_original - p.accuracy_min) * 2 - 1;
  const double r_lat = (p.latency_ms - latency_ms) / (p.latency_ms - p.latency_min_ms) * 2 - 1;
  return p.alpha * r_acc + (1 - p.alpha) * r_lat;
}

namespace {

class HotnasObjective : public Objective {
 public:
  explicit HotnasObjective(const Options& o) {
    p_.latency_ms = o.number("latency_ms");
    p_.alpha = o.number("alpha");
    p_.accuracy_original = o.given("accuracy_original") ? o.number("accuracy_original") : 1.0;
    p_.accuracy_min =
        o.given("accuracy_original") ? p_.accuracy_original - o.number("accuracy_drop") : 0.0;
    p_.latency_min_ms = o.given("latency_min_ms") ? o.number("latency_min_ms") : p_.latency_ms / 2;
    if (p_.accuracy_original > 1) {
      throw InputError(o.where("accuracy_original"), "accuracy_original",
                       "an accuracy is a fraction from 0 to 1");
    }
    if (p_.latency_min_ms >= p_.latency_ms) {
      throw InputError(o.where("latency_min_ms"), "latency_min_ms",
                       "T_min must be below the timing constraint latency_ms");
    }
  }
  double reward(const Measured& m) const override {
    return hotnas_reward(m.accuracy, m.feasible ? m.latency_ms : 2 * p_.latency_ms, p_);
  }
  bool needs_accuracy(const Measured& m) const override {
    return m.feasible && m.latency_ms <= p_.latency_ms;
  }
  bool satisfied(const Measured& m) const override {
    return m.feasible && m.latency_ms <= p_.latency_ms;
  }
  std::vector<ParetoAxis> pareto_axes() const override {
    return {{"accuracy", true}, {"latency_ms", false}};
  }

 private:
  HotnasReward p_;
};

}  // namespace

void register_hotnas_objective() {
  objectives().add(
      {"hotnas",
       "HotNAS eq. 18: alpha * r_acc + (1 - alpha) * r_lat, no fine-tuning past the timing "
       "constraint",
       {OptionDecl::positive("latency_ms", "the timing constraint T").required_option(),
        OptionDecl::number("alpha", 0.7, 0, 1, "weight of accuracy (the paper: 0.7)"),
        OptionDecl::positive(
            "accuracy_original",
            "A_ori, the backbone's accuracy, a fraction (the hotnas flow sets it)"),
        OptionDecl::number("accuracy_drop", 0.1, 1e-6, 1, "A_min = A_ori - accuracy_drop"),
        OptionDecl::positive("latency_min_ms", "T_min (default T / 2)")},
       [](const Options& o) { return std::make_unique<HotnasObjective>(o); }});
}

}  // namespace coda::search
