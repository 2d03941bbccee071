// `coda train` and `coda validate`: the learned cost model and how far any
// cost model is from simulation.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "models/cost/mlp.h"
#include "models/cost/validate.h"

namespace coda::app {

void register_cost_commands(CLI::App& app) {
  // coda train
  struct TrainArgs {
    std::string data, out;
    cost::TrainOptions opts;
  };
  auto t = std::make_shared<TrainArgs>();
  auto* train = app.add_subcommand("train", "Train the MLP cost model on a dataset");
  train->add_option("--data", t->data, "dataset directory (coda dataset)")->required();
  train->add_option("--out", t->out, "TorchScript model file (metadata beside it as .json)")
      ->required();
  train->add_option("--hidden", t->opts.hidden, "hidden width")
      ->capture_default_str()
      ->check(CLI::Range(4, 4096));
  train->add_option("--layers", t->opts.layers, "trunk layers")
      ->capture_default_str()
      ->check(CLI::Range(1, 8));
  train->add_option("--dropout", t->opts.dropout, "dropout")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.9));
  train->add_option("--batch", t->opts.batch, "batch size")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  train->add_option("--lr", t->opts.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 1.0));
  train->add_option("--lambda", t->opts.lambda, "weight of latency/energy vs area (NAHAS eq. 7)")
      ->capture_default_str();
  train->add_option("--epochs", t->opts.epochs, "maximum epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  train->add_option("--patience", t->opts.patience, "early-stopping patience (epochs)")
      ->capture_default_str();
  train->add_option("--seed", t->opts.seed, "seed (split, init, batches)")->capture_default_str();
  train->add_option("--threads", t->opts.threads, "CPU threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  train->callback([t] {
    t->opts.out = t->out;
    t->opts.log = [](const std::string& line) { std::cerr << line << "\n"; };
    const auto rep = cost::train_mlp_on_dataset(t->data, t->opts);
    std::cout << fmt::format(
        "train: best epoch {} of {}, validation loss {:.5f}, {} train / {} validation samples, "
        "{:.1f} s -> {}\n",
        rep.best_epoch, rep.epochs_run, rep.best_val_loss, rep.train_samples, rep.val_samples,
        rep.seconds, t->out);
  });

  // coda validate
  auto v = std::make_shared<cost::ValidationJob>();
  auto* val =
      app.add_subcommand("validate", "Compare a cost model with simulation on fresh samples");
  val->add_option("--cost-model", v->cost_model, "mlp:<model.pt>, analytical or simulator")
      ->required();
  val->add_option("--arch", v->arch, "accelerator family")->required();
  val->add_option("--space", v->space, "joint space YAML")->required();
  val->add_option("--samples", v->samples, "fresh samples")
      ->capture_default_str()
      ->check(CLI::Range(2LL, 10000000LL));
  val->add_option("--out", v->out, "output directory")->required();
  val->add_option("--split", v->split,
                  "random: the joint space; leave-family-out: zoo families outside it")
      ->check(CLI::IsMember({"random", "leave-family-out"}))
      ->capture_default_str();
  val->add_option("--seed", v->seed, "sampling seed (keep it apart from the training data's)")
      ->capture_default_str();
  val->callback([v] { cost::validate_cost_model(*v); });
}

}  // namespace coda::app
