// Lu et al.'s reward (ICCAD'19 eq. 3): the child network's accuracy when the
// hardware search H(a, q) finds a design meeting the specification <rL, rT>,
// and 0 when none exists. The specification belongs to the hardware (the
// pipelined family's lut_budget and throughput_fps), so "no design" is an
// infeasible evaluation, which is never trained.
#include "search/objectives/objectives.h"

namespace coda::search {
namespace {

class LuObjective : public Objective {
 public:
  double reward(const Measured& m) const override { return m.feasible ? m.accuracy : 0.0; }
  std::vector<ParetoAxis> pareto_axes() const override {
    return {{"accuracy", true}, {"latency_ms", false}, {"params", false}};
  }
};

}  // namespace

void register_lu_objective() {
  objectives().add({"lu",
                    "accuracy if the hardware search finds a design, else 0 (Lu et al. eq. 3)",
                    {},
                    [](const Options&) { return std::make_unique<LuObjective>(); }});
}

}  // namespace coda::search
