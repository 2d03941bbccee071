// One search: the joint space (NAS x HAS), NAS on fixed hardware, or HAS for
// a fixed network.
#include <fmt/format.h>

#include "search/flows/flows.h"

namespace coda::search {
namespace {

class SingleSearch : public Flow {
 public:
  SingleSearch(bool network, bool hardware) : network_(network), hardware_(hardware) {}
  FlowNeeds needs() const override {
    FlowNeeds n;
    n.network_space = network_ ? Need::kRequired : Need::kForbidden;
    n.network = network_ ? Need::kOptional : Need::kRequired;
    n.hardware_space = hardware_ ? Need::kRequired : Need::kForbidden;
    n.hardware = hardware_ ? Need::kForbidden : Need::kRequired;
    return n;
  }
  Stage run(FlowRun& run) override {
    const Experiment& e = run.experiment();
    const long long episodes = run.budget().integer("evaluations");
    Stage st;
    st.space = std::make_shared<const SearchSpace>(
        network_ ? e.network_space : std::nullopt, network_ ? std::nullopt : run.network(),
        hardware_ ? e.hardware_space : std::nullopt, hardware_ ? std::nullopt : e.hardware);
    auto ev = run.evaluator(*st.space);
    run.log(
        fmt::format("search: flow {}, {} dimensions ({:.3g} candidates), {} episodes, strategy {}",
                    e.flow, st.space->dimensions().size(), st.space->size(), episodes, e.strategy));
    st.history = run.search(*st.space, *ev, run.out(), episodes, e.seed);
    st.pool = st.history;
    st.fresh = ev->fresh_evaluations();
    return st;
  }

 private:
  bool network_, hardware_;
};

OptionDecls single_options() {
  return {
      OptionDecl::integer("evaluations", 100, 1, 1000000000, "episodes (candidates) to evaluate"),
      batch_option()};
}

}  // namespace

void register_single_flows() {
  flows().add({"joint", "one search over NAS x hardware choices (NAHAS §4.5 joint)",
               single_options(), [] { return std::make_unique<SingleSearch>(true, true); }});
  flows().add({"nas", "NAS on the fixed `hardware`", single_options(),
               [] { return std::make_unique<SingleSearch>(true, false); }});
  flows().add({"has", "hardware search for the fixed `network`", single_options(),
               [] { return std::make_unique<SingleSearch>(false, true); }});
}

}  // namespace coda::search
