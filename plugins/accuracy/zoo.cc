#include "plugins/accuracy/zoo.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/files.h"
#include "models/network/compression_plan.h"
#include "models/network/yaml_io.h"
#include "plugins/accuracy/evaluators.h"
#include "plugins/accuracy/trainer.h"

namespace coda::accuracy {
namespace fs = std::filesystem;

nlohmann::json ZooEntry::to_json() const {
  return {{"network", network},       {"hash", hash},
          {"dataset", dataset},       {"source", source},
          {"checkpoint", checkpoint}, {"checkpoint_hash", checkpoint_hash},
          {"accuracy", accuracy},     {"test_images", test_images},
          {"seconds", seconds}};
}

ZooEntry ZooEntry::from_json(const nlohmann::json& j) {
  ZooEntry e;
  e.network = j.at("network").get<std::string>();
  e.hash = j.at("hash").get<std::string>();
  e.dataset = j.at("dataset").get<std::string>();
  e.source = j.at("source").get<std::string>();
  e.checkpoint = j.at("checkpoint").get<std::string>();
  e.checkpoint_hash = j.at("checkpoint_hash").get<std::string>();
  e.accuracy = j.at("accuracy").get<double>();
  e.test_images = j.at("test_images").get<long long>();
  e.seconds = j.at("seconds").get<double>();
  return e;
}

std::string zoo_dir(const std::string& dir) {
  return dir.empty() ? cache_dir("zoo") : dir;
}

namespace {

network::Network backbone_of(const network::Network& net) {
  return network::strip_compression(net);
}

std::string stem(const network::Network& backbone, const DatasetSpec& d, const std::string& dir) {
  return zoo_dir(dir) + "/" + backbone.name() + "-" + network::network_hash(backbone) + "-" +
         d.name;
}

std::string content_hash(const std::string& path) {
  const std::string bytes = read_text_file(path, "checkpoint", 1LL << 34);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
  return hex;
}

// Saves the weights and the entry (each whole or not at all), weights first:
// an entry never names a half-written checkpoint.
ZooEntry store(TorchNet& model, ZooEntry e, const std::string& stem_path) {
  fs::create_directories(fs::path(stem_path).parent_path());
  save_checkpoint(model, stem_path + ".pt");
  e.checkpoint = fs::absolute(stem_path + ".pt").string();
  e.checkpoint_hash = content_hash(e.checkpoint);
  write_file_atomic(stem_path + ".json", e.to_json().dump(2) + "\n");
  return e;
}

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::optional<ZooEntry> zoo_find(const network::Network& net, const DatasetSpec& dataset,
                                 const std::string& dir) {
  const std::string path = stem(backbone_of(net), dataset, dir) + ".json";
  std::ifstream in(path);
  if (!in) return std::nullopt;
  try {
    nlohmann::json j;
    in >> j;
    ZooEntry e = ZooEntry::from_json(j);
    if (fs::exists(e.checkpoint)) return e;
  } catch (const std::exception&) {
  }
  return std::nullopt;  // an unreadable entry is made again
}

ZooEntry zoo_train(const network::Network& net, const DatasetSpec& dataset, const ZooBudget& zb,
                   const std::string& dir, bool force) {
  const network::Network backbone = backbone_of(net);
  if (!force) {
    if (auto e = zoo_find(backbone, dataset, dir)) return *e;
  }
  const std::string s = stem(backbone, dataset, dir);
  fs::create_directories(zoo_dir(dir));
  const DirectoryLock lock(s + ".json", DirectoryLock::File{});
  const auto start = std::chrono::steady_clock::now();
  const Dataset& d = load_dataset(dataset);
  Budget b = Budget::defaults();
  b.epochs = zb.epochs;
  b.subset = zb.subset;
  b.seed = zb.seed;
  b.threads = zb.threads;
  torch::manual_seed(b.seed);
  TorchNet model(adapt_to(backbone, d));
  init_weights(model);
  const TrainReport rep = train_and_test(model, d, b);
  ZooEntry e;
  e.network = backbone.name();
  e.hash = network::network_hash(backbone);
  e.dataset = dataset.name;
  e.source = "trained: " + std::to_string(zb.epochs) + " epoch(s) on " +
             std::to_string(rep.train_images) + " images, seed " + std::to_string(zb.seed);
  e.accuracy = rep.accuracy;
  e.test_images = rep.test_images;
  e.seconds = since(start);
  return store(model, e, s);
}

ZooEntry zoo_import(const network::Network& net, const std::string& checkpoint,
                    const DatasetSpec& dataset, const std::string& dir, bool partial) {
  const network::Network backbone = backbone_of(net);
  const std::string s = stem(backbone, dataset, dir);
  fs::create_directories(zoo_dir(dir));
  const DirectoryLock lock(s + ".json", DirectoryLock::File{});
  const auto start = std::chrono::steady_clock::now();
  const Dataset& d = load_dataset(dataset);
  torch::manual_seed(1);
  TorchNet model(adapt_to(backbone, d));
  init_weights(model);
  load_checkpoint(model, checkpoint, partial);
  ZooEntry e;
  e.network = backbone.name();
  e.hash = network::network_hash(backbone);
  e.dataset = dataset.name;
  e.source = std::string(partial ? "imported (partial): " : "imported: ") +
             fs::absolute(checkpoint).string();
  e.accuracy = test_accuracy(model, d.test);
  e.test_images = d.test.images.size(0);
  e.seconds = since(start);
  return store(model, e, s);
}

double checkpoint_accuracy(const network::Network& net, const std::string& checkpoint,
                           const DatasetSpec& dataset, long long test_subset) {
  const Dataset& d = load_dataset(dataset);
  TorchNet model(adapt_to(net, d));
  load_checkpoint(model, checkpoint);
  return test_accuracy(model, d.test, test_subset);
}

std::vector<ZooEntry> zoo_list(const std::string& dir) {
  std::vector<ZooEntry> out;
  const std::string z = zoo_dir(dir);
  if (!fs::is_directory(z)) return out;
  for (const auto& f : fs::directory_iterator(z)) {
    if (f.path().extension() != ".json") continue;
    try {
      std::ifstream in(f.path());
      nlohmann::json j;
      in >> j;
      out.push_back(ZooEntry::from_json(j));
    } catch (const std::exception&) {
    }
  }
  std::sort(out.begin(), out.end(), [](const ZooEntry& a, const ZooEntry& b) {
    return std::tie(a.network, a.dataset) < std::tie(b.network, b.dataset);
  });
  return out;
}

}  // namespace coda::accuracy
