// Training and testing a TorchNet on a Dataset with a proxy budget; shared by
// the `train` evaluator, the zero-cost calibration and the transform tests.
#pragma once

#include <string>
#include <vector>

#include "plugins/accuracy/datasets.h"
#include "plugins/accuracy/torch_net.h"

namespace coda::accuracy {

// The network adapted to the dataset's input and classes (network/adapt.h).
network::Network adapt_to(const network::Network& net, const Dataset& d);

struct TrainReport {
  double accuracy = 0;  // test accuracy, a fraction
  double seconds = 0;   // training and testing
  std::vector<double> epoch_seconds;
  double last_loss = 0;
  long long train_images = 0;
  long long test_images = 0;
  long long steps = 0;
};

// Deterministic for a seed and thread count. With budget.beta > 0 it trains
// beta batches (HotNAS fine-tuning) instead of whole epochs.
TrainReport train_and_test(TorchNet& net, const Dataset& d, const Budget& budget);
double test_accuracy(TorchNet& net, const ImageSet& set, long long limit = 0);

// Keeps freed activation buffers in the heap (see train.cc); once per process.
void keep_freed_memory();

void save_checkpoint(TorchNet& net, const std::string& path);
// Throws InputError naming the file when it does not fit the network;
// `partial` loads the tensors that fit and keeps the rest as initialised.
void load_checkpoint(TorchNet& net, const std::string& path, bool partial = false);

}  // namespace coda::accuracy
