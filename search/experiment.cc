#include "search/experiment.h"

#include <algorithm>

#include "core/error.h"
#include "core/text.h"
#include "core/yaml_util.h"
#include "sim/accelerator.h"

namespace coda::search {

std::vector<std::string> flows() { return {"joint", "nas", "has", "phase", "nested"}; }

namespace {

nlohmann::json to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : n) j[kv.first.as<std::string>()] = to_json(kv.second);
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& v : n) j.push_back(to_json(v));
    return j;
  }
  const std::string s = n.Scalar();
  if (auto i = parse_int(s)) return *i;
  if (auto d = parse_double(s)) return *d;
  if (s == "true" || s == "false") return s == "true";
  return s;
}

void need(const YamlDoc& doc, const std::string& key, const std::string& why) {
  if (!doc.root[key]) {
    throw InputError(location_of(doc.file, doc.root), key, "missing field (" + why + ")");
  }
}

void forbid(const YamlDoc& doc, const std::string& key, const std::string& flow) {
  if (doc.root[key]) {
    throw InputError(location_of(doc.file, doc.root[key]), key,
                     "not used by flow '" + flow + "'; remove it");
  }
}

}  // namespace

Experiment load_experiment(const std::string& path) {
  const YamlDoc doc = load_yaml_file(path);
  require_map(doc.file, doc.root, "an experiment");
  check_keys(doc.file, doc.root,
             {"name", "arch", "flow", "network_space", "hardware_space", "network", "hardware",
              "strategy", "objective", "cost_model", "accuracy", "budget", "seed", "top_k",
              "workers", "plugins", "cost_model_training"},
             "the experiment");
  Experiment e;
  e.file = path;
  e.name = doc.root["name"] ? read_string(doc.file, doc.root, "name") : "experiment";
  need(doc, "arch", "the accelerator family");
  e.arch = read_string(doc.file, doc.root, "arch");
  sim::Accelerator* acc = nullptr;
  try {
    acc = &sim::accelerator(e.arch);
  } catch (const InputError& err) {
    throw InputError(location_of(doc.file, doc.root["arch"]), "arch", err.message());
  }
  e.flow = doc.root["flow"] ? read_string(doc.file, doc.root, "flow") : "joint";
  const auto fl = flows();
  if (std::find(fl.begin(), fl.end(), e.flow) == fl.end()) {
    throw InputError(location_of(doc.file, doc.root["flow"]), "flow",
                     "unknown flow '" + e.flow + "'; available: " + join(fl, ", "));
  }
  const bool nas = e.flow != "has", has = e.flow != "nas";
  if (nas) {
    need(doc, "network_space", "flow " + e.flow + " searches the network");
    e.network_space = NasSpace::load(doc, doc.root["network_space"]);
  } else {
    forbid(doc, "network_space", e.flow);
  }
  if (has) {
    need(doc, "hardware_space", "flow " + e.flow + " searches the hardware");
    e.hardware_space = HwSpace::load(
        space_relative(path, read_string(doc.file, doc.root, "hardware_space")), e.arch,
        acc->params());
  } else {
    forbid(doc, "hardware_space", e.flow);
  }
  if (e.flow == "has" || e.flow == "phase" || e.flow == "nested") {
    need(doc, "network", "flow " + e.flow + " needs the (seed) network");
  }
  if (doc.root["network"]) {
    const std::string spec = read_string(doc.file, doc.root, "network");
    const bool file = spec.size() > 5 && (spec.rfind(".yaml") == spec.size() - 5 ||
                                          spec.rfind(".yml") == spec.size() - 4);
    e.network = file ? space_relative(path, spec) : spec;
  }
  if (e.flow == "nas") {
    need(doc, "hardware", "flow nas keeps the hardware fixed");
    e.hardware = load_params_file(
        acc->params(), space_relative(path, read_string(doc.file, doc.root, "hardware")),
        e.arch + " hardware config");
  } else {
    forbid(doc, "hardware", e.flow);
  }
  need(doc, "strategy", "the search strategy");
  const YAML::Node st = doc.root["strategy"];
  if (st.IsScalar()) {
    e.strategy = st.Scalar();
  } else {
    require_map(doc.file, st, "the strategy");
    e.strategy = read_string(doc.file, st, "name");
    e.strategy_options = to_json(st);
    e.strategy_options.erase("name");
  }
  need(doc, "objective", "the reward");
  e.objective = Objective::load(doc, doc.root["objective"]);
  e.cost_model = doc.root["cost_model"] ? read_string(doc.file, doc.root, "cost_model") : "simulator";
  if (e.cost_model.rfind("mlp:", 0) == 0) {
    e.cost_model = "mlp:" + space_relative(path, e.cost_model.substr(4));
  }
  need(doc, "accuracy", "the accuracy evaluator");
  const YAML::Node a = doc.root["accuracy"];
  require_map(doc.file, a, "the accuracy section");
  check_keys(doc.file, a,
             {"evaluator", "dataset", "epochs", "subset", "test_subset", "batch", "lr", "proxy",
              "threads", "seed", "table", "calibration"},
             "the accuracy section");
  e.accuracy_evaluator = read_string(doc.file, a, "evaluator");
  if (const auto names = accuracy::evaluator_names();
      !names.empty() && std::find(names.begin(), names.end(), e.accuracy_evaluator) == names.end()) {
    throw InputError(location_of(doc.file, a["evaluator"]), "evaluator",
                     "unknown accuracy evaluator '" + e.accuracy_evaluator +
                         "'; available: " + join(names, ", "));
  }
  if (a["dataset"]) {
    try {
      e.accuracy.dataset = accuracy::parse_dataset(read_string(doc.file, a, "dataset"));
    } catch (const InputError& err) {
      throw InputError(location_of(doc.file, a["dataset"]), "dataset", err.message());
    }
  }
  if (a["epochs"]) e.accuracy.budget.epochs = static_cast<int>(read_int(doc.file, a, "epochs"));
  if (a["subset"]) e.accuracy.budget.subset = read_int(doc.file, a, "subset");
  if (a["test_subset"]) e.accuracy.budget.test_subset = read_int(doc.file, a, "test_subset");
  if (a["batch"]) {
    e.accuracy.budget.batch = static_cast<int>(read_int(doc.file, a, "batch"));
  } else if (e.accuracy_evaluator == "zero-cost") {
    e.accuracy.budget.batch = accuracy::kZeroCostBatch;
  }
  if (a["lr"]) e.accuracy.budget.lr = read_double(doc.file, a, "lr");
  if (a["threads"]) e.accuracy.budget.threads = static_cast<int>(read_int(doc.file, a, "threads"));
  if (a["seed"]) e.accuracy.budget.seed = static_cast<unsigned long long>(read_int(doc.file, a, "seed"));
  if (a["proxy"]) e.accuracy.proxy = read_string(doc.file, a, "proxy");
  if (a["table"]) e.accuracy.table = space_relative(path, read_string(doc.file, a, "table"));
  if (a["calibration"]) {
    e.accuracy.calibration = space_relative(path, read_string(doc.file, a, "calibration"));
  }
  if (const YAML::Node b = doc.root["budget"]) {
    require_map(doc.file, b, "the budget");
    check_keys(doc.file, b, {"evaluations", "has", "nas", "outer", "inner", "batch"}, "the budget");
    auto positive = [&](const std::string& k, long long& v) {
      if (!b[k]) return;
      v = read_int(doc.file, b, k);
      if (v < 1) throw InputError(location_of(doc.file, b[k]), k, "must be at least 1");
    };
    positive("evaluations", e.budget.evaluations);
    positive("has", e.budget.has);
    positive("nas", e.budget.nas);
    positive("outer", e.budget.outer);
    positive("inner", e.budget.inner);
    long long batch = e.budget.batch;
    positive("batch", batch);
    e.budget.batch = static_cast<int>(batch);
  }
  if (e.flow == "phase" && (e.budget.has < 1 || e.budget.nas < 1)) {
    throw InputError(location_of(doc.file, doc.root["budget"] ? doc.root["budget"] : doc.root),
                     "budget", "flow phase needs budget.has and budget.nas");
  }
  if (e.flow == "nested" && (e.budget.outer < 1 || e.budget.inner < 1)) {
    throw InputError(location_of(doc.file, doc.root["budget"] ? doc.root["budget"] : doc.root),
                     "budget", "flow nested needs budget.outer and budget.inner");
  }
  if (doc.root["seed"]) e.seed = static_cast<unsigned long long>(read_int(doc.file, doc.root, "seed"));
  if (doc.root["top_k"]) e.top_k = static_cast<int>(read_int(doc.file, doc.root, "top_k"));
  if (doc.root["workers"]) e.workers = static_cast<int>(read_int(doc.file, doc.root, "workers"));
  if (const YAML::Node p = doc.root["plugins"]) {
    if (!p.IsSequence()) throw InputError(location_of(doc.file, p), "plugins", "expected a list");
    for (const auto& item : p) e.plugins.push_back(space_relative(path, item.Scalar()));
  }
  if (const YAML::Node t = doc.root["cost_model_training"]) {
    require_map(doc.file, t, "cost_model_training");
    check_keys(doc.file, t, {"space", "samples", "epochs", "workers"}, "cost_model_training");
    e.training.enabled = true;
    e.training.space = space_relative(path, read_string(doc.file, t, "space"));
    if (t["samples"]) e.training.samples = read_int(doc.file, t, "samples");
    if (t["epochs"]) e.training.epochs = static_cast<int>(read_int(doc.file, t, "epochs"));
    if (t["workers"]) e.training.workers = static_cast<int>(read_int(doc.file, t, "workers"));
  }
  return e;
}

}  // namespace coda::search
