// The `hot-start` accuracy evaluator (HotNAS §III-① v, step 3): a network
// made from a zoo network by compression is scored by fine-tuning the zoo
// network's checkpoint for beta batches with the compression applied:
//  - channel cuts carry the kept channels' weights (least L1 norm cut) and
//    ripple into the consumers' inputs;
//  - kernel expansion pads the kernels with zeros (Theorem 1);
//  - pattern pruning picks PAT_n patterns of PAT_c zeros by vote, each
//    kernel keeps the one of largest L2 norm, and the masks hold through
//    fine-tuning;
//  - quantization fake-quantizes the weights in the forward pass.
// The uncompressed zoo network scores its checkpoint as it is (A_ori). A
// zoo network missing from the zoo is trained first (zoo_epochs,
// zoo_subset), once. With `epochs` > 0 it fine-tunes whole epochs instead
// (the final fine-tuning of a winner, with `save_checkpoint`).
#include <fmt/format.h>

#include "core/error.h"
#include "core/files.h"
#include "models/network/compression_plan.h"
#include "models/network/yaml_io.h"
#include "plugins/accuracy/evaluators.h"
#include "plugins/accuracy/trainer.h"
#include "plugins/accuracy/transforms.h"
#include "plugins/accuracy/zoo.h"

namespace coda::accuracy {
namespace {

bool compressed(const network::Network& net) {
  for (const auto id : net.layers()) {
    const auto& l = net.layer(id);
    if (l.compression.any() || l.quant) return true;
  }
  return false;
}

class HotStartEvaluator : public AccuracyEvaluator {
 public:
  explicit HotStartEvaluator(const Options& o)
      : dataset_(parse_dataset(o.text("dataset"), o.where("dataset"))),
        budget_(Budget::from(o)),
        save_checkpoint_(o.text("save_checkpoint")),
        zoo_(o.text("zoo")),
        cache_(o.text("cache")) {
    if (budget_.epochs > 0) budget_.beta = 0;  // whole epochs instead of beta batches
    zoo_budget_.epochs = static_cast<int>(o.integer("zoo_epochs"));
    zoo_budget_.subset = o.integer("zoo_subset");
    zoo_budget_.seed = budget_.seed;
    zoo_budget_.threads = budget_.threads;
    if (dataset_.name == "imagenet") {
      throw InputError(o.where("dataset"), "dataset",
                       "coda cannot fine-tune on ImageNet on a CPU; use fashion-mnist or "
                       "cifar10:PATH");
    }
  }
  std::string name() const override { return "hot-start"; }

  Result evaluate(const network::Network& net) override {
    const network::Network backbone = network::strip_compression(net);
    const ZooEntry zoo = zoo_train(backbone, dataset_, zoo_budget_, zoo_);
    const bool fine_tune = compressed(net) || budget_.epochs > 0;
    const std::string hash = network::network_hash(net);
    // Fine-tuning's budget names the checkpoint by its content.
    Budget keyed = budget_;
    keyed.checkpoint = zoo.checkpoint;
    if (!fine_tune) keyed.beta = 0;
    const std::string key =
        hash + "-hotstart-" + dataset_.name + "-" + keyed.key(zoo.checkpoint_hash);
    if (save_checkpoint_.empty()) {
      if (auto hit = cache_.get(key)) return *hit;
    }
    const Dataset& d = load_dataset(dataset_);
    torch::manual_seed(budget_.seed);
    TorchNet source(adapt_to(backbone, d));
    load_checkpoint(source, zoo.checkpoint);
    Result r;
    r.evaluator = "hot-start";
    r.dataset = dataset_.name;
    r.extra = {{"network_hash", hash},
               {"backbone", zoo.network},
               {"backbone_accuracy_full_test", zoo.accuracy},
               {"zoo_source", zoo.source},
               {"zoo_seconds", zoo.seconds},
               {"checkpoint", zoo.checkpoint},
               {"seed", budget_.seed}};
    TorchNet* scored = &source;
    std::unique_ptr<TorchNet> model;
    if (!fine_tune) {
      r.accuracy = test_accuracy(source, d.test, budget_.test_subset);
    } else {
      model = transfer(source, adapt_to(net, d));
      for (const auto id : net.layers()) {
        const auto& l = net.layer(id);
        if (l.compression.pattern_zeros > 0) {
          prune_patterns(*model, l.name, l.compression.pattern_zeros, l.compression.patterns);
        }
      }
      const TrainReport rep = train_and_test(*model, d, budget_);
      r.accuracy = rep.accuracy;
      r.seconds = rep.seconds;
      r.epochs = budget_.epochs;
      r.extra["steps"] = rep.steps;
      r.extra["final_loss"] = rep.last_loss;
      if (budget_.epochs == 0) r.extra["beta"] = budget_.beta;
      scored = model.get();
    }
    r.extra["params"] = scored->effective_params();
    r.extra["test_images"] = budget_.test_subset > 0
                                 ? std::min<long long>(budget_.test_subset, d.test.images.size(0))
                                 : d.test.images.size(0);
    if (!save_checkpoint_.empty()) save_checkpoint(*scored, save_checkpoint_);
    cache_.put(key, r);
    return r;
  }

 private:
  DatasetSpec dataset_;
  Budget budget_;
  ZooBudget zoo_budget_;
  std::string save_checkpoint_;
  std::string zoo_;
  ResultCache cache_;
};

}  // namespace

void register_hot_start_evaluator() {
  EvaluatorRegistry::Entry entry{
      "hot-start",
      "fine-tunes a zoo network's checkpoint for beta batches with the network's compression "
      "applied (HotNAS); trains the zoo network once when the zoo lacks it",
      {dataset_option("fashion-mnist"),
       OptionDecl::integer("beta", 10, 1, 1LL << 40,
                           "fine-tuning batches per candidate (HotNAS beta; the paper: 10)"),
       OptionDecl::integer("epochs", 0, 0, 10000,
                           "fine-tune whole epochs instead of beta batches (0: beta batches)"),
       OptionDecl::integer("subset", 0, 0, 1LL << 40, "training images an epoch uses (0: all)"),
       OptionDecl::integer("test_subset", 2000, 0, 1LL << 40,
                           "test images scored (0: all); the backbone's A_ori uses the same"),
       OptionDecl::integer("bn_images", 1024, 0, 1LL << 40,
                           "training images that recompute the batch-norm statistics after "
                           "fine-tuning (0: keep the running averages)"),
       OptionDecl::integer("zoo_epochs", 1, 1, 10000,
                           "epochs that train a zoo network the zoo lacks"),
       OptionDecl::integer("zoo_subset", 0, 0, 1LL << 40,
                           "training images for a zoo network the zoo lacks (0: all)"),
       OptionDecl::path("zoo", "",
                        "zoo directory (\"\": $CODA_CACHE_DIR/zoo or ~/.cache/coda/zoo)"),
       threads_option(), seed_option(),
       OptionDecl::path("save_checkpoint", "", "write the fine-tuned weights here"),
       cache_option()},
      [](const Options& o) { return std::make_unique<HotStartEvaluator>(o); }};
  for (auto& d : sgd_options(64, 0.01)) entry.options.push_back(d);
  evaluators().add(std::move(entry));
}

}  // namespace coda::accuracy
