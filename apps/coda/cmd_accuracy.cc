// `coda accuracy`: one accuracy signal for one network, from a real training
// run (train), a zero-cost proxy at initialisation (zero-cost) or published
// numbers (table).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "apps/coda/report.h"
#include "models/network/zoo.h"
#include "plugins/accuracy/accuracy.h"

namespace coda::app {

void register_accuracy_command(CLI::App& app) {
  struct Args {
    std::string network, evaluator = "train", dataset, json;
    bool no_cache = false;
    accuracy::Options o;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("accuracy", "Accuracy of a network: train, zero-cost or table");
  cmd->add_option("--network", a->network, "zoo name[:options] or network YAML")->required();
  cmd->add_option("--evaluator", a->evaluator, "train | zero-cost | table")->capture_default_str();
  cmd->add_option("--dataset", a->dataset,
                  "fashion-mnist[:DIR] | cifar10:PATH | imagenet (table); default fashion-mnist, "
                  "imagenet for table");
  cmd->add_option("--epochs", a->o.budget.epochs, "training epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--subset", a->o.budget.subset, "training images used (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--test-subset", a->o.budget.test_subset, "test images used (0: all)")
      ->check(CLI::NonNegativeNumber);
  auto* batch = cmd->add_option("--batch", a->o.budget.batch,
                                "batch size (default 128; zero-cost: the scored batch, default 64, "
                                "the batch of the shipped fit)")
                    ->check(CLI::Range(2, 65536));
  cmd->add_option("--lr", a->o.budget.lr, "peak SGD learning rate")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 10.0));
  cmd->add_option("--schedule", a->o.budget.schedule, "learning-rate schedule")
      ->capture_default_str()
      ->check(CLI::IsMember({"cosine", "constant"}));
  cmd->add_option("--threads", a->o.budget.threads, "LibTorch threads (0: all cores)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--seed", a->o.budget.seed, "seed (initialisation, order, batch)")
      ->capture_default_str();
  cmd->add_option("--checkpoint", a->o.budget.checkpoint,
                  "fine-tune from these weights (written by --save-checkpoint)");
  cmd->add_option("--beta", a->o.budget.beta, "fine-tune for this many batches (HotNAS beta)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--save-checkpoint", a->o.save_checkpoint, "write the trained weights here");
  cmd->add_option("--proxy", a->o.proxy, "zero-cost proxy: naswot | synflow")
      ->capture_default_str();
  cmd->add_option("--table", a->o.table, "accuracy table CSV (default configs/accuracy/published.csv)");
  cmd->add_option("--calibration", a->o.calibration,
                  "zero-cost fit CSV (default configs/accuracy/zero_cost_fit.csv)");
  cmd->add_option("--cache", a->o.cache_dir, "result cache directory (default ~/.cache/coda)");
  cmd->add_flag("--no-cache", a->no_cache, "neither read nor write the result cache");
  cmd->add_option("--json", a->json, "write the result as JSON (- for stdout)");
  cmd->callback([a, batch] {
    accuracy::register_accuracy_evaluators();
    if (a->evaluator == "zero-cost" && batch->count() == 0) {
      a->o.budget.batch = accuracy::kZeroCostBatch;
    }
    if (!a->dataset.empty()) a->o.dataset = accuracy::parse_dataset(a->dataset);
    if (a->no_cache) a->o.cache_dir = "-";
    const network::Network net = network::load_network(a->network);
    auto ev = accuracy::make_evaluator(a->evaluator, a->o);
    const accuracy::Result r = ev->evaluate(net);
    nlohmann::json j = r.to_json();
    j["network"] = net.name();
    if (!a->json.empty()) write_json(j, a->json);
    if (a->json != "-") {
      std::cout << fmt::format("{:<12} {}\n{:<12} {}\n{:<12} {}\n{:<12} {:.2f}%\n", "network",
                               net.name(), "evaluator", r.evaluator, "dataset", r.dataset,
                               "accuracy", 100 * r.accuracy);
      if (r.score) std::cout << fmt::format("{:<12} {:.6g}\n", "score", *r.score);
      if (!r.source.empty()) std::cout << fmt::format("{:<12} {}\n", "source", r.source);
      if (r.evaluator == "train") {
        std::cout << fmt::format("{:<12} {} ({} images, {} test)\n", "epochs", r.epochs,
                                 r.extra.value("train_images", 0LL),
                                 r.extra.value("test_images", 0LL));
      }
      std::cout << fmt::format("{:<12} {:.2f}{}\n", "seconds", r.seconds,
                               r.cached ? " (cached)" : "");
    }
  });
}

}  // namespace coda::app
