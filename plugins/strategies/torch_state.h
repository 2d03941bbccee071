// Saving and restoring a LibTorch strategy's parameters and optimizer state
// (the LSTM controllers, tunas, dnas), atomically, with errors that name the
// file. The torch types are only declared here: LibTorch headers stay in the
// strategies' sources.
#pragma once

#include <string>

namespace torch {
namespace nn {
class Module;
}
namespace optim {
class Optimizer;
}
}  // namespace torch

namespace coda::plugins {

void save_torch_state(const std::string& path, const torch::nn::Module& model,
                      const torch::optim::Optimizer& optimizer);
// Throws InputError naming `path` when it does not fit `model`.
void load_torch_state(const std::string& path, torch::nn::Module& model,
                      torch::optim::Optimizer& optimizer);

}  // namespace coda::plugins
