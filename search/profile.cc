#include "search/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>

#include "core/error.h"
#include "core/files.h"
#include "core/options.h"
#include "core/plugin.h"
#include "core/report.h"
#include "core/text.h"
#include "models/accuracy/accuracy.h"
#include "models/cost/cost_model.h"
#include "models/network/yaml_io.h"
#include "models/space/hw_space.h"
#include "models/space/nas_space.h"
#include "search/experiment.h"
#include "search/objective.h"
#include "search/space.h"
#include "sim/accelerator.h"

namespace coda::search {
namespace fs = std::filesystem;

namespace {

const OptionDecls& profile_options() {
  static const OptionDecls decls = {
      OptionDecl::text("name", "profile", "names the profile"),
      OptionDecl::integer("fine_tune", 20, 0, 1000000,
                          "batches each base network is fine-tuned from its specified network "
                          "(train evaluator; 0: every base network evaluated directly)"),
      OptionDecl::integer("threshold", 60, 1, 1000000000,
                          "Thr of Algorithm 1: networks a space must place among the cheapest"),
      OptionDecl::integer("workers", 1, 1, 256, "worker processes for the black box"),
      OptionDecl::list("lambdas", "more values of the objective's lambda to report (eq. 6)"),
  };
  return decls;
}

const std::vector<std::string> kSections = {"arch",      "hardware",   "spaces",
                                            "specified", "cost_model", "cost_model_training",
                                            "accuracy",  "objective",  "plugins"};

struct Network {
  std::vector<int> choices;
  std::string changed;  // the decision and label changed from the specified network
  double latency_ms = 0;
  double accuracy = 0;
  bool feasible = true;
};

struct Space {
  space::NasSpace nas;
  std::vector<int> sn;
  std::vector<Network> pool;
};

// The cost of eq. 6 is the objective's -reward.
double cost_of(const Objective& o, const Network& n) {
  Measured m;
  m.feasible = n.feasible;
  m.accuracy = n.accuracy;
  m.latency_ms = n.latency_ms;
  return -o.reward(m);
}

}  // namespace

double space_cost(const std::vector<double>& costs) {
  if (costs.empty()) return 0;
  return std::accumulate(costs.begin(), costs.end(), 0.0) / static_cast<double>(costs.size());
}

std::pair<std::string, std::vector<std::size_t>> select_space(
    const std::vector<std::pair<std::string, double>>& pool, long long threshold) {
  std::vector<std::size_t> order(pool.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return pool[a].second < pool[b].second; });
  std::map<std::string, std::vector<std::size_t>> lists;
  for (std::size_t i : order) {
    auto& list = lists[pool[i].first];
    list.push_back(i);
    if (static_cast<long long>(list.size()) > threshold) return {pool[i].first, list};
  }
  // No space placed more than Thr networks: the one with the lowest Cost(SS).
  std::string best;
  double best_cost = 0;
  for (const auto& [type, list] : lists) {
    std::vector<double> costs;
    for (std::size_t i : list) costs.push_back(pool[i].second);
    const double c = space_cost(costs);
    if (best.empty() || c < best_cost) best = type, best_cost = c;
  }
  return {best, best.empty() ? std::vector<std::size_t>{} : lists[best]};
}

nlohmann::json run_profile(const ProfileRun& run) {
  const auto start = std::chrono::steady_clock::now();
  const YamlDoc doc = load_yaml_file(run.experiment);
  require_map(doc.file, doc.root, "a profile experiment");
  if (const YAML::Node p = doc.root["plugins"]) {
    if (!p.IsSequence()) throw InputError(location_of(doc.file, p), "plugins", "expected a list");
    for (const auto& item : p) load_plugin(space::space_relative(doc.file, item.Scalar()));
  }
  YAML::Node settings(YAML::NodeType::Map);
  for (const auto& kv : doc.root) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(kSections.begin(), kSections.end(), key) == kSections.end()) {
      settings[key] = kv.second;
    }
  }
  const Options o = Options::from_yaml(profile_options(), "the profile", doc, settings);
  if (!doc.root["arch"]) throw InputError(location_of(doc.file, doc.root), "arch", "missing field");
  const std::string arch = read_string(doc.file, doc.root, "arch");
  sim::accelerators().require(arch, location_of(doc.file, doc.root["arch"]));
  sim::Accelerator& acc = sim::accelerator(arch);
  const ParamSet hw =
      doc.root["hardware"]
          ? load_params_file(
                acc.params(),
                space::space_relative(doc.file, read_string(doc.file, doc.root, "hardware")),
                arch + " hardware config")
          : ParamSet(acc.params());

  // The candidate spaces and their specified networks.
  const YAML::Node list = doc.root["spaces"];
  if (!list || !list.IsSequence() || list.size() == 0) {
    throw InputError(location_of(doc.file, list ? list : doc.root), "spaces",
                     "expected a list of NAS spaces ({space: NAME} or {file: PATH})");
  }
  std::vector<Space> spaces;
  for (const auto& item : list) {
    Space s{space::NasSpace::from_reference(doc, item), {}, {}};
    s.sn.assign(s.nas.decisions().size(), 0);
    if (const YAML::Node spec = doc.root["specified"]) {
      require_map(doc.file, spec, "specified");
      if (const YAML::Node label = spec[s.nas.name()]) {
        for (std::size_t d = 0; d < s.sn.size(); ++d) {
          const auto& labels = s.nas.decisions()[d].labels;
          const auto it = std::find(labels.begin(), labels.end(), label.Scalar());
          if (it == labels.end()) {
            throw InputError(location_of(doc.file, label), s.nas.name(),
                             "decision " + s.nas.decisions()[d].name + " has no choice '" +
                                 label.Scalar() + "'; its choices: " + join(labels, ", "));
          }
          s.sn[d] = static_cast<int>(it - labels.begin());
        }
      }
    }
    spaces.push_back(std::move(s));
  }
  if (const YAML::Node spec = doc.root["specified"]) {
    for (const auto& kv : spec) {
      const std::string name = kv.first.as<std::string>();
      if (std::none_of(spaces.begin(), spaces.end(),
                       [&](const Space& s) { return s.nas.name() == name; })) {
        throw InputError(location_of(doc.file, kv.first), name, "not one of the profile's spaces");
      }
    }
  }

  auto [cost_spec, cost_options] = load_cost_model_section(doc);
  if (load_verify_section(doc).text("verify") != "none") {
    throw InputError(location_of(doc.file, doc.root["cost_model"]), "verify",
                     "applies to searches; a profile measures its black box on every network");
  }
  cost::CostModelContext context;
  context.arch = arch;
  context.options = cost_options;
  auto black_box = cost::make_cost_model(cost_spec, context);
  if (!doc.root["accuracy"]) {
    throw InputError(location_of(doc.file, doc.root), "accuracy", "missing field");
  }
  // Plain variables, not a structured binding: lambdas below capture them.
  std::string evaluator;
  Options accuracy_options;
  std::tie(evaluator, accuracy_options) = load_named_section(
      doc, "accuracy", "evaluator", "", accuracy::evaluators(), "accuracy evaluator");
  std::string objective_name;
  Options objective_options;
  std::tie(objective_name, objective_options) =
      load_named_section(doc, "objective", "name", "zeng", objectives(), "objective");
  const auto objective = objectives().make(objective_name, objective_options);
  std::vector<double> lambdas;
  for (const auto& v : o.list("lambdas")) {
    const auto x = parse_double(v.Scalar());
    if (!x || *x < 0)
      throw InputError(location_of(doc.file, v), "lambdas", "expected numbers >= 0");
    lambdas.push_back(*x);
  }
  if (!lambdas.empty() && !objective_options.declares("lambda")) {
    throw InputError(location_of(doc.file, doc.root["lambdas"]), "lambdas",
                     "objective " + objective_name + " has no lambda");
  }
  const long long fine_tune = o.integer("fine_tune");
  const bool hot_start = evaluator == "train" && fine_tune > 0;
  const int workers = static_cast<int>(o.integer("workers"));

  // The journal keeps every measured network, so --resume skips them.
  const DirectoryLock lock(run.out);
  fs::create_directories(run.out + "/checkpoints");
  const std::string journal = run.out + "/pool.jsonl";
  std::map<std::string, nlohmann::json> done;
  if (run.resume) {
    std::ifstream in(journal);
    std::string line;
    while (std::getline(in, line)) {
      try {
        const auto j = nlohmann::json::parse(line);
        done[j.at("key").get<std::string>()] = j;
      } catch (const std::exception&) {
        // a line cut by a kill
      }
    }
  } else if (fs::is_regular_file(journal) && fs::file_size(journal) > 0) {
    throw InputError({run.out, 0, 0}, "out",
                     "holds a previous profile; pass --resume to continue it or use another --out");
  }
  AppendFile journal_out(journal);

  for (Space& s : spaces) {
    const auto pool = space::ssbn(s.nas, s.sn);
    std::cerr << fmt::format("profile: {}: {} base networks\n", s.nas.name(), pool.size());
    for (const auto& x : pool) {
      Network n;
      n.choices = x;
      for (std::size_t d = 0; d < x.size(); ++d) {
        if (x[d] != s.sn[d]) {
          n.changed = s.nas.decisions()[d].name + "=" + s.nas.decisions()[d].label(x[d]);
        }
      }
      s.pool.push_back(std::move(n));
    }
    // Latency on the black box, batched and spread over the workers.
    std::vector<network::Network> nets;
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < s.pool.size(); ++i) {
      const auto it = done.find(s.nas.name() + "/" + SearchSpace::key(s.pool[i].choices));
      if (it != done.end()) {
        s.pool[i].latency_ms = it->second.at("latency_ms");
        s.pool[i].accuracy = it->second.at("accuracy");
        s.pool[i].feasible = it->second.at("feasible");
        continue;
      }
      todo.push_back(i);
      nets.push_back(s.nas.decode(s.pool[i].choices));
    }
    std::vector<cost::Query> queries;
    for (const auto& n : nets) queries.push_back({&n, &hw});
    const auto metrics = cost::evaluate_in_workers(*black_box, queries, workers);
    // Accuracy: the specified network trained, the others fine-tuned from it.
    const std::string checkpoint = run.out + "/checkpoints/" + s.nas.name() + "-" +
                                   network::network_hash(s.nas.decode(s.sn)) + ".pt";
    std::unique_ptr<accuracy::AccuracyEvaluator> sn_eval, base_eval;
    if (hot_start) {
      Options sn_options = accuracy_options;
      sn_options.set_text("save_checkpoint", checkpoint, {run.experiment, 0, 0});
      sn_eval = accuracy::evaluators().make(evaluator, sn_options);
    }
    // The base networks' evaluator reads the specified network's checkpoint,
    // so it is made once that exists.
    auto base = [&]() -> accuracy::AccuracyEvaluator& {
      if (!base_eval && hot_start) {
        Options ft = accuracy_options;
        ft.set_text("checkpoint", checkpoint, {run.experiment, 0, 0});
        ft.set_text("beta", std::to_string(fine_tune), {run.experiment, 0, 0});
        ft.set_text("partial_checkpoint", "true", {run.experiment, 0, 0});
        base_eval = accuracy::evaluators().make(evaluator, ft);
      } else if (!base_eval) {
        base_eval = accuracy::evaluators().make(evaluator, accuracy_options);
      }
      return *base_eval;
    };
    const bool sn_measured = !todo.empty() && todo.front() == 0;
    if (hot_start && !sn_measured && !fs::exists(checkpoint)) {
      throw InputError({checkpoint, 0, 0}, "resume",
                       "the specified network's checkpoint is missing; profile again without "
                       "--resume");
    }
    Progress progress(static_cast<long long>(todo.size()), 0);
    for (std::size_t k = 0; k < todo.size(); ++k) {
      Network& n = s.pool[todo[k]];
      n.feasible = metrics[k].feasible;
      n.latency_ms = metrics[k].latency_s * 1e3;
      const bool is_sn = todo[k] == 0;
      if (n.feasible) {
        n.accuracy = (is_sn && sn_eval ? *sn_eval : base()).evaluate(nets[k]).accuracy;
      }
      journal_out.append(nlohmann::json{{"key", s.nas.name() + "/" + SearchSpace::key(n.choices)},
                                        {"space", s.nas.name()},
                                        {"changed", n.changed},
                                        {"latency_ms", n.latency_ms},
                                        {"accuracy", n.accuracy},
                                        {"feasible", n.feasible}}
                             .dump() +
                         "\n");
      progress.tick();
    }
  }

  // Cost per network (eq. 6), per space (eq. 3), and Algorithm 1, at the
  // objective's lambda and at each of `lambdas`.
  std::vector<double> all_lambdas;
  if (objective_options.declares("lambda"))
    all_lambdas.push_back(objective_options.number("lambda"));
  for (double l : lambdas) {
    if (std::find(all_lambdas.begin(), all_lambdas.end(), l) == all_lambdas.end())
      all_lambdas.push_back(l);
  }
  auto objective_at = [&](std::optional<double> lambda) {
    Options x = objective_options;
    if (lambda) x.set_text("lambda", format_number(*lambda), {run.experiment, 0, 0});
    return objectives().make(objective_name, x);
  };
  std::string pool_csv = "space,changed,accuracy,latency_ms,cost\n";
  nlohmann::json report = {{"name", o.text("name")},
                           {"arch", arch},
                           {"objective", objective_name},
                           {"threshold", o.integer("threshold")}};
  nlohmann::json space_rows = nlohmann::json::array();
  for (const Space& s : spaces) {
    double acc = 0, lat = 0;
    std::vector<double> costs;
    for (const auto& n : s.pool) {
      acc += n.accuracy;
      lat += n.latency_ms;
      costs.push_back(cost_of(*objective, n));
      pool_csv += fmt::format("{},{},{:.6g},{:.6g},{:.6g}\n", s.nas.name(),
                              csv_quote(n.changed.empty() ? "(specified)" : n.changed), n.accuracy,
                              n.latency_ms, costs.back());
    }
    const double count = static_cast<double>(s.pool.size());
    nlohmann::json row = {{"space", s.nas.name()},
                          {"networks", s.pool.size()},
                          {"mean_accuracy", acc / count},
                          {"mean_latency_ms", lat / count},
                          {"cost", space_cost(costs)}};
    for (double l : all_lambdas) {
      const auto obj = objective_at(l);
      std::vector<double> c;
      for (const auto& n : s.pool) c.push_back(cost_of(*obj, n));
      row["cost_at_lambda"][format_number(l)] = space_cost(c);
    }
    space_rows.push_back(row);
  }
  report["spaces"] = space_rows;
  write_text(pool_csv, run.out + "/pool.csv");

  auto select = [&](const Objective& obj, const std::string& suffix) {
    std::vector<std::pair<std::string, double>> pool;
    std::vector<std::pair<const Space*, const Network*>> where;
    for (const Space& s : spaces) {
      for (const auto& n : s.pool) {
        pool.emplace_back(s.nas.name(), cost_of(obj, n));
        where.emplace_back(&s, &n);
      }
    }
    const auto [type, picked] = select_space(pool, o.integer("threshold"));
    const Space& s = *where.at(picked.front()).first;
    // The dynamic space: at each decision the specified network's choice and
    // every choice a selected network changes it to.
    std::vector<std::vector<int>> kept;
    for (std::size_t d = 0; d < s.sn.size(); ++d) kept.push_back({s.sn[d]});
    for (std::size_t i : picked) {
      const auto& x = where[i].second->choices;
      for (std::size_t d = 0; d < x.size(); ++d) {
        if (std::find(kept[d].begin(), kept[d].end(), x[d]) == kept[d].end())
          kept[d].push_back(x[d]);
      }
    }
    for (auto& k : kept) std::sort(k.begin(), k.end());
    const std::string name = s.nas.name() + "_profiled" + suffix;
    const space::NasSpace dynamic = s.nas.restricted(kept, name);
    const std::string file = run.out + "/" + name + ".yaml";
    write_text("# Written by coda profile (" + run.experiment + "): " + type +
                   " kept by Algorithm 1.\n" + dynamic.to_yaml(),
               file);
    nlohmann::json choices = nlohmann::json::array();
    for (std::size_t d = 0; d < kept.size(); ++d) {
      nlohmann::json labels = nlohmann::json::array();
      for (int c : kept[d]) labels.push_back(s.nas.decisions()[d].label(c));
      choices.push_back({{"decision", s.nas.decisions()[d].name}, {"labels", labels}});
    }
    return nlohmann::json{{"space", type},
                          {"selected_networks", picked.size()},
                          {"size", dynamic.size()},
                          {"file", file},
                          {"choices", choices}};
  };
  report["selected"] = select(*objective, "");
  nlohmann::json per_lambda = nlohmann::json::object();
  for (double l : all_lambdas) {
    per_lambda[format_number(l)] = select(*objective_at(l), "_lambda" + format_number(l));
  }
  if (!all_lambdas.empty()) report["selected_at_lambda"] = per_lambda;
  report["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_json(report, run.out + "/profile.json");

  // The tables: Table IV (mean accuracy and latency per space) with Cost(SS)
  // at each lambda, then the space picked at each lambda and its choices.
  std::string head =
      fmt::format("\n{:<16} {:>8} {:>10} {:>12}", "space", "networks", "accuracy", "latency ms");
  for (double l : all_lambdas) head += fmt::format(" {:>12}", "Cost@" + format_number(l));
  std::cout << head << "\n";
  for (const auto& r : space_rows) {
    std::string line = fmt::format(
        "{:<16} {:>8} {:>9.2f}% {:>12.4f}", r["space"].get<std::string>(), r["networks"].get<int>(),
        100 * r["mean_accuracy"].get<double>(), r["mean_latency_ms"].get<double>());
    for (double l : all_lambdas) {
      line += fmt::format(" {:>12.4f}", r["cost_at_lambda"][format_number(l)].get<double>());
    }
    std::cout << line << "\n";
  }
  std::cout << "\n";
  auto print_selected = [](const std::string& what, const nlohmann::json& sel) {
    std::cout << fmt::format("{}: {} ({} networks, {:.3g} candidates) -> {}\n", what,
                             sel["space"].get<std::string>(), sel["selected_networks"].get<int>(),
                             sel["size"].get<double>(), sel["file"].get<std::string>());
  };
  for (double l : all_lambdas)
    print_selected("lambda " + format_number(l), per_lambda[format_number(l)]);
  print_selected("selected", report["selected"]);
  for (const auto& c : report["selected"]["choices"]) {
    std::vector<std::string> ls;
    for (const auto& l : c["labels"]) ls.push_back(l.get<std::string>());
    std::cout << fmt::format("  {:<16} {}\n", c["decision"].get<std::string>(), join(ls, ", "));
  }
  std::cout << fmt::format("profile: {:.1f} s -> {}/profile.json\n",
                           report["seconds"].get<double>(), run.out);
  return report;
}

}  // namespace coda::search
