// The layer-level learned cost model (`mlp-layer`), nn-Meter's kernel-level
// idea carried to whole networks: an ensemble of K members, each
//   - a per-layer MLP on a layer's features (layer_features.h) giving the
//     layer group's log latency and a gate: does the family run this layer
//     as a group of its own (or fuse it, or run it for free)?
//   - a network-level head on the network's features and the log of the
//     summed layer latencies, giving what does not add up (a log-latency
//     correction for overlap, image load and result store), log energy,
//     log area and feasibility.
// A network's latency is exp(mean over members of log latency); the spread
// of the members, scaled on held-out networks so that the 90% interval holds
// 90% of them, is the prediction's uncertainty. It trains from the per-layer
// latencies datasets carry, and exports to TorchScript like the MLP.
// LibTorch stays inside layer_model.cc; this header is plain C++.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/cost/cost_model.h"
#include "models/cost/layer_features.h"
#include "models/cost/mlp.h"

namespace coda::cost {

// Rows of many networks with their simulated targets. A layer's target is
// its reported latency, 0 when the simulator reports no group for it.
struct LayerTrainData {
  std::size_t networks = 0, layer_f = 0, net_f = 0;
  std::vector<float> layer_x;          // rows x layer_f, grouped by network
  std::vector<std::size_t> first_row;  // networks + 1 offsets into the rows
  std::vector<double> layer_latency;   // per row
  std::vector<float> net_x;            // networks x net_f
  std::vector<double> targets;         // networks x 3: latency_s, energy_j, area_mm2
  std::vector<float> feasible;         // per network
  std::vector<std::string> layer_names, net_names;
  int featurizer_version = 0;
  bool twin = false;  // the analytical twin's estimates are features
  // Appends one network: its rows, per-layer latencies by topological
  // position (empty when not known) and metrics.
  void add(const LayerRows& rows, const std::vector<std::pair<int, double>>& layers,
           const Metrics& m);
};

// Decodes and featurizes a dataset directory (with the family's analytical
// twin as a feature when `twin`); one without per-layer latencies
// (coda-dataset/1) is an InputError saying how to rebuild it.
LayerTrainData load_layer_train_data(const std::string& dir, bool twin = true);

struct LayerTrainOptions {
  std::string out;  // model.pt (TorchScript); the metadata goes to model.pt.json
  // 3 x 32 predicts as well as 5 x 64 did at less than half the cost (edge,
  // 3,000 samples: 100% of fresh and of leave-family-out latencies within
  // 10% either way; 129 us per network instead of ~250).
  int members = 3;
  int hidden = 32;  // width of the per-layer MLP and of the network head
  int layers = 2;   // hidden layers of each
  int batch = 32;   // networks per step
  double lr = 3e-3;
  int epochs = 80;
  int patience = 10;
  double val_fraction = 0.1;  // for early stopping, and as much again for calibration
  unsigned long long seed = 1;
  // One thread: the per-step matrices are small, and a second thread costs
  // more in synchronisation than it gains (3,000 samples, 3 epochs: 5.4 s
  // wall on one thread, 8.4 s on two).
  int threads = 1;
  std::function<void(const std::string&)> log;
};

struct LayerTrainReport : TrainReport {
  double val_latency_within_10pct = 0;  // on the calibration networks
  double calibration_scale = 1;         // multiplies the members' spread
};

LayerTrainReport train_layer_model(const LayerTrainData& data, const LayerTrainOptions& opts);

struct LayerPrediction {
  double latency_s, energy_j, area_mm2, p_feasible;
  double latency_sigma;  // calibrated standard deviation of log latency
};

// A relaxed batch of one network for LayerModel::expected(): features
// linear in a weight vector w (the flattened (dimension, choice) pairs),
//   layer_x = layer_base + sum_j w[feature_pairs[j]] layer_delta[j]
//   net_x   = net_base + sum_k w[k] net_delta[k],
// and each row's latency weighed by the product of the weights of its
// `row_pairs` (none: 1).
struct RelaxedRows {
  std::size_t rows = 0, pairs = 0;
  std::vector<double> layer_base;          // rows x layer_f
  std::vector<std::size_t> feature_pairs;  // the pairs that change layer features
  std::vector<double> layer_delta;         // feature_pairs x rows x layer_f
  std::vector<std::vector<std::size_t>> row_pairs;
  std::vector<double> net_base;   // net_f
  std::vector<double> net_delta;  // pairs x net_f
};

struct ExpectedPrediction {
  // Means over the members; log_feasible is the log of the mean probability.
  double log_latency_s = 0, log_energy_j = 0, log_area_mm2 = 0, log_feasible = 0;
  std::vector<double> d_latency, d_energy, d_area, d_feasible;  // per pair
};

class LayerModel {
 public:
  explicit LayerModel(const std::string& path);  // InputError when missing or mismatched
  ~LayerModel();
  LayerModel(const LayerModel&) = delete;
  LayerModel& operator=(const LayerModel&) = delete;
  std::size_t layer_features() const;
  std::size_t net_features() const;
  int featurizer_version() const;
  bool uses_twin() const;
  int members() const;
  std::vector<LayerPrediction> predict(const std::vector<LayerRows>& nets) const;
  // The same through the exported TorchScript forward() (what Python users
  // load), for cross-checks; as saved, without fine-tuning since.
  std::vector<LayerPrediction> predict_torchscript(const std::vector<LayerRows>& nets) const;
  // Online fine-tuning on simulated networks (network-level targets; layer
  // targets where known): `steps` Adam steps at learning rate `lr` over
  // `data`, the normalisation and calibration kept. Returns the mean loss.
  double fine_tune(const LayerTrainData& data, int steps, double lr, unsigned long long seed);
  // The ensemble on relaxed rows at weights `w` (one per pair), in double
  // precision, with the gradient of each output with respect to w. Each
  // layer's gate is taken at the mixed features and held constant.
  ExpectedPrediction expected(const RelaxedRows& rows, const std::vector<double>& w) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Registers "mlp-layer": "mlp-layer:<model.pt>" loads a model from
// `coda train --model mlp-layer`; plain "mlp-layer" trains one on simulated
// samples of its `space` into cache_dir("mlp-layer") or reuses it.
void register_layer_cost_model();

}  // namespace coda::cost
