#include "models/accuracy/accuracy.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/files.h"
#include "core/text.h"

namespace coda::accuracy {
namespace fs = std::filesystem;

DatasetSpec parse_dataset(const std::string& spec, const SourceLocation& where) {
  const auto colon = spec.find(':');
  DatasetSpec d{spec.substr(0, colon), colon == std::string::npos ? "" : spec.substr(colon + 1)};
  const std::vector<std::string> known = {"fashion-mnist", "cifar10", "imagenet"};
  bool ok = false;
  for (const auto& k : known) ok = ok || d.name == k;
  if (!ok) {
    throw InputError(where, "dataset",
                     "unknown dataset '" + d.name +
                         "'; known: fashion-mnist[:DIR], cifar10:PATH, "
                         "imagenet (table only)");
  }
  if (d.name == "cifar10" && d.path.empty()) {
    throw InputError(where, "dataset",
                     "cifar10 needs the path of the binary version: cifar10:PATH "
                     "(the cifar-10-batches-bin directory)");
  }
  return d;
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
    if (k != "accuracy" && k != "evaluator" && k != "dataset" && k != "epochs" && k != "seconds" &&
        k != "score" && k != "source" && k != "cached") {
      r.extra[k] = v;
    }
  }
  return r;
}

EvaluatorRegistry& evaluators() {
  static EvaluatorRegistry r("accuracy evaluator", "evaluator", "");
  return r;
}

Options evaluator_options(const std::string& name, const nlohmann::json& given) {
  return Options::from_json(evaluators().at(name).options, "accuracy evaluator " + name,
                            given.is_null() ? nlohmann::json::object() : given);
}

std::unique_ptr<AccuracyEvaluator> make_evaluator(const std::string& name,
                                                  const nlohmann::json& given) {
  return evaluators().make(name, evaluator_options(name, given));
}

ResultCache::ResultCache(std::string dir)
    : dir_(dir.empty() ? cache_dir("accuracy") : std::move(dir)) {}

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

}  // namespace coda::accuracy
