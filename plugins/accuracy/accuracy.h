// The AccuracyEvaluator interface (DESIGN.md "Core interfaces"):
// evaluate(net) -> accuracy. Implementations register by name through
// register_accuracy_evaluators() (explicit, STYLE.md 1):
//   train      trains on a real dataset (Fashion-MNIST, CIFAR-10) with a proxy
//              budget, or fine-tunes from a checkpoint for beta batches;
//   zero-cost  NASWOT / synflow scores at initialisation on one batch, mapped
//              to an accuracy by a fit against `train`;
//   table      published accuracies from a CSV with sources.
// This header is free of LibTorch, so the search can include it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
DatasetSpec parse_dataset(const std::string& spec);

// The zero-cost batch the shipped fit (configs/accuracy/zero_cost_fit.csv)
// was made with, and the default of the zero-cost evaluator's batch.
constexpr int kZeroCostBatch = 64;

struct Budget {
  int epochs = 1;
  long long subset = 0;       // training images used (0: all)
  long long test_subset = 0;  // test images used (0: all)
  int batch = 128;
  double lr = 0.05;                  // peak SGD learning rate
  std::string schedule = "cosine";  // cosine | constant
  double momentum = 0.9;
  double weight_decay = 5e-4;
  int threads = 0;  // 0: all cores
  unsigned long long seed = 1;
  // Fine-tuning (HotNAS): start from this checkpoint and train beta batches.
  std::string checkpoint;
  long long beta = 0;
  // The key that, with the network's hash, names a cached result.
  std::string key() const;
};

struct Options {
  DatasetSpec dataset;  // empty: imagenet for table, fashion-mnist otherwise
  Budget budget;
  std::string proxy = "naswot";  // zero-cost: naswot | synflow
  std::string table;             // table: CSV path ("" = the shipped one)
  std::string calibration;       // zero-cost: fit file ("" = the shipped one)
  std::string cache_dir;         // "" = $CODA_CACHE_DIR or ~/.cache/coda; "-" = no cache
  std::string save_checkpoint;   // train: write the trained weights here
};

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

using EvaluatorFactory = std::function<std::unique_ptr<AccuracyEvaluator>(const Options&)>;
void register_evaluator(const std::string& name, EvaluatorFactory factory);
std::vector<std::string> evaluator_names();
// An unknown name lists the registered ones (InputError).
std::unique_ptr<AccuracyEvaluator> make_evaluator(const std::string& name, const Options& options);
// Registers train, zero-cost and table. Idempotent.
void register_accuracy_evaluators();

// A structural hash of the network (name excluded), hex.
std::string network_hash(const network::Network& net);

// A directory-backed cache of results keyed by network hash + evaluator +
// dataset + budget. Writes are atomic (rename), so a killed run leaves no
// half-written entry.
class ResultCache {
 public:
  explicit ResultCache(std::string dir);  // "-" disables
  std::optional<Result> get(const std::string& key) const;
  void put(const std::string& key, const Result& r) const;
  static std::string default_dir();

 private:
  std::string dir_;
};

// The shipped files: configs/accuracy/published.csv and
// configs/accuracy/zero_cost_fit.csv, found beside the executable's source tree.
std::string default_table_path();
std::string default_calibration_path();

}  // namespace coda::accuracy
