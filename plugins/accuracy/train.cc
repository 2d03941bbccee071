#include <malloc.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numeric>
#include <random>

#include "core/error.h"
#include "core/files.h"
#include "models/network/adapt.h"
#include "models/network/yaml_io.h"
#include "plugins/accuracy/evaluators.h"
#include "plugins/accuracy/trainer.h"

namespace coda::accuracy {
namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
}  // namespace

// glibc hands large blocks (every activation tensor) back to the kernel on
// free and faults them in again on the next batch; keeping them in the heap
// makes training 1.5-3x faster on this machine (bench/RESULTS.md).
void keep_freed_memory() {
  static const bool once = [] {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 256 << 20);
    return true;
  }();
  (void)once;
}

network::Network adapt_to(const network::Network& net, const Dataset& d) {
  return network::adapt_input(net, {d.shape(), d.train.classes});
}

double test_accuracy(TorchNet& net, const ImageSet& set, long long limit) {
  torch::NoGradGuard g;
  net.eval();
  const std::int64_t n =
      limit > 0 ? std::min<std::int64_t>(limit, set.images.size(0)) : set.images.size(0);
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < n; i += 200) {
    const auto e = std::min<std::int64_t>(n, i + 200);
    auto logits = net.forward(set.images.slice(0, i, e));
    correct += (logits.argmax(1) == set.labels.slice(0, i, e)).sum().item<std::int64_t>();
  }
  return n ? static_cast<double>(correct) / n : 0.0;
}

namespace {

// "Precise BN": with a proxy budget of a few dozen steps the running
// statistics (momentum 0.1) are far from the trained weights' statistics,
// and eval mode scores chance. Recompute them as a plain average over up to
// `bn_images` training images (2,000 by default) before testing.
void recalibrate_batch_norm(TorchNet& net, const ImageSet& train,
                            const std::vector<std::int64_t>& order, int batch, long long images) {
  std::vector<torch::nn::BatchNorm2dImpl*> bns;
  for (auto& m : net.modules(false)) {
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) bns.push_back(bn);
  }
  if (bns.empty()) return;
  for (auto* bn : bns) {
    bn->reset_running_stats();
    bn->options.momentum(c10::nullopt);  // cumulative average
  }
  torch::NoGradGuard g;
  net.train();
  const auto n = std::min<std::int64_t>(images, static_cast<std::int64_t>(order.size()));
  for (std::int64_t i = 0; i < n; i += batch) {
    std::vector<std::int64_t> idx(order.begin() + i,
                                  order.begin() + std::min<std::int64_t>(n, i + batch));
    net.forward(train.images.index_select(
        0, torch::from_blob(idx.data(), {static_cast<std::int64_t>(idx.size())}, torch::kLong)));
  }
  for (auto* bn : bns) bn->options.momentum(0.1);
}

}  // namespace

torch::Tensor augment_batch(const torch::Tensor& x, const std::string& kind, std::mt19937_64& rng) {
  if (kind == "none") return x;
  const bool flip = kind == "flip" || kind == "all";
  const bool shift = kind == "shift" || kind == "all";
  const bool rotate = kind == "rotate" || kind == "all";
  const std::int64_t n = x.size(0);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  torch::Tensor out = x;
  if (shift || rotate) {
    std::vector<float> theta(static_cast<std::size_t>(n) * 6);
    for (std::int64_t i = 0; i < n; ++i) {
      const float a = rotate ? u(rng) * static_cast<float>(M_PI / 12) : 0.0f;
      // affine_grid works in [-1, 1]: 1/8 of the image is 0.25.
      const float tx = shift ? u(rng) * 0.25f : 0.0f, ty = shift ? u(rng) * 0.25f : 0.0f;
      float* t = &theta[static_cast<std::size_t>(i) * 6];
      t[0] = std::cos(a), t[1] = -std::sin(a), t[2] = tx;
      t[3] = std::sin(a), t[4] = std::cos(a), t[5] = ty;
    }
    const auto th = torch::from_blob(theta.data(), {n, 2, 3}, torch::kFloat).clone();
    const auto grid = torch::nn::functional::affine_grid(th, x.sizes().vec(), false);
    out = torch::nn::functional::grid_sample(out, grid,
                                             torch::nn::functional::GridSampleFuncOptions()
                                                 .mode(torch::kBilinear)
                                                 .padding_mode(torch::kZeros)
                                                 .align_corners(false));
  }
  if (flip) {
    std::vector<std::uint8_t> mask(static_cast<std::size_t>(n));
    std::bernoulli_distribution coin(0.5);
    for (auto& m : mask) m = coin(rng) ? 1 : 0;
    const auto m =
        torch::from_blob(mask.data(), {n, 1, 1, 1}, torch::kUInt8).clone().to(torch::kBool);
    out = torch::where(m, out.flip({3}), out);
  }
  return out;
}

TrainReport train_and_test(TorchNet& net, const Dataset& d, const Budget& b) {
  keep_freed_memory();
  const auto start = Clock::now();
  if (b.threads > 0) torch::set_num_threads(b.threads);
  TrainReport rep;
  const std::int64_t total = d.train.images.size(0);
  std::vector<std::int64_t> order(static_cast<std::size_t>(total));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(b.seed);
  std::shuffle(order.begin(), order.end(), rng);
  if (b.subset > 0 && b.subset < total) order.resize(static_cast<std::size_t>(b.subset));
  rep.train_images = static_cast<long long>(order.size());

  const long long per_epoch = (rep.train_images + b.batch - 1) / b.batch;
  const long long steps = b.beta > 0 ? b.beta : per_epoch * b.epochs;
  torch::optim::SGD opt(net.parameters(), torch::optim::SGDOptions(b.lr)
                                              .momentum(b.momentum)
                                              .weight_decay(b.weight_decay)
                                              .nesterov(b.momentum > 0));
  net.train();
  long long step = 0;
  while (step < steps) {
    const auto epoch_start = Clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    auto idx =
        torch::from_blob(order.data(), {static_cast<std::int64_t>(order.size())}, torch::kLong);
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(order.size()) && step < steps;
         i += b.batch, ++step) {
      const double lr = b.schedule == "cosine"
                            ? 0.5 * b.lr * (1 + std::cos(M_PI * static_cast<double>(step) / steps))
                            : b.lr;
      for (auto& group : opt.param_groups()) {
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      }
      auto batch_idx = idx.slice(0, i, std::min<std::int64_t>(i + b.batch, idx.size(0)));
      auto x = augment_batch(d.train.images.index_select(0, batch_idx), b.augment, rng);
      auto y = d.train.labels.index_select(0, batch_idx);
      opt.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(net.forward(x), y);
      loss.backward();
      opt.step();
      net.apply_masks();
      rep.last_loss = loss.item<double>();
      if (!std::isfinite(rep.last_loss)) break;
    }
    rep.epoch_seconds.push_back(since(epoch_start));
    if (!std::isfinite(rep.last_loss)) break;
  }
  rep.steps = step;
  if (std::isfinite(rep.last_loss) && b.bn_images > 0) {
    recalibrate_batch_norm(net, d.train, order, b.batch, b.bn_images);
  }
  rep.test_images = b.test_subset > 0 ? std::min<long long>(b.test_subset, d.test.images.size(0))
                                      : d.test.images.size(0);
  // A diverged run scores as chance, not as a crash.
  rep.accuracy = std::isfinite(rep.last_loss) ? test_accuracy(net, d.test, b.test_subset)
                                              : 1.0 / d.test.classes;
  rep.seconds = since(start);
  return rep;
}

void save_checkpoint(torch::nn::Module& net, const std::string& path) {
  // A flat archive: one entry per parameter and buffer, by dotted name.
  torch::serialize::OutputArchive a;
  for (const auto& p : net.named_parameters()) a.write(p.key(), p.value(), false);
  for (const auto& b : net.named_buffers()) a.write(b.key(), b.value(), true);
  // Whole or not at all: a temporary file beside it, then a rename.
  const std::string tmp = path + ".tmp";
  try {
    a.save_to(tmp);
  } catch (const c10::Error& e) {
    std::remove(tmp.c_str());
    throw InputError({path, 0, 0}, "checkpoint", "cannot write the checkpoint");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError({path, 0, 0}, "checkpoint",
                     std::string("cannot write the checkpoint: ") + std::strerror(errno));
  }
}

void save_checkpoint(TorchNet& net, const std::string& path) {
  save_checkpoint(static_cast<torch::nn::Module&>(net), path);
}

void load_checkpoint(TorchNet& net, const std::string& path, bool partial) {
  load_checkpoint(net, path, partial, "network '" + net.ir().name() + "'");
}

void load_checkpoint(torch::nn::Module& net, const std::string& path, bool partial,
                     const std::string& what_net) {
  // Module::load would swap tensors of any shape in; read each entry and
  // check it against the network first.
  torch::serialize::InputArchive a;
  auto fail = [&](const std::string& what) {
    throw InputError({path, 0, 0}, "checkpoint", "cannot load into " + what_net + ": " + what);
  };
  try {
    a.load_from(path);
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    fail(what.substr(0, what.find('\n')));
  }
  torch::NoGradGuard g;
  // Partial: a tensor missing from the file, or of another shape, keeps its
  // initialisation (a base network differs from its specified network in a
  // layer or two).
  auto load = [&](const std::string& name, torch::Tensor& t, bool buffer) {
    torch::Tensor in;
    try {
      a.read(name, in, buffer);
    } catch (const c10::Error&) {
      if (partial) return;
      fail("it has no '" + name + "'");
    }
    if (!in.sizes().equals(t.sizes())) {
      if (partial) return;
      fail("'" + name + "' is " + c10::str(in.sizes()) + " there but " + c10::str(t.sizes()) +
           " here");
    }
    t.copy_(in);
  };
  for (auto& p : net.named_parameters()) load(p.key(), p.value(), false);
  for (auto& b : net.named_buffers()) load(b.key(), b.value(), true);
}

namespace {

class TrainEvaluator : public AccuracyEvaluator {
 public:
  explicit TrainEvaluator(const Options& o)
      : dataset_(parse_dataset(o.text("dataset"), o.where("dataset"))),
        budget_(Budget::from(o)),
        save_checkpoint_(o.text("save_checkpoint")),
        cache_(o.text("cache")) {
    // Results fine-tuned from a checkpoint are cached by its content.
    if (!budget_.checkpoint.empty()) {
      std::ifstream in(budget_.checkpoint, std::ios::binary);
      if (!in) {
        throw InputError({budget_.checkpoint, 0, 0}, "checkpoint", "cannot open the checkpoint");
      }
      const std::string bytes((std::istreambuf_iterator<char>(in)), {});
      char hex[17];
      std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
      checkpoint_hash_ = hex;
    }
    if (dataset_.name == "imagenet") {
      throw InputError(o.where("dataset"), "dataset",
                       "coda cannot train on ImageNet on a CPU; use the table evaluator for "
                       "published ImageNet accuracies, or fashion-mnist / cifar10:PATH");
    }
  }
  std::string name() const override { return "train"; }

  Result evaluate(const network::Network& net) override {
    const std::string hash = network::network_hash(net);
    const std::string key = hash + "-train-" + dataset_.name + "-" + budget_.key(checkpoint_hash_);
    if (save_checkpoint_.empty()) {
      if (auto hit = cache_.get(key)) return *hit;
    }
    const Dataset& loaded = load_dataset(dataset_);
    const network::Shape in = net.input_shape();
    const Dataset& d =
        budget_.resolution == "network" ? padded_dataset(loaded, in.h, in.w) : loaded;
    const network::Network adapted = adapt_to(net, d);
    torch::manual_seed(budget_.seed);
    TorchNet model(adapted);
    init_weights(model);
    if (!budget_.checkpoint.empty()) {
      load_checkpoint(model, budget_.checkpoint, budget_.partial_checkpoint);
    }
    const TrainReport rep = train_and_test(model, d, budget_);
    if (!save_checkpoint_.empty()) save_checkpoint(model, save_checkpoint_);

    Result r;
    r.accuracy = rep.accuracy;
    r.evaluator = "train";
    r.dataset = dataset_.name;
    r.epochs = budget_.beta > 0 ? 0 : budget_.epochs;
    r.seconds = rep.seconds;
    r.extra = {{"network_hash", hash},
               {"train_images", rep.train_images},
               {"test_images", rep.test_images},
               {"steps", rep.steps},
               {"seconds_per_epoch", rep.epoch_seconds},
               {"final_loss", rep.last_loss},
               {"params", model.effective_params()},
               {"seed", budget_.seed}};
    if (budget_.beta > 0) r.extra["beta"] = budget_.beta;
    cache_.put(key, r);
    return r;
  }

 private:
  DatasetSpec dataset_;
  Budget budget_;
  std::string save_checkpoint_;
  std::string checkpoint_hash_;
  ResultCache cache_;
};

}  // namespace

void register_train_evaluator() {
  evaluators().add({"train",
                    "trains on Fashion-MNIST or CIFAR-10 with a proxy budget, or fine-tunes from a "
                    "checkpoint for beta batches",
                    train_options(),
                    [](const Options& o) { return std::make_unique<TrainEvaluator>(o); }});
}

}  // namespace coda::accuracy
