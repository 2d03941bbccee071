// The learned cost model (NAHAS §3.5.2): a shared MLP trunk (hidden 256,
// ReLU, dropout 0.1) with regression heads for log latency, log energy and
// log area and a feasibility head, trained with NAHAS eq. 7 generalised:
// MSE(area) + lambda * (MSE(latency) + MSE(energy)) + BCE(feasible).
// LibTorch stays inside mlp.cc; this header is plain C++.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/options.h"
#include "models/cost/cost_model.h"
#include "models/cost/jobs.h"

namespace coda::cost {

struct TrainOptions {
  std::string out;  // model.pt (TorchScript); the metadata goes to model.pt.json
  int hidden = 256;
  int layers = 3;
  double dropout = 0.1;
  int batch = 128;
  double lr = 1e-3;
  double lambda = 10;
  int epochs = 60;
  int patience = 8;  // early stopping on the validation loss
  double val_fraction = 0.1;
  unsigned long long seed = 1;
  int threads = 2;
  std::function<void(const std::string&)> log;
};

struct TrainReport {
  int epochs_run = 0;
  int best_epoch = 0;
  double best_val_loss = 0;
  std::size_t train_samples = 0, val_samples = 0;
  double seconds = 0;
};

TrainReport train_mlp(const TrainData& data, const TrainOptions& opts);
// `coda train`: featurizes a dataset directory (load_train_data), then trains.
TrainReport train_mlp_on_dataset(const std::string& dir, const TrainOptions& opts);

// Predictions of a saved model on feature rows (n x f): per row latency_s,
// energy_j, area_mm2 and the probability of being feasible.
struct MlpPrediction {
  double latency_s, energy_j, area_mm2, p_feasible;
};

class MlpModel {
 public:
  explicit MlpModel(const std::string& path);  // InputError when missing or mismatched
  ~MlpModel();
  MlpModel(const MlpModel&) = delete;
  MlpModel& operator=(const MlpModel&) = delete;
  std::size_t features() const;
  int featurizer_version() const;
  // Not safe to call from two threads at once: a single query reuses the
  // previous one's first layer.
  std::vector<MlpPrediction> predict(const std::vector<float>& x, std::size_t n) const;

 private:
  struct Impl;
  Impl* impl_;
};

// Registers "mlp" as a cost model: "mlp:<model.pt>" loads a trained model;
// plain "mlp" builds a dataset of its `space` and trains one into
// cache_dir("mlp") first, or reuses the model trained there for the same
// settings.
void register_mlp_cost_model();

// The model file a plain learned spec ("mlp", "mlp-layer") answers with:
// reused from cache_dir(kind) when one was trained there with the same
// `space`, `samples`, `epochs`, seed and trainer `settings` (the model's
// own defaults, so a changed default retrains), otherwise simulated into a
// dataset (resumed when a previous build was killed) and trained by
// `train(data_dir, model_out, epochs, seed, threads)`.
using CachedTrainer =
    std::function<void(const std::string&, const std::string&, int, unsigned long long, int)>;
std::string ensure_trained(const CostModelContext& c, const std::string& kind,
                           const std::string& settings, const CachedTrainer& train);
// The options of a plain learned spec: space, samples, epochs, workers.
std::vector<OptionDecl> cached_training_options(long long epochs);

}  // namespace coda::cost
