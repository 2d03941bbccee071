#include "plugins/accuracy/accuracy.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/text.h"
#include "models/network/yaml_io.h"

namespace coda::accuracy {
namespace fs = std::filesystem;

DatasetSpec parse_dataset(const std::string& spec) {
  const auto colon = spec.find(':');
  DatasetSpec d{spec.substr(0, colon), colon == std::string::npos ? "" : spec.substr(colon + 1)};
  const std::vector<std::string> known = {"fashion-mnist", "cifar10", "imagenet"};
  bool ok = false;
  for (const auto& k : known) ok = ok || d.name == k;
  if (!ok) {
    throw InputError({}, "dataset",
                     "unknown dataset '" + d.name + "'; known: fashion-mnist[:DIR], cifar10:PATH, "
                     "imagenet (table only)");
  }
  if (d.name == "cifar10" && d.path.empty()) {
    throw InputError({}, "dataset",
                     "cifar10 needs the path of the binary version: cifar10:PATH "
                     "(the cifar-10-batches-bin directory)");
  }
  return d;
}

std::string Budget::key() const {
  std::ostringstream s;
  s << "e" << epochs << "-n" << subset << "-t" << test_subset << "-b" << batch << "-lr" << lr << "-"
    << schedule << "-m" << momentum << "-wd" << weight_decay << "-s" << seed;
  if (!checkpoint.empty()) s << "-ft" << beta << "-" << checkpoint;
  return s.str();
}

nlohmann::json Result::to_json() const {
  nlohmann::json j = {{"accuracy", accuracy}, {"evaluator", evaluator}, {"dataset", dataset},
                      {"epochs", epochs},     {"seconds", seconds},     {"cached", cached}};
  if (score) j["score"] = *score;
  if (!source.empty()) j["source"] = source;
  for (const auto& [k, v] : extra.items()) j[k] = v;
  return j;
}

Result Result::from_json(const nlohmann::json& j) {
  Result r;
  r.accuracy = j.at("accuracy").get<double>();
  r.evaluator = j.at("evaluator").get<std::string>();
  r.dataset = j.at("dataset").get<std::string>();
  r.epochs = j.at("epochs").get<int>();
  r.seconds = j.at("seconds").get<double>();
  if (j.contains("score")) r.score = j.at("score").get<double>();
  if (j.contains("source")) r.source = j.at("source").get<std::string>();
  for (const auto& [k, v] : j.items()) {
    if (k != "accuracy" && k != "evaluator" && k != "dataset" && k != "epochs" &&
        k != "seconds" && k != "score" && k != "source" && k != "cached") {
      r.extra[k] = v;
    }
  }
  return r;
}

std::string network_hash(const network::Network& net) {
  // FNV-1a over the YAML of the layer definitions (the name line excluded).
  std::string text = network::to_yaml(net);
  const auto first_nl = text.find('\n');
  if (text.rfind("name:", 0) == 0 && first_nl != std::string::npos) text = text.substr(first_nl + 1);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(text)));
  return buf;
}

ResultCache::ResultCache(std::string dir) : dir_(dir.empty() ? default_dir() : std::move(dir)) {}

std::string ResultCache::default_dir() {
  if (const char* d = std::getenv("CODA_CACHE_DIR"); d && *d) return std::string(d) + "/accuracy";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/coda/accuracy";
  return ".coda-cache/accuracy";
}

std::optional<Result> ResultCache::get(const std::string& key) const {
  if (dir_ == "-") return std::nullopt;
  std::ifstream in(dir_ + "/" + key + ".json");
  if (!in) return std::nullopt;
  try {
    nlohmann::json j;
    in >> j;
    Result r = Result::from_json(j);
    r.cached = true;
    return r;
  } catch (const std::exception&) {
    return std::nullopt;  // an unreadable entry is recomputed
  }
}

void ResultCache::put(const std::string& key, const Result& r) const {
  if (dir_ == "-") return;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  // A cache that cannot be written is only slower.
  write_file_atomic(dir_ + "/" + key + ".json", r.to_json().dump(2) + "\n");
}

std::string default_table_path() {
  return std::string(CODA_CONFIG_DIR) + "/accuracy/published.csv";
}
std::string default_calibration_path() {
  return std::string(CODA_CONFIG_DIR) + "/accuracy/zero_cost_fit.csv";
}

namespace {

std::map<std::string, EvaluatorFactory>& registry() {
  static std::map<std::string, EvaluatorFactory> r;
  return r;
}

// `table`: network name or hash -> published accuracy, with its source.
class TableEvaluator : public AccuracyEvaluator {
 public:
  explicit TableEvaluator(const Options& o)
      : path_(o.table.empty() ? default_table_path() : o.table),
        dataset_(o.dataset.name.empty() ? "imagenet" : o.dataset.name) {
    std::ifstream in(path_);
    if (!in) throw InputError({path_, 0, 0}, "table", "cannot open the accuracy table");
    std::string line;
    int n = 0;
    std::vector<std::string> header;
    while (std::getline(in, line)) {
      ++n;
      if (trim(line).empty() || line[0] == '#') continue;
      auto cells = csv_split(line);
      if (!cells) throw InputError({path_, n, 0}, "table", "unterminated quote");
      if (header.empty()) {
        header = *cells;
        if (header != std::vector<std::string>{"network", "dataset", "top1", "top5", "source"}) {
          throw InputError({path_, n, 1}, "table",
                           "the header must be network,dataset,top1,top5,source");
        }
        continue;
      }
      if (cells->size() != 5) {
        throw InputError({path_, n, 0}, "table",
                         "expected 5 fields (network,dataset,top1,top5,source), got " +
                             std::to_string(cells->size()));
      }
      auto top1 = parse_double((*cells)[2]);
      if (!top1 || *top1 < 0 || *top1 > 100) {
        throw InputError({path_, n, 0}, "top1",
                         "'" + (*cells)[2] + "' is not a percentage in [0, 100]");
      }
      rows_.push_back({(*cells)[0], (*cells)[1], *top1, parse_double((*cells)[3]), (*cells)[4]});
    }
  }
  std::string name() const override { return "table"; }
  Result evaluate(const network::Network& net) override {
    const std::string hash = network_hash(net);
    std::vector<std::string> names;
    for (const auto& r : rows_) {
      if (r.dataset != dataset_) continue;
      names.push_back(r.network);
      if (r.network == net.name() || r.network == hash) {
        Result res;
        res.accuracy = r.top1 / 100.0;
        res.evaluator = "table";
        res.dataset = dataset_;
        res.source = r.source;
        if (r.top5) res.extra["top5"] = *r.top5 / 100.0;
        res.extra["network_hash"] = hash;
        return res;
      }
    }
    auto near = nearest_names(net.name(), names);
    throw InputError({path_, 0, 0}, "network",
                     "no " + dataset_ + " accuracy for '" + net.name() + "' (hash " + hash + ")" +
                         (near.empty() ? "" : "; nearest entries: " + join(near, ", ")));
  }

 private:
  struct Row {
    std::string network, dataset;
    double top1;
    std::optional<double> top5;
    std::string source;
  };
  std::string path_;
  std::string dataset_;
  std::vector<Row> rows_;
};

}  // namespace

void register_evaluator(const std::string& name, EvaluatorFactory factory) {
  registry()[name] = std::move(factory);
}

std::vector<std::string> evaluator_names() {
  std::vector<std::string> names;
  for (const auto& [k, v] : registry()) names.push_back(k);
  return names;
}

std::unique_ptr<AccuracyEvaluator> make_evaluator(const std::string& name, const Options& options) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    throw InputError({}, "evaluator",
                     "unknown accuracy evaluator '" + name + "'; available: " +
                         join(evaluator_names(), ", "));
  }
  return it->second(options);
}

void register_train_evaluator();      // train.cc
void register_zero_cost_evaluator();  // zero_cost.cc

void register_accuracy_evaluators() {
  register_evaluator("table", [](const Options& o) { return std::make_unique<TableEvaluator>(o); });
  register_train_evaluator();
  register_zero_cost_evaluator();
}

}  // namespace coda::accuracy
