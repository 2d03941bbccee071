// Phase search (NAHAS §4.5): HAS on the seed network, then NAS on the
// hardware it chose. The HAS stage's outputs go to phase1-has/; the NAS
// stage is the flow's result.
#include <fmt/format.h>

#include "core/error.h"
#include "search/flows/flows.h"

namespace coda::search {
namespace {

class PhaseFlow : public Flow {
 public:
  FlowNeeds needs() const override { return seeded_co_search_needs(); }
  Stage run(FlowRun& run) override {
    const Experiment& e = run.experiment();
    const long long has = run.budget().integer("has"), nas = run.budget().integer("nas");
    Stage s1;
    s1.space = std::make_shared<const SearchSpace>(std::nullopt, run.network(), e.hardware_space,
                                                   std::nullopt);
    auto has_ev = run.evaluator(*s1.space);
    run.log(fmt::format("phase 1: HAS on {} ({} episodes)", run.network()->name(), has));
    s1.history = run.search(*s1.space, *has_ev, run.out() + "/phase1-has", has, e.seed);
    s1.pool = s1.history;
    s1.fresh = has_ev->fresh_evaluations();
    const auto r1 = run.write(s1, run.out() + "/phase1-has");
    if (r1.top.empty()) throw InputError({}, "budget", "phase 1 evaluated nothing");
    const ParamSet hw = s1.space->hw_of(r1.top.front().e.x);

    Stage s2;
    s2.space = std::make_shared<const SearchSpace>(e.network_space, std::nullopt, std::nullopt, hw);
    auto nas_ev = run.evaluator(*s2.space);
    run.log(fmt::format("phase 2: NAS on {} ({} episodes)", r1.top.front().e.description, nas));
    s2.history = run.search(*s2.space, *nas_ev, run.out() + "/phase2-nas", nas, e.seed + 1);
    s2.pool = s2.history;
    s2.fresh = nas_ev->fresh_evaluations();
    return s2;
  }
};

}  // namespace

FlowNeeds seeded_co_search_needs() {
  FlowNeeds n;
  n.network_space = Need::kRequired;
  n.hardware_space = Need::kRequired;
  n.network = Need::kRequired;
  return n;
}

void register_phase_flow() {
  flows().add(
      {"phase",
       "HAS on the seed `network`, then NAS on the hardware it chose (NAHAS §4.5)",
       {OptionDecl::integer("has", 0, 1, 1000000000, "episodes of the HAS stage").required_option(),
        OptionDecl::integer("nas", 0, 1, 1000000000, "episodes of the NAS stage").required_option(),
        batch_option()},
       [] { return std::make_unique<PhaseFlow>(); }});
}

}  // namespace coda::search
