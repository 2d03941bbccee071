// The epoch bookkeeping both learned cost models train with: keep the
// parameters of the best validation loss, halve the learning rate after
// every three epochs without improvement (fine steps recover the last
// percent), stop after `patience` of them. LibTorch header: include it from
// models/cost/*.cc only.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "models/cost/mlp.h"

namespace coda::cost {

class EarlyStopping {
 public:
  explicit EarlyStopping(int patience) : patience_(patience) {}
  // Records epoch `epoch`'s validation loss in `rep`; false when training
  // should stop.
  bool next(int epoch, double val_loss, torch::nn::Module& net, torch::optim::Optimizer& opt,
            TrainReport& rep) {
    rep.epochs_run = epoch;
    if (val_loss < rep.best_val_loss) {
      rep.best_val_loss = val_loss;
      rep.best_epoch = epoch;
      best_.clear();
      for (const auto& p : net.parameters()) best_.push_back(p.detach().clone());
      since_best_ = 0;
      return true;
    }
    if (++since_best_ >= patience_) return false;
    if (since_best_ % 3 == 0) {
      for (auto& g : opt.param_groups()) {
        auto& ao = static_cast<torch::optim::AdamOptions&>(g.options());
        ao.lr(ao.lr() * 0.5);
      }
    }
    return true;
  }
  // Puts the best epoch's parameters back.
  void restore(torch::nn::Module& net) const {
    torch::NoGradGuard no_grad;
    auto params = net.parameters();
    for (std::size_t i = 0; i < params.size() && i < best_.size(); ++i) params[i].copy_(best_[i]);
  }

 private:
  int patience_;
  int since_best_ = 0;
  std::vector<torch::Tensor> best_;
};

}  // namespace coda::cost
