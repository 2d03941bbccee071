// The zoo with weights (HotNAS's hot start, §III-①): each zoo network trained
// once on a proxy dataset, its checkpoint and accuracy kept in the cache
// (cache_dir("zoo")), keyed by the network's hash and the dataset. A search
// fine-tunes from these checkpoints and never trains from scratch. A
// checkpoint made elsewhere (ImageNet weights of the same network, adapted)
// is accepted by zoo_import. Free of LibTorch: `coda zoo` and the hotnas
// flow's users include it.
//
//   <zoo>/<network>-<hash>-<dataset>.json   the entry (below)
//   <zoo>/<network>-<hash>-<dataset>.pt     the weights (accuracy::save_checkpoint)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/accuracy/accuracy.h"
#include "models/network/network.h"

namespace coda::accuracy {

// How a zoo network is trained: the train evaluator's defaults otherwise.
struct ZooBudget {
  int epochs = 1;
  long long subset = 0;  // training images (0: all)
  unsigned long long seed = 1;
  int threads = 0;
};

struct ZooEntry {
  std::string network;  // name
  std::string hash;     // network_hash of the uncompressed network
  std::string dataset;
  std::string source;           // "trained: ..." or "imported: FILE"
  std::string checkpoint;       // absolute path of the weights
  std::string checkpoint_hash;  // of the file's content
  double accuracy = 0;          // on the whole test set
  long long test_images = 0;
  double seconds = 0;  // training (or import) time
  nlohmann::json to_json() const;
  static ZooEntry from_json(const nlohmann::json& j);
};

// `dir` "" is cache_dir("zoo").
std::string zoo_dir(const std::string& dir = "");
// The entry of `net` (compression ignored) on `dataset`, when there is one.
std::optional<ZooEntry> zoo_find(const network::Network& net, const DatasetSpec& dataset,
                                 const std::string& dir = "");
// Trains `net` (compression ignored) adapted to the dataset, unless the zoo
// has it already (or `force`); saves its checkpoint and entry atomically.
ZooEntry zoo_train(const network::Network& net, const DatasetSpec& dataset, const ZooBudget& b,
                   const std::string& dir = "", bool force = false);
// Loads `checkpoint` into `net` adapted to the dataset (an InputError names
// the file and the first tensor that does not fit; `partial` keeps the
// initialisation of what does not fit instead), tests it and makes it the
// zoo's entry for the network and dataset.
ZooEntry zoo_import(const network::Network& net, const std::string& checkpoint,
                    const DatasetSpec& dataset, const std::string& dir = "", bool partial = false);
// The test accuracy of `net` (compression and quantization kept) with the
// weights of `checkpoint` (a fine-tuned winner), on the first `test_subset`
// test images (0: all).
double checkpoint_accuracy(const network::Network& net, const std::string& checkpoint,
                           const DatasetSpec& dataset, long long test_subset = 0);

// Every entry, by network name.
std::vector<ZooEntry> zoo_list(const std::string& dir = "");

// The hot-start accuracy evaluator (hot_start.cc).
void register_hot_start_evaluator();

}  // namespace coda::accuracy
