// The AccuracyEvaluator interface (DESIGN.md "Core interfaces"):
// evaluate(net) -> accuracy, with its registry and a result cache. Free of
// LibTorch, so the search depends on it; the builtin evaluators (train,
// zero-cost, table) live in plugins/accuracy/ and register themselves there.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/options.h"
#include "core/registry.h"
#include "models/network/network.h"

namespace coda::accuracy {

// "fashion-mnist" (Debian's dataset-fashion-mnist), "fashion-mnist:DIR",
// "cifar10:PATH" (the directory of the binary version, cifar-10-batches-bin),
// "imagenet" (table only).
struct DatasetSpec {
  std::string name;  // fashion-mnist | cifar10 | imagenet
  std::string path;  // empty: the default location, where there is one
  std::string str() const { return path.empty() ? name : name + ":" + path; }
};
DatasetSpec parse_dataset(const std::string& spec, const SourceLocation& where = {});

struct Result {
  double accuracy = 0;  // a fraction, 0-1
  std::string evaluator;
  std::string dataset;
  int epochs = 0;
  double seconds = 0;
  std::optional<double> score;  // zero-cost: the raw proxy score
  std::string source;           // table: where the number comes from
  bool cached = false;
  nlohmann::json extra = nlohmann::json::object();
  nlohmann::json to_json() const;
  static Result from_json(const nlohmann::json& j);
};

class AccuracyEvaluator {
 public:
  virtual ~AccuracyEvaluator() = default;
  virtual std::string name() const = 0;
  virtual Result evaluate(const network::Network& net) = 0;
};

// Factories take the evaluator's declared options, resolved (core/options.h).
using EvaluatorRegistry = Registry<AccuracyEvaluator, const Options&>;
EvaluatorRegistry& evaluators();

// The options of evaluator `name` from JSON, checked against its declaration.
Options evaluator_options(const std::string& name, const nlohmann::json& given = {});
// evaluators().make(name, evaluator_options(name, given)).
std::unique_ptr<AccuracyEvaluator> make_evaluator(const std::string& name,
                                                  const nlohmann::json& given = {});

// A directory-backed cache of results keyed by network hash + evaluator +
// dataset + budget. Writes are atomic (rename), so a killed run leaves no
// half-written entry.
class ResultCache {
 public:
  // "" = cache_dir("accuracy") (core/files.h); "-" disables.
  explicit ResultCache(std::string dir);
  std::optional<Result> get(const std::string& key) const;
  void put(const std::string& key, const Result& r) const;

 private:
  std::string dir_;
};

}  // namespace coda::accuracy
