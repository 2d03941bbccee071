// Input adaptation: runs a network designed for one input size (say 224x224x3,
// 1000 classes) on a small dataset (28x28x1 or 32x32x3, 10 classes), the way
// CIFAR ports of ImageNet networks do it.
//
// Rule (documented in the README): the input layer takes the dataset's
// channels and size; the classifier (the last conv or linear before each
// output) gets the dataset's classes; and the layers that downsample at the
// first k resolutions lose their stride, with
//   k = max(0, round(log2(original_input / new_input)) - 2).
// So a 224-pixel network at 28 or 32 pixels loses one stride-2 level (the
// stem's): MobileNetV2 ends at 2x2 instead of 7x7, ResNet-18 at 2x2, with a
// sixteenth of the 224-pixel MACs, which keeps CPU training affordable.
// Parallel branches that downsample the same resolution (a residual block's
// shortcut) change together.
#pragma once

#include "models/network/network.h"

namespace coda::network {

struct InputAdaptation {
  Shape input;      // the dataset's [channels, height, width]
  int classes = 0;  // the dataset's classes
};

// Throws ShapeError (an InputError naming the layer) when the adapted network
// cannot be built, e.g. a pooling window larger than the new feature map.
Network adapt_input(const Network& net, const InputAdaptation& to);

// The number of stride-2 resolution levels adapt_input() removes.
int removed_downsampling_levels(int original_input, int new_input);

}  // namespace coda::network
