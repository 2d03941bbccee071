#include "search/driver.h"

#include "search/strategy.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "core/files.h"
#include "core/pareto.h"
#include "core/plot.h"
#include "core/report.h"
#include "core/text.h"
#include "models/network/yaml_io.h"
#include "sim/accelerator.h"

namespace coda::search {
namespace fs = std::filesystem;

std::vector<Evaluation> run_search(const std::vector<Dimension>& dims,
                                   const BatchEvaluator& evaluate,
                                   const std::function<void(const Evaluation&)>& remember,
                                   const SearchSettings& s) {
  fs::create_directories(s.dir);
  const std::string journal = s.dir + "/journal.jsonl";
  // The strategy state of batch b is strategy-<b>.state; the checkpoint,
  // written atomically after it, names the one to load, so a kill between
  // the two leaves a consistent pair.
  auto state_file = [&](long long b) {
    return s.dir + "/strategy-" + std::to_string(b) + ".state";
  };
  const std::string checkpoint = s.dir + "/checkpoint.json";
  StrategyContext context;
  context.dims = dims;
  context.seed = s.seed;
  context.options = s.strategy_options;
  auto strategy = strategies().make(s.strategy, context);
  if (strategy->relaxed()) {
    throw InputError({}, "strategy",
                     "'" + s.strategy +
                         "' learns from a supernet's gradients, not from rewards: use it with "
                         "flow: oneshot");
  }

  std::vector<Evaluation> history;
  long long batches_done = 0;
  if (s.resume && fs::exists(checkpoint)) {
    const nlohmann::json cp = read_json_state(checkpoint);
    if (cp.value("strategy", "") != s.strategy || cp.value("seed", 0ULL) != s.seed) {
      throw InputError({checkpoint, 0, 0}, "resume",
                       "this directory holds a search with strategy '" + cp.value("strategy", "") +
                           "' and seed " + std::to_string(cp.value("seed", 0ULL)) +
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
    write_text(kept, journal);
  } else if (!s.resume) {
    if (fs::is_regular_file(journal) && fs::file_size(journal) > 0) {
      throw InputError(
          {s.dir, 0, 0}, "out",
          "holds a previous search; pass --resume to continue it or use another --out");
    }
    AppendFile(journal, true);
  }
  double best = -std::numeric_limits<double>::infinity();
  // `cached` marks a repeat of an earlier episode's candidate, so a resumed
  // run's history equals an uninterrupted one's.
  std::set<std::string> seen;
  for (const auto& e : history) {
    best = std::max(best, e.reward);
    seen.insert(e.key);
  }
  AppendFile out(journal);
  while (static_cast<long long>(history.size()) < s.episodes) {
    const int n = static_cast<int>(
        std::min<long long>(s.batch, s.episodes - static_cast<long long>(history.size())));
    const auto xs = strategy->ask(n);
    auto results = evaluate(xs);
    std::vector<double> rewards;
    std::string lines;
    for (std::size_t j = 0; j < results.size(); ++j) {
      results[j].cached = !seen.insert(results[j].key).second;
      nlohmann::json line = results[j].to_json();
      line["episode"] = static_cast<long long>(history.size());
      line["batch"] = batches_done;
      line["cached"] = results[j].cached;
      lines += line.dump() + "\n";
      rewards.push_back(results[j].reward);
      best = std::max(best, results[j].reward);
      history.push_back(results[j]);
    }
    out.append(lines);
    strategy->tell(xs, rewards);
    ++batches_done;
    strategy->save(state_file(batches_done));
    write_json_state(checkpoint, {{"batches", batches_done},
                                  {"episodes", history.size()},
                                  {"strategy", s.strategy},
                                  {"seed", s.seed}});
    for (const std::string& old :
         {state_file(batches_done - 1), state_file(batches_done - 1) + ".json"}) {
      std::error_code ec;
      fs::remove(old, ec);
    }
    if (s.progress) s.progress(static_cast<long long>(history.size()), s.episodes, best);
  }
  return history;
}

std::vector<const Evaluation*> rank_by_reward(const std::vector<Evaluation>& pool) {
  std::map<std::string, std::size_t> first;
  std::vector<const Evaluation*> ranked;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    if (first.emplace(pool[i].key, i).second) ranked.push_back(&pool[i]);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [&](auto* a, auto* b) {
    if (a->reward != b->reward) return a->reward > b->reward;
    return first.at(a->key) < first.at(b->key);
  });
  return ranked;
}

namespace {

std::string metrics_csv(const Evaluation& e) {
  return fmt::format("{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}", e.feasible ? 1 : 0, e.accuracy,
                     e.predicted.latency_s * 1e3, e.predicted.energy_j * 1e3, e.predicted.area_mm2,
                     e.reward);
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
  if (pool_size == 0) return;  // no feasible design: nothing to draw a front of
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

ExperimentResult write_outputs(const Experiment& exp, const Objective& objective,
                               const std::string& cost_model, const Stage& o, double seconds,
                               const std::string& out) {
  fs::create_directories(out);
  ExperimentResult r;
  r.history = o.history;
  {
    std::ostringstream h;
    h << "episode,candidate,feasible,accuracy,latency_ms,energy_mj,area_mm2,cached,description,"
         "reward,best_reward,reason\n";
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < o.history.size(); ++i) {
      const auto& e = o.history[i];
      best = std::max(best, e.reward);
      h << fmt::format("{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{},{},{:.6g},{:.6g},{}\n", i,
                       csv_quote(e.key), e.feasible ? 1 : 0, e.accuracy,
                       e.predicted.latency_s * 1e3, e.predicted.energy_j * 1e3,
                       e.predicted.area_mm2, e.cached ? 1 : 0, csv_quote(e.description), e.reward,
                       best, csv_quote(e.reason));
    }
    write_text(h.str(), out + "/history.csv");
  }
  std::map<std::string, const Evaluation*> unique;
  for (const auto& e : o.pool) unique.emplace(e.key, &e);
  std::vector<const Evaluation*> feasible;
  for (const auto& [k, e] : unique) {
    if (e->feasible) feasible.push_back(e);
  }
  const std::string header =
      "candidate,feasible,accuracy,latency_ms,energy_mj,area_mm2,reward,description\n";
  {
    std::ostringstream d;
    d << header;
    for (const auto* e : feasible) {
      d << csv_quote(e->key) << "," << metrics_csv(*e) << "," << csv_quote(e->description) << "\n";
    }
    write_text(d.str(), out + "/designs.csv");
    // The Pareto front on the objective's axes, and the accuracy-latency
    // front alone for the plot; both by predicted latency.
    auto front = [&](const std::vector<ParetoAxis>& axes, const std::string& file) {
      ParetoArchive archive(axes);
      for (std::size_t i = 0; i < feasible.size(); ++i) {
        const Measured m = feasible[i]->measured();
        std::vector<double> v;
        for (const auto& a : axes) v.push_back(m.metric(a.name));
        archive.insert(i, v);
      }
      std::vector<const Evaluation*> designs;
      for (std::size_t i : archive.front()) designs.push_back(feasible[i]);
      std::stable_sort(designs.begin(), designs.end(), [](auto* a, auto* b) {
        return a->predicted.latency_s < b->predicted.latency_s;
      });
      std::ostringstream p;
      p << header;
      for (const auto* x : designs) {
        p << csv_quote(x->key) << "," << metrics_csv(*x) << "," << csv_quote(x->description)
          << "\n";
      }
      write_text(p.str(), out + "/" + file);
    };
    front(objective.pareto_axes(), "pareto.csv");
    front({{"accuracy", true}, {"latency_ms", false}}, "pareto_latency.csv");
  }
  // Top-K by reward, re-simulated as ground truth.
  const std::vector<const Evaluation*> ranked = rank_by_reward(o.pool);
  sim::Accelerator& acc = sim::accelerator(exp.arch);
  nlohmann::json top = nlohmann::json::array();
  double err_sum = 0, model_err_sum = 0;
  int err_n = 0, verified = 0;
  for (std::size_t i = 0; i < ranked.size() && static_cast<int>(i) < exp.top_k; ++i) {
    TopDesign t{*ranked[i]};
    if (ranked[i]->feasible) {
      const Decoded d = o.space->decode(ranked[i]->x);
      const sim::SimResult s = acc.simulate(d.net, d.hw, {});
      t.simulated_feasible = s.feasible;
      t.sim_latency_s = s.latency_s;
      t.sim_energy_j = s.energy_j;
      t.sim_area_mm2 = s.area_mm2;
      if (s.feasible && s.latency_s > 0) {
        t.latency_error = std::abs(t.e.predicted.latency_s - s.latency_s) / s.latency_s;
        t.model_latency_error = std::abs(t.e.model_latency_s - s.latency_s) / s.latency_s;
        err_sum += t.latency_error;
        model_err_sum += t.model_latency_error;
        ++err_n;
      }
    }
    top.push_back({{"rank", i + 1},
                   {"candidate", t.e.key},
                   {"description", t.e.description},
                   {"reward", t.e.reward},
                   {"accuracy", t.e.accuracy},
                   {"predicted",
                    {{"latency_ms", t.e.predicted.latency_s * 1e3},
                     {"energy_mj", t.e.predicted.energy_j * 1e3},
                     {"area_mm2", t.e.predicted.area_mm2}}},
                   {"simulated",
                    {{"feasible", t.simulated_feasible},
                     {"latency_ms", t.sim_latency_s * 1e3},
                     {"energy_mj", t.sim_energy_j * 1e3},
                     {"area_mm2", t.sim_area_mm2}}},
                   {"latency_error", t.latency_error},
                   {"verified", t.e.verified},
                   {"model_latency_ms", t.e.model_latency_s * 1e3},
                   {"model_latency_error", t.model_latency_error}});
    verified += t.e.verified;
    r.top.push_back(t);
  }
  nlohmann::json best = {{"experiment", exp.name},
                         {"flow", exp.flow},
                         {"strategy", exp.strategy},
                         {"cost_model", cost_model},
                         {"accuracy_evaluator", exp.accuracy_evaluator},
                         {"episodes", o.history.size()},
                         {"fresh_evaluations", o.fresh},
                         {"seconds", seconds},
                         {"top_k", top},
                         {"top_k_latency_error_mean", err_n ? err_sum / err_n : 0.0},
                         {"top_k_model_latency_error_mean", err_n ? model_err_sum / err_n : 0.0},
                         {"top_k_verified", verified}};
  // A best candidate that cannot even be built (every episode failed to
  // decode) has no network or hardware to show; its reason is in history.csv.
  if (!r.top.empty() && r.top.front().e.buildable()) {
    const TopDesign& t = r.top.front();
    const Decoded d = o.space->decode(t.e.x);
    nlohmann::json choices = nlohmann::json::object();
    const auto& dims = o.space->dimensions();
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
  write_json(best, out + "/best.json");
  r.best = best;
  plot_outputs(out, feasible.size());
  return r;
}

}  // namespace coda::search
