// Training and testing a TorchNet on a Dataset with a proxy budget; shared by
// the `train` evaluator, the zero-cost calibration and the transform tests.
#pragma once

#include <random>
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

// Lu et al. §4's augmentation of a training batch [N, C, H, W], per image:
// `flip` mirrors it with probability 1/2, `shift` moves it by up to 1/8 of
// its size each way (CIFAR's customary 4 pixels of 32), `rotate` turns it by
// up to 15 degrees, `all` does the three; the uncovered border is zero and
// shift and rotation are one bilinear resampling. `none` returns x.
torch::Tensor augment_batch(const torch::Tensor& x, const std::string& kind, std::mt19937_64& rng);

// Keeps freed activation buffers in the heap (see train.cc); once per process.
void keep_freed_memory();

void save_checkpoint(TorchNet& net, const std::string& path);
// Throws InputError naming the file when it does not fit the network;
// `partial` loads the tensors that fit and keeps the rest as initialised.
void load_checkpoint(TorchNet& net, const std::string& path, bool partial = false);
// The same for any module (a supernet); `what_net` names it in errors.
void save_checkpoint(torch::nn::Module& net, const std::string& path);
void load_checkpoint(torch::nn::Module& net, const std::string& path, bool partial,
                     const std::string& what_net);

}  // namespace coda::accuracy
