// Nested search (NAHAS §4.5): HAS outside; for each hardware candidate, a NAS
// search inside. Every inner evaluation is a candidate of the joint space
// (the NAS choices followed by the outer hardware choices), so one evaluator
// and one cache serve all inner searches, and best/Pareto/top-K decode in one
// space.
#include <algorithm>

#include <fmt/format.h>

#include "core/files.h"
#include "search/flows/flows.h"

namespace coda::search {
namespace {

class NestedFlow : public Flow {
 public:
  FlowNeeds needs() const override { return seeded_co_search_needs(); }
  Stage run(FlowRun& run) override {
    const Experiment& e = run.experiment();
    const long long outer_episodes = run.budget().integer("outer");
    const long long inner_episodes = run.budget().integer("inner");
    Stage st;
    st.space = std::make_shared<const SearchSpace>(e.network_space, std::nullopt, e.hardware_space,
                                                   std::nullopt);
    const SearchSpace outer(std::nullopt, run.network(), e.hardware_space, std::nullopt);
    auto ev = run.evaluator(*st.space);
    const std::size_t nas_dims = st.space->nas_dimensions();
    const std::vector<Dimension> inner_dims(
        st.space->dimensions().begin(),
        st.space->dimensions().begin() + static_cast<long>(nas_dims));
    auto inner_search = [&](const Candidate& hw) {
      const std::string key = SearchSpace::key(hw);
      std::string dirname = key;
      std::replace(dirname.begin(), dirname.end(), ',', '_');
      SearchSettings s = run.settings(run.out() + "/inner/" + dirname, inner_episodes,
                                      fnv1a64(key, e.seed ^ 1469598103934665603ull));
      s.resume = true;  // a finished inner search is read back, not rerun
      s.progress = nullptr;
      auto h = run_search(
          inner_dims,
          [&](const std::vector<Candidate>& xs) {
            std::vector<Candidate> full;
            for (auto x : xs) {
              x.insert(x.end(), hw.begin(), hw.end());
              full.push_back(x);
            }
            return ev->evaluate(full);
          },
          [&](const Evaluation& x) { ev->remember(x); }, s);
      st.pool.insert(st.pool.end(), h.begin(), h.end());
      Evaluation best = h.front();
      for (const auto& x : h) {
        if (x.reward > best.reward) best = x;
      }
      return best;
    };
    run.log(fmt::format("nested: {} hardware candidates x {} NAS episodes", outer_episodes,
                        inner_episodes));
    st.history = run_search(
        outer.dimensions(),
        [&](const std::vector<Candidate>& hws) {
          std::vector<Evaluation> out;
          for (const auto& hw : hws) {
            Evaluation b = inner_search(hw);
            b.cached = false;
            out.push_back(b);
          }
          return out;
        },
        nullptr, run.settings(run.out() + "/outer", outer_episodes, e.seed));
    // On resume the finished outer episodes' inner searches are read back too.
    if (st.pool.empty() || run.resuming()) {
      st.pool.clear();
      for (const auto& o : st.history) {
        inner_search(Candidate(o.x.begin() + static_cast<long>(nas_dims), o.x.end()));
      }
    }
    st.fresh = ev->fresh_evaluations();
    return st;
  }
};

}  // namespace

void register_nested_flow() {
  flows().add(
      {"nested",
       "HAS outside, a NAS search inside for every hardware candidate (NAHAS §4.5)",
       {OptionDecl::integer("outer", 0, 1, 1000000000, "hardware candidates (outer episodes)")
            .required_option(),
        OptionDecl::integer("inner", 0, 1, 1000000000, "NAS episodes per hardware candidate")
            .required_option(),
        batch_option()},
       [] { return std::make_unique<NestedFlow>(); }});
}

}  // namespace coda::search
