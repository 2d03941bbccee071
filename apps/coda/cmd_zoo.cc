// `coda zoo train|list|import|test`: the zoo with weights, HotNAS's hot start
// (plugins/accuracy/zoo.h).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "core/report.h"
#include "core/text.h"
#include "models/network/zoo.h"
#include "plugins/accuracy/zoo.h"

namespace coda::app {
namespace {

void print_entry(const accuracy::ZooEntry& e) {
  std::cout << fmt::format("{:<20} {:<14} {:>8.2f}%  {:>7.0f} s  {}\n", e.network, e.dataset,
                           e.accuracy * 100, e.seconds, e.source);
}

}  // namespace

void register_zoo_commands(CLI::App& app) {
  auto* zoo = app.add_subcommand("zoo", "Trained zoo networks: the hot start of HotNAS searches");
  zoo->require_subcommand(1);

  struct Args {
    std::string networks, dataset = "fashion-mnist", dir, network, checkpoint, json;
    accuracy::ZooBudget budget;
    bool force = false, partial = false;
    long long test_subset = 0;
  };
  auto a = std::make_shared<Args>();
  auto dir_option = [a](CLI::App* c) {
    c->add_option("--zoo", a->dir,
                  "zoo directory (default $CODA_CACHE_DIR/zoo or ~/.cache/coda/zoo)");
  };
  auto dataset_option = [a](CLI::App* c) {
    c->add_option("--dataset", a->dataset, "fashion-mnist[:DIR] | cifar10:PATH")
        ->capture_default_str();
  };

  auto* train = zoo->add_subcommand("train", "Train zoo networks once and keep their weights");
  train->add_option("--networks", a->networks, "comma-separated zoo names or network files")
      ->required();
  dataset_option(train);
  train->add_option("--epochs", a->budget.epochs, "training epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  train->add_option("--subset", a->budget.subset, "training images (0: all)")
      ->capture_default_str()
      ->check(CLI::Range(0LL, 1LL << 40));
  train->add_option("--seed", a->budget.seed, "seed")->capture_default_str();
  train->add_option("--threads", a->budget.threads, "LibTorch threads (0: all cores)")
      ->capture_default_str();
  train->add_flag("--force", a->force, "train again even when the zoo has the network");
  dir_option(train);
  train->callback([a] {
    const auto spec = accuracy::parse_dataset(a->dataset, {"--dataset", 0, 0});
    for (const auto& name : split(a->networks, ',')) {
      const network::Network net = network::load_network(trim(name));
      std::cerr << "training " << net.name() << " on " << spec.str() << "...\n";
      print_entry(accuracy::zoo_train(net, spec, a->budget, a->dir, a->force));
    }
  });

  auto* list = zoo->add_subcommand("list", "The zoo's networks, accuracies and sources");
  dir_option(list);
  list->add_option("--json", a->json, "write the entries as JSON (- for stdout)");
  list->callback([a] {
    const auto entries = accuracy::zoo_list(a->dir);
    if (!a->json.empty()) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& e : entries) j.push_back(e.to_json());
      write_json(j, a->json);
      return;
    }
    std::cout << fmt::format("{:<20} {:<14} {:>9}  {:>9}  {}\n", "network", "dataset", "accuracy",
                             "time", "source");
    for (const auto& e : entries) print_entry(e);
    if (entries.empty()) std::cout << "(empty: coda zoo train --networks ...)\n";
  });

  auto* import = zoo->add_subcommand(
      "import", "Make a checkpoint of a zoo network (weights trained elsewhere) its hot start");
  import->add_option("network", a->network, "zoo name or network file")->required();
  import->add_option("checkpoint", a->checkpoint, "weights (coda's checkpoint format)")->required();
  dataset_option(import);
  import->add_flag("--partial", a->partial,
                   "load the tensors that fit, initialise the rest (another input or classes)");
  dir_option(import);
  import->callback([a] {
    const auto spec = accuracy::parse_dataset(a->dataset, {"--dataset", 0, 0});
  print_entry(accuracy::zoo_import(network::load_network(a->network), a->checkpoint, spec, a->dir,
                                   a->partial));
});

auto* test = zoo->add_subcommand(
    "test", "Test accuracy of a (compressed) network with a checkpoint, e.g. a HotNAS winner");
test->add_option("--network", a->network, "network file (winner.yaml) or zoo name")->required();
test->add_option("--checkpoint", a->checkpoint, "weights (winner.pt)")->required();
dataset_option(test);
test->add_option("--test-subset", a->test_subset, "test images (0: all)")->capture_default_str();
test->callback([a] {
  const auto spec = accuracy::parse_dataset(a->dataset, {"--dataset", 0, 0});
  const double acc = accuracy::checkpoint_accuracy(network::load_network(a->network), a->checkpoint,
                                                   spec, a->test_subset);
  std::cout << fmt::format("accuracy {:.4f} ({:.2f}%)\n", acc, acc * 100);
});
}  // namespace coda::app

}  // namespace coda::app
