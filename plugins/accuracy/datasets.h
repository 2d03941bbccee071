// Image-classification datasets read in their standard formats:
// Fashion-MNIST IDX (gzip or plain, Debian's dataset-fashion-mnist) and the
// CIFAR-10 binary version. Images become float tensors [N, C, H, W],
// standardised with the dataset's published mean and deviation.
#pragma once

#include <torch/torch.h>

#include <string>

#include "plugins/accuracy/evaluators.h"

namespace coda::accuracy {

struct ImageSet {
  torch::Tensor images;  // float [N, C, H, W]
  torch::Tensor labels;  // int64 [N]
  int classes = 10;
};

struct Dataset {
  std::string name;
  ImageSet train;
  ImageSet test;
  network::Shape shape() const {
    return {train.images.size(1), train.images.size(2), train.images.size(3)};
  }
};

// Throws InputError naming the path tried and how to get the data. Loaded
// sets are kept for the process, so repeated evaluations read them once.
const Dataset& load_dataset(const DatasetSpec& spec);

// `d` with every image padded, centred, to height x width with the value of
// a black pixel (each channel's minimum over the training set), the way
// LeNet-5 ran 28x28 MNIST at 32x32. Kept for the process like load_dataset.
// Throws InputError when the images are larger than height x width.
const Dataset& padded_dataset(const Dataset& d, long long height, long long width);

std::string default_fashion_mnist_dir();  // /usr/share/datasets/fashion-mnist

}  // namespace coda::accuracy
