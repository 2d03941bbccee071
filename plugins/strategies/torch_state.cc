#include "plugins/strategies/torch_state.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/error.h"

namespace coda::plugins {

void save_torch_state(const std::string& path, const torch::nn::Module& model,
                      const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive a, m, o;
  for (const auto& p : model.named_parameters()) m.write(p.key(), p.value());
  optimizer.save(o);
  a.write("model", m);
  a.write("optim", o);
  const std::string tmp = path + ".tmp";
  try {
    a.save_to(tmp);
  } catch (const c10::Error&) {
    std::filesystem::remove(tmp);
    throw InputError({path, 0, 0}, "state", "cannot write the strategy state");
  }
  std::filesystem::rename(tmp, path);
}

void load_torch_state(const std::string& path, torch::nn::Module& model,
                      torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive a, m, o;
  try {
    a.load_from(path);
    a.read("model", m);
    a.read("optim", o);
    torch::NoGradGuard g;
    for (auto& p : model.named_parameters()) {
      torch::Tensor t;
      m.read(p.key(), t);
      if (!t.sizes().equals(p.value().sizes()))
        throw InputError({path, 0, 0}, "state", "shape mismatch");
      p.value().copy_(t);
    }
    optimizer.load(o);
  } catch (const c10::Error& e) {
    throw InputError({path, 0, 0}, "state",
                     std::string("cannot restore the strategy: ") + e.what_without_backtrace());
  }
}

}  // namespace coda::plugins
