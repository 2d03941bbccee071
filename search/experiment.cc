#include "search/experiment.h"

#include <algorithm>

#include "core/error.h"
#include "core/plugin.h"
#include "core/text.h"
#include "core/yaml_util.h"
#include "models/accuracy/accuracy.h"
#include "models/cost/cost_model.h"
#include "search/flow.h"
#include "search/objective.h"
#include "search/strategy.h"
#include "sim/accelerator.h"

namespace coda::search {
namespace {

// The sections an experiment may have; the rest of its keys are the
// experiment's own settings (experiment_options()).
const std::vector<std::string> kSections = {
    "arch",     "flow",     "budget",    "network_space", "hardware_space",      "network",
    "hardware", "strategy", "objective", "cost_model",    "cost_model_training", "accuracy",
    "plugins"};

void need(const YamlDoc& doc, const std::string& key, const std::string& why) {
  if (!doc.root[key]) {
    throw InputError(location_of(doc.file, doc.root), key, "missing field (" + why + ")");
  }
}

// Checks an experiment section against what the flow reads.
void check_need(const YamlDoc& doc, const std::string& key, Need n, const std::string& flow,
                const std::string& why) {
  if (n == Need::kRequired) need(doc, key, "flow " + flow + " " + why);
  if (n == Need::kForbidden && doc.root[key]) {
    throw InputError(location_of(doc.file, doc.root[key]), key,
                     "not used by flow '" + flow + "'; remove it");
  }
}

}  // namespace

template <typename R>
std::pair<std::string, Options> load_named_section(const YamlDoc& doc, const std::string& section,
                                                   const std::string& name_key,
                                                   const std::string& fallback, const R& registry,
                                                   const std::string& owner) {
  const YAML::Node node = doc.root[section];
  std::string name = fallback;
  YAML::Node options;
  SourceLocation where = location_of(doc.file, node ? node : doc.root);
  if (node && node.IsScalar()) {
    name = node.Scalar();
  } else if (node) {
    require_map(doc.file, node, "the " + section + " section");
    if (node[name_key]) {
      name = read_string(doc.file, node, name_key);
      where = location_of(doc.file, node[name_key]);
    } else if (fallback.empty()) {
      throw InputError(location_of(doc.file, node), name_key,
                       "missing field in the " + section +
                           " section; available: " + join(registry.names(), ", "));
    }
    options = node;
  }
  const auto& entry = registry.at(name, where);
  return {name, Options::from_yaml(entry.options, owner + " " + name, doc, options, {name_key})};
}

template std::pair<std::string, Options> load_named_section(const YamlDoc&, const std::string&,
                                                            const std::string&, const std::string&,
                                                            const ObjectiveRegistry&,
                                                            const std::string&);
template std::pair<std::string, Options> load_named_section(const YamlDoc&, const std::string&,
                                                            const std::string&, const std::string&,
                                                            const StrategyRegistry&,
                                                            const std::string&);
template std::pair<std::string, Options> load_named_section(const YamlDoc&, const std::string&,
                                                            const std::string&, const std::string&,
                                                            const accuracy::EvaluatorRegistry&,
                                                            const std::string&);

Options load_verify_section(const YamlDoc& doc) {
  const YAML::Node node = doc.root["cost_model"];
  if (!node || !node.IsMap()) return Options(verify_options(), "cost_model");
  return Options::from_yaml(verify_options(), "cost_model", doc, node, {"model"});
}

std::pair<std::string, Options> load_cost_model_section(const YamlDoc& doc) {
  const YAML::Node node = doc.root["cost_model"];
  std::string spec = !node          ? std::string("simulator")
                     : node.IsMap() ? read_string(doc.file, node, "model")
                                    : read_string(doc.file, doc.root, "cost_model");
  load_verify_section(doc);  // the map's other keys are checked here too
  const std::string kind = cost::cost_model_kind(spec);
  const auto& entry = cost::cost_models().at(
      kind,
      doc.root["cost_model"] ? location_of(doc.file, doc.root["cost_model"]) : SourceLocation{});
  if (spec.size() > kind.size()) {
    spec = kind + ":" + space::space_relative(doc.file, spec.substr(kind.size() + 1));
  }
  return {spec, Options::from_yaml(entry.options, "cost model " + kind, doc,
                                   doc.root["cost_model_training"])};
}

const OptionDecls& experiment_options() {
  static const OptionDecls decls = {
      OptionDecl::text("name", "experiment", "names the run (coda run writes runs/<name>)"),
      OptionDecl::integer("seed", 1, 0, 9007199254740991LL,
                          "seed of the strategy, the MLP's training samples and the flows"),
      OptionDecl::integer("top_k", 5, 0, 1000, "best designs re-simulated with SystemC"),
      OptionDecl::integer("workers", 1, 1, 256,
                          "worker processes for simulating cost models (batches of a search)"),
  };
  return decls;
}

Experiment load_experiment(const std::string& path) {
  return load_experiment(load_yaml_file(path), path);
}

Experiment load_experiment(const YamlDoc& doc, const std::string& path) {
  require_map(doc.file, doc.root, "an experiment");
  Experiment e;
  e.file = path;
  // Plugins first: they may register any name the sections use.
  if (const YAML::Node p = doc.root["plugins"]) {
    if (!p.IsSequence()) throw InputError(location_of(doc.file, p), "plugins", "expected a list");
    for (const auto& item : p) {
      const std::filesystem::path written(item.Scalar());
      e.plugins.push_back(written.is_relative()
                              ? (std::filesystem::path(path).parent_path() / written).string()
                              : written.string());
      load_plugin(e.plugins.back());
    }
  }
  // The experiment's own settings: every key that is not a section.
  {
    YAML::Node settings(YAML::NodeType::Map);
    for (const auto& kv : doc.root) {
      const std::string key = kv.first.as<std::string>();
      if (std::find(kSections.begin(), kSections.end(), key) != kSections.end()) continue;
      if (!experiment_options().empty() &&
          std::none_of(experiment_options().begin(), experiment_options().end(),
                       [&](const OptionDecl& d) { return d.name == key; })) {
        std::vector<std::string> allowed = kSections;
        for (const auto& d : experiment_options()) allowed.push_back(d.name);
        std::sort(allowed.begin(), allowed.end());
        throw InputError(location_of(doc.file, kv.first), key,
                         "unknown field in the experiment; allowed fields: " + join(allowed, ", "));
      }
      settings[key] = kv.second;
    }
    const Options o = Options::from_yaml(experiment_options(), "the experiment", doc, settings);
    e.name = o.text("name");
    e.seed = static_cast<unsigned long long>(o.integer("seed"));
    e.top_k = static_cast<int>(o.integer("top_k"));
    e.workers = static_cast<int>(o.integer("workers"));
  }
  need(doc, "arch", "the accelerator family");
  e.arch = read_string(doc.file, doc.root, "arch");
  sim::accelerators().require(e.arch, location_of(doc.file, doc.root["arch"]));
  const sim::Accelerator& acc = sim::accelerator(e.arch);

  // The flow, its budget, and the sections it reads.
  e.flow = doc.root["flow"] ? read_string(doc.file, doc.root, "flow") : "joint";
  const auto& flow_entry = flows().at(
      e.flow, doc.root["flow"] ? location_of(doc.file, doc.root["flow"]) : SourceLocation{});
  e.budget = Options::from_yaml(flow_entry.options, "flow " + e.flow + " (budget)", doc,
                                doc.root["budget"]);
  const FlowNeeds needs = flow_entry.make()->needs();
  check_need(doc, "network_space", needs.network_space, e.flow, "searches the network");
  if (doc.root["network_space"]) {
    e.network_space = space::NasSpace::from_reference(doc, doc.root["network_space"]);
  }
  check_need(doc, "hardware_space", needs.hardware_space, e.flow, "searches the hardware");
  if (doc.root["hardware_space"]) {
    e.hardware_space = space::HwSpace::load(
        space::space_relative(path, read_string(doc.file, doc.root, "hardware_space")), e.arch,
        acc.params());
  }
  check_need(doc, "network", needs.network, e.flow, "needs the (seed) network");
  if (doc.root["network"]) {
    const std::string spec = read_string(doc.file, doc.root, "network");
    const bool file = spec.size() > 5 && (spec.rfind(".yaml") == spec.size() - 5 ||
                                          spec.rfind(".yml") == spec.size() - 4);
    e.network = file ? space::space_relative(path, spec) : spec;
  }
  check_need(doc, "hardware", needs.hardware, e.flow, "keeps the hardware fixed");
  if (doc.root["hardware"]) {
    e.hardware = load_params_file(
        acc.params(), space::space_relative(path, read_string(doc.file, doc.root, "hardware")),
        e.arch + " hardware config");
  }

  need(doc, "strategy", "the search strategy");
  std::tie(e.strategy, e.strategy_options) =
      load_named_section(doc, "strategy", "name", "", strategies(), "strategy");
  need(doc, "objective", "the reward");
  std::tie(e.objective, e.objective_options) =
      load_named_section(doc, "objective", "name", "nahas", objectives(), "objective");
  need(doc, "accuracy", "the accuracy evaluator");
  if (!doc.root["accuracy"].IsMap())
    require_map(doc.file, doc.root["accuracy"], "the accuracy section");
  std::tie(e.accuracy_evaluator, e.accuracy_options) = load_named_section(
      doc, "accuracy", "evaluator", "", accuracy::evaluators(), "accuracy evaluator");

  // The cost model: a spec, and its options from cost_model_training.
  std::tie(e.cost_model, e.cost_model_options) = load_cost_model_section(doc);
  e.verify = load_verify_section(doc);
  return e;
}

}  // namespace coda::search
