#include "search/driver.h"


#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "core/files.h"
#include "core/plot.h"
#include "core/text.h"
#include "models/network/yaml_io.h"
#include "models/network/zoo.h"
#include "sim/accelerator.h"

namespace coda::search {
namespace fs = std::filesystem;

namespace {

void write_atomic(const std::string& path, const std::string& text) {
  if (!write_file_atomic(path, text)) throw InputError({path, 0, 0}, "out", "cannot write");
}

}  // namespace

std::vector<Evaluation> run_search(const std::vector<Dimension>& dims,
                                   const BatchEvaluator& evaluate,
                                   const std::function<void(const Evaluation&)>& remember,
                                   const SearchSettings& s) {
  fs::create_directories(s.dir);
  const std::string journal = s.dir + "/journal.jsonl";
  // The strategy state of batch b is strategy-<b>.state; the checkpoint,
  // written atomically after it, names the one to load, so a kill between
  // the two leaves a consistent pair.
  auto state_file = [&](long long b) { return s.dir + "/strategy-" + std::to_string(b) + ".state"; };
  const std::string checkpoint = s.dir + "/checkpoint.json";
  StrategyOptions options(s.strategy, s.strategy_options, s.file);
  auto strategy = strategies().make(s.strategy, {dims, s.seed, &options});

  std::vector<Evaluation> history;
  long long batches_done = 0;
  if (s.resume && fs::exists(checkpoint)) {
    const nlohmann::json cp = read_json_state(checkpoint);
    if (cp.value("strategy", "") != s.strategy || cp.value("seed", 0ULL) != s.seed) {
      throw InputError({checkpoint, 0, 0}, "resume",
                       "this directory holds a search with strategy '" +
                           cp.value("strategy", "") + "' and seed " +
                           std::to_string(cp.value("seed", 0ULL)) +
                           "; resume it with the same experiment or use another --out");
    }
    batches_done = cp.at("batches").get<long long>();
    if (batches_done > 0) strategy->load(state_file(batches_done));
    // Finished episodes form the history; a partial batch only fills caches.
    std::ifstream in(journal);
    std::string line, kept;
    while (std::getline(in, line)) {
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const std::exception&) {
        continue;  // a line cut by the kill
      }
      Evaluation e = Evaluation::from_json(j);
      e.cached = j.value("cached", false);
      if (remember) remember(e);
      if (j.at("episode").get<long long>() < batches_done * s.batch) {
        history.push_back(e);
        kept += line + "\n";
      }
    }
    write_atomic(journal, kept);
  } else if (!s.resume) {
    if (fs::exists(journal) && fs::file_size(journal) > 0) {
      throw InputError({s.dir, 0, 0}, "out",
                       "holds a previous search; pass --resume to continue it or use another --out");
    }
    std::ofstream(journal, std::ios::trunc);
  }
  double best = 0;
  // `cached` marks a repeat of an earlier episode's candidate, so a resumed
  // run's history equals an uninterrupted one's.
  std::set<std::string> seen;
  for (const auto& e : history) {
    best = std::max(best, e.reward);
    seen.insert(e.key);
  }
  std::ofstream out(journal, std::ios::app);
  while (static_cast<long long>(history.size()) < s.episodes) {
    const int n = static_cast<int>(
        std::min<long long>(s.batch, s.episodes - static_cast<long long>(history.size())));
    const auto xs = strategy->ask(n);
    auto results = evaluate(xs);
    std::vector<double> rewards;
    for (std::size_t j = 0; j < results.size(); ++j) {
      results[j].cached = !seen.insert(results[j].key).second;
      nlohmann::json line = results[j].to_json();
      line["episode"] = static_cast<long long>(history.size());
      line["batch"] = batches_done;
      line["cached"] = results[j].cached;
      out << line.dump() << "\n";
      rewards.push_back(results[j].reward);
      best = std::max(best, results[j].reward);
      history.push_back(results[j]);
    }
    out.flush();
    strategy->tell(xs, rewards);
    ++batches_done;
    strategy->save(state_file(batches_done));
    write_json_state(checkpoint, {{"batches", batches_done},
                                  {"episodes", history.size()},
                                  {"strategy", s.strategy},
                                  {"seed", s.seed}});
    for (const std::string& old : {state_file(batches_done - 1), state_file(batches_done - 1) + ".json"}) {
      std::error_code ec;
      fs::remove(old, ec);
    }
    if (s.progress) s.progress(static_cast<long long>(history.size()), s.episodes, best);
  }
  return history;
}

namespace {

// Non-dominated feasible designs: accuracy up; latency, energy, area down.
std::vector<const Evaluation*> pareto_front(const std::vector<const Evaluation*>& pool) {
  std::vector<const Evaluation*> front;
  for (const auto* a : pool) {
    bool dominated = false;
    for (const auto* b : pool) {
      const bool no_worse = b->accuracy >= a->accuracy &&
                            b->predicted.latency_s <= a->predicted.latency_s &&
                            b->predicted.energy_j <= a->predicted.energy_j &&
                            b->predicted.area_mm2 <= a->predicted.area_mm2;
      const bool better = b->accuracy > a->accuracy ||
                          b->predicted.latency_s < a->predicted.latency_s ||
                          b->predicted.energy_j < a->predicted.energy_j ||
                          b->predicted.area_mm2 < a->predicted.area_mm2;
      if (no_worse && better) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(a);
  }
  std::sort(front.begin(), front.end(), [](auto* x, auto* y) {
    return x->predicted.latency_s < y->predicted.latency_s;
  });
  return front;
}

std::string metrics_csv(const Evaluation& e) {
  return fmt::format("{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}", e.feasible ? 1 : 0, e.accuracy,
                     e.predicted.latency_s * 1e3, e.predicted.energy_j * 1e3,
                     e.predicted.area_mm2, e.reward);
}

nlohmann::json hw_json(const ParamSet& hw) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& d : hw.decls()) {
    const std::string t = hw.text(d.name);
    if (auto v = parse_double(t)) {
      j[d.name] = *v;
    } else {
      j[d.name] = t;
    }
  }
  return j;
}

void plot_outputs(const std::string& out, std::size_t pool_size) {
  run_gnuplot(fmt::format("set terminal pngcairo size 900,600\nset output '{0}/reward.png'\n"
                          "set datafile separator ','\nset key autotitle columnhead\n"
                          "set xlabel 'episode'\nset ylabel 'reward'\nset grid\n"
                          "set title 'reward per episode and best so far'\n"
                          "plot '{0}/history.csv' using 1:10 with points pt 7 ps 0.4 lc rgb "
                          "'#999999' title 'reward', '' using 1:11 with lines lw 2 lc rgb "
                          "'#cc0000' title 'best so far'\n",
                          out),
              "reward plot");
  run_gnuplot(fmt::format("set terminal pngcairo size 900,600\nset output '{0}/pareto.png'\n"
                          "set datafile separator ','\nset xlabel 'latency (ms)'\n"
                          "set ylabel 'accuracy'\nset grid\nset logscale x\n"
                          "set title 'accuracy-latency Pareto front ({1} designs)'\n"
                          "set key bottom right\n"
                          "plot '{0}/designs.csv' using 4:3 skip 1 with points pt 7 ps 0.4 lc rgb "
                          "'#999999' title 'designs', '{0}/pareto.csv' using 4:3 skip 1 with "
                          "points pt 6 ps 1 lc rgb '#3366cc' title 'Pareto (accuracy, latency, "
                          "energy, area)', '{0}/pareto_latency.csv' using 4:3 skip 1 with steps "
                          "lw 2 lc rgb '#cc0000' title 'accuracy-latency front'\n",
                          out, pool_size),
              "Pareto plot");
}

}  // namespace

namespace {

struct Outputs {
  const Experiment& e;
  const SearchSpace& space;  // decodes every candidate of `pool`
  std::vector<Evaluation> history;
  std::vector<Evaluation> pool;  // unique evaluations for pareto / best / top-k
  long long fresh = 0;
  double seconds = 0;
};

ExperimentResult write_outputs(const Outputs& o, const std::string& out) {
  fs::create_directories(out);
  ExperimentResult r;
  r.history = o.history;
  {
    std::ofstream h(out + "/history.csv");
    h << "episode,candidate,feasible,accuracy,latency_ms,energy_mj,area_mm2,cached,description,"
         "reward,best_reward,reason\n";
    double best = 0;
    for (std::size_t i = 0; i < o.history.size(); ++i) {
      const auto& e = o.history[i];
      best = std::max(best, e.reward);
      h << fmt::format("{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{},{},{:.6g},{:.6g},{}\n", i,
                       csv_quote(e.key), e.feasible ? 1 : 0, e.accuracy,
                       e.predicted.latency_s * 1e3, e.predicted.energy_j * 1e3,
                       e.predicted.area_mm2, e.cached ? 1 : 0, csv_quote(e.description),
                       e.reward, best, csv_quote(e.reason));
    }
  }
  std::map<std::string, const Evaluation*> unique;
  for (const auto& e : o.pool) unique.emplace(e.key, &e);
  std::vector<const Evaluation*> feasible;
  for (const auto& [k, e] : unique) {
    if (e->feasible) feasible.push_back(e);
  }
  const std::string header = "candidate,feasible,accuracy,latency_ms,energy_mj,area_mm2,reward,description\n";
  {
    std::ofstream d(out + "/designs.csv");
    d << header;
    for (const auto* e : feasible) {
      d << csv_quote(e->key) << "," << metrics_csv(*e) << "," << csv_quote(e->description) << "\n";
    }
    std::ofstream p(out + "/pareto.csv");
    p << header;
    for (const auto* e : pareto_front(feasible)) {
      p << csv_quote(e->key) << "," << metrics_csv(*e) << "," << csv_quote(e->description) << "\n";
    }
    // The accuracy-latency front alone, for the plot: by latency, keep each
    // design more accurate than every faster one.
    std::vector<const Evaluation*> by_latency = feasible;
    std::sort(by_latency.begin(), by_latency.end(), [](auto* a, auto* b) {
      return a->predicted.latency_s < b->predicted.latency_s;
    });
    std::ofstream p2(out + "/pareto_latency.csv");
    p2 << header;
    double best_acc = -1;
    for (const auto* e : by_latency) {
      if (e->accuracy <= best_acc) continue;
      best_acc = e->accuracy;
      p2 << csv_quote(e->key) << "," << metrics_csv(*e) << "," << csv_quote(e->description) << "\n";
    }
  }
  // Top-K by reward (first found wins ties), re-simulated as ground truth.
  std::vector<const Evaluation*> ranked;
  for (const auto& [k, e] : unique) ranked.push_back(e);
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < o.pool.size(); ++i) order.emplace(o.pool[i].key, i);
  std::stable_sort(ranked.begin(), ranked.end(), [&](auto* a, auto* b) {
    if (a->reward != b->reward) return a->reward > b->reward;
    return order.at(a->key) < order.at(b->key);
  });
  sim::Accelerator& acc = sim::accelerator(o.e.arch);
  nlohmann::json top = nlohmann::json::array();
  double err_sum = 0;
  int err_n = 0;
  for (std::size_t i = 0; i < ranked.size() && static_cast<int>(i) < o.e.top_k; ++i) {
    TopDesign t{*ranked[i]};
    if (ranked[i]->feasible) {
      const Decoded d = o.space.decode(ranked[i]->x);
      const sim::SimResult s = acc.simulate(d.net, d.hw, {});
      t.simulated_feasible = s.feasible;
      t.sim_latency_s = s.latency_s;
      t.sim_energy_j = s.energy_j;
      t.sim_area_mm2 = s.area_mm2;
      if (s.feasible && s.latency_s > 0) {
        t.latency_error = std::abs(t.e.predicted.latency_s - s.latency_s) / s.latency_s;
        err_sum += t.latency_error;
        ++err_n;
      }
    }
    top.push_back({{"rank", i + 1},
                   {"candidate", t.e.key},
                   {"description", t.e.description},
                   {"reward", t.e.reward},
                   {"accuracy", t.e.accuracy},
                   {"predicted", {{"latency_ms", t.e.predicted.latency_s * 1e3},
                                  {"energy_mj", t.e.predicted.energy_j * 1e3},
                                  {"area_mm2", t.e.predicted.area_mm2}}},
                   {"simulated", {{"feasible", t.simulated_feasible},
                                  {"latency_ms", t.sim_latency_s * 1e3},
                                  {"energy_mj", t.sim_energy_j * 1e3},
                                  {"area_mm2", t.sim_area_mm2}}},
                   {"latency_error", t.latency_error}});
    r.top.push_back(t);
  }
  nlohmann::json best = {{"experiment", o.e.name},
                         {"flow", o.e.flow},
                         {"strategy", o.e.strategy},
                         {"cost_model", o.e.cost_model},
                         {"accuracy_evaluator", o.e.accuracy_evaluator},
                         {"episodes", o.history.size()},
                         {"fresh_evaluations", o.fresh},
                         {"seconds", o.seconds},
                         {"top_k", top},
                         {"top_k_latency_error_mean", err_n ? err_sum / err_n : 0.0}};
  if (!r.top.empty()) {
    const TopDesign& t = r.top.front();
    const Decoded d = o.space.decode(t.e.x);
    nlohmann::json choices = nlohmann::json::object();
    const auto& dims = o.space.dimensions();
    for (std::size_t k = 0; k < dims.size(); ++k) {
      choices[dims[k].name] = dims[k].labels[static_cast<std::size_t>(t.e.x[k])];
    }
    best["candidate"] = {{"key", t.e.key}, {"choices", choices}, {"description", t.e.description}};
    best["network"] = {{"name", d.net.name()},
                       {"layers", d.net.size()},
                       {"params", d.net.params()},
                       {"macs", d.net.macs()},
                       {"yaml", network::to_yaml(d.net)}};
    best["hardware"] = hw_json(d.hw);
    best["accuracy"] = t.e.accuracy;
    best["reward"] = t.e.reward;
    best["feasible"] = t.e.feasible;
    best["predicted"] = top[0]["predicted"];
    best["simulated"] = top[0]["simulated"];
  }
  std::ofstream(out + "/best.json") << best.dump(2) << "\n";
  r.best = best;
  plot_outputs(out, feasible.size());
  return r;
}

unsigned long long mix(unsigned long long seed, const std::string& key) {
  return fnv1a64(key, seed ^ 1469598103934665603ull);
}

}  // namespace

ExperimentResult run_experiment(const Experiment& e, const RunOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  for (const auto& p : e.plugins) load_plugin(p);
  auto cost = cost::make_cost_model(e.cost_model, e.arch);
  auto acc = accuracy::make_evaluator(e.accuracy_evaluator, e.accuracy);
  auto log = [&](const std::string& s) {
    if (opts.log) opts.log(s);
  };
  SearchSettings base;
  base.resume = opts.resume;
  base.batch = e.budget.batch;
  base.seed = e.seed;
  base.strategy = e.strategy;
  base.strategy_options = e.strategy_options;
  base.file = e.file;
  base.progress = opts.progress;
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::optional<network::Network> seed_net;
  if (!e.network.empty()) seed_net = network::load_network(e.network);

  // One search over `space` in `dir`, its evaluator shared by the caller.
  auto single = [&](const SearchSpace& space, Evaluator& ev, const std::string& dir,
                    long long episodes, unsigned long long seed) {
    SearchSettings s = base;
    s.dir = dir;
    s.episodes = episodes;
    s.seed = seed;
    return run_search(
        space.dimensions(), [&](const std::vector<Candidate>& xs) { return ev.evaluate(xs); },
        [&](const Evaluation& x) { ev.remember(x); }, s);
  };

  if (e.flow == "joint" || e.flow == "nas" || e.flow == "has") {
    const SearchSpace space(e.network_space, e.flow == "has" ? seed_net : std::nullopt,
                            e.hardware_space, e.hardware);
    Evaluator ev(space, *cost, *acc, e.objective, e.workers);
    log(fmt::format("search: flow {}, {} dimensions ({:.3g} candidates), {} episodes, strategy {}",
                    e.flow, space.dimensions().size(), space.size(), e.budget.evaluations,
                    e.strategy));
    auto history = single(space, ev, opts.out, e.budget.evaluations, e.seed);
    return write_outputs({e, space, history, history, ev.fresh_evaluations(), seconds()}, opts.out);
  }
  if (e.flow == "phase") {
    // HAS on the seed network, then NAS on the hardware it chose.
    const SearchSpace has_space(std::nullopt, seed_net, e.hardware_space, std::nullopt);
    Evaluator has_ev(has_space, *cost, *acc, e.objective, e.workers);
    log(fmt::format("phase 1: HAS on {} ({} episodes)", seed_net->name(), e.budget.has));
    auto h1 = single(has_space, has_ev, opts.out + "/phase1-has", e.budget.has, e.seed);
    const auto r1 = write_outputs({e, has_space, h1, h1, has_ev.fresh_evaluations(), seconds()},
                                  opts.out + "/phase1-has");
    if (r1.top.empty()) throw InputError({}, "budget", "phase 1 evaluated nothing");
    const ParamSet hw = has_space.hw_of(r1.top.front().e.x);
    const SearchSpace nas_space(e.network_space, std::nullopt, std::nullopt, hw);
    Evaluator nas_ev(nas_space, *cost, *acc, e.objective, e.workers);
    log(fmt::format("phase 2: NAS on {} ({} episodes)", r1.top.front().e.description,
                    e.budget.nas));
    auto h2 = single(nas_space, nas_ev, opts.out + "/phase2-nas", e.budget.nas, e.seed + 1);
    write_outputs({e, nas_space, h2, h2, nas_ev.fresh_evaluations(), seconds()},
                  opts.out + "/phase2-nas");
    return write_outputs({e, nas_space, h2, h2, nas_ev.fresh_evaluations(), seconds()}, opts.out);
  }
  // nested: HAS outside; for each hardware candidate, a NAS search inside.
  // Every inner evaluation is a candidate of the joint space, so one
  // evaluator (and cache) serves them all.
  const SearchSpace joint(e.network_space, std::nullopt, e.hardware_space, std::nullopt);
  const SearchSpace outer(std::nullopt, seed_net, e.hardware_space, std::nullopt);
  Evaluator ev(joint, *cost, *acc, e.objective, e.workers);
  std::vector<Evaluation> pool;
  const std::size_t nas_dims = joint.nas_dimensions();
  std::vector<Dimension> inner_dims(joint.dimensions().begin(),
                                    joint.dimensions().begin() + static_cast<long>(nas_dims));
  auto inner_search = [&](const Candidate& hw) {
    SearchSettings s = base;
    const std::string key = SearchSpace::key(hw);
    std::string dirname = key;
    std::replace(dirname.begin(), dirname.end(), ',', '_');
    s.dir = opts.out + "/inner/" + dirname;
    s.episodes = e.budget.inner;
    s.seed = mix(e.seed, key);
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
          return ev.evaluate(full);
        },
        [&](const Evaluation& x) { ev.remember(x); }, s);
    pool.insert(pool.end(), h.begin(), h.end());
    Evaluation best = h.front();
    for (const auto& x : h) {
      if (x.reward > best.reward) best = x;
    }
    return best;
  };
  log(fmt::format("nested: {} hardware candidates x {} NAS episodes", e.budget.outer,
                  e.budget.inner));
  SearchSettings s = base;
  s.dir = opts.out + "/outer";
  s.episodes = e.budget.outer;
  auto outer_history = run_search(
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
      nullptr, s);
  // On resume the finished outer episodes' inner searches are read back too.
  if (pool.empty() || opts.resume) {
    pool.clear();
    for (const auto& o : outer_history) {
      inner_search(Candidate(o.x.begin() + static_cast<long>(nas_dims), o.x.end()));
    }
  }
  return write_outputs({e, joint, outer_history, pool, ev.fresh_evaluations(), seconds()},
                       opts.out);
}

}  // namespace coda::search
