// The builtin accuracy evaluators (LibTorch), each registered from its own
// file, and what they share:
//   train      trains on a real dataset (Fashion-MNIST, CIFAR-10) with a proxy
//              budget, or fine-tunes from a checkpoint for beta batches;
//   zero-cost  NASWOT / synflow scores at initialisation on one batch, mapped
//              to an accuracy by a fit against `train`;
//   table      published accuracies from a CSV with sources.
// Their options are declared once, in their registrations; Budget is the
// resolved view the trainer takes (STYLE.md 3).
#pragma once

#include <string>

#include "core/options.h"
#include "models/accuracy/accuracy.h"

namespace coda::accuracy {

// The zero-cost batch the shipped fit (configs/accuracy/zero_cost_fit.csv)
// was made with, and the default of the zero-cost evaluator's batch.
constexpr int kZeroCostBatch = 64;

struct Budget {
  int epochs = 0;
  long long subset = 0;       // training images used (0: all)
  long long test_subset = 0;  // test images used (0: all)
  int batch = 0;
  double lr = 0;         // peak SGD learning rate
  std::string schedule;  // cosine | constant
  double momentum = 0;
  double weight_decay = 0;
  int threads = 0;  // 0: all cores
  unsigned long long seed = 0;
  // Fine-tuning (HotNAS): start from this checkpoint and train beta batches.
  std::string checkpoint;
  long long beta = 0;
  bool partial_checkpoint = false;     // load what fits, initialise the rest
  long long bn_images = 0;             // images that recompute batch-norm statistics
  std::string augment = "none";        // none | flip | shift | rotate | all
  std::string resolution = "dataset";  // dataset | network (images padded to the input)

  // The options an evaluator declares (those it does not declare stay 0).
  static Budget from(const Options& o);
  // The train evaluator's defaults.
  static Budget defaults();
  // The key that, with the network's hash, names a cached result; a
  // fine-tuning budget names its checkpoint by `checkpoint_hash` (of its
  // content), so the key is also a file name.
  std::string key(const std::string& checkpoint_hash = "") const;
};

// The train evaluator's option declarations (the trainer's defaults).
const OptionDecls& train_options();

// Declarations the evaluators share, each written once.
OptionDecl dataset_option(const std::string& def);
OptionDecl seed_option();
OptionDecl threads_option();
OptionDecl cache_option();
// The SGD settings (batch, lr, schedule, momentum, weight_decay) with an
// evaluator's batch and learning-rate defaults.
OptionDecls sgd_options(long long batch, double lr);

// The shipped files: configs/accuracy/published.csv and
// configs/accuracy/zero_cost_fit.csv.
std::string default_table_path();
std::string default_calibration_path();

void register_train_evaluator();      // train.cc
void register_zero_cost_evaluator();  // zero_cost.cc
void register_table_evaluator();      // table.cc

}  // namespace coda::accuracy
