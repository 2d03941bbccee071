// `coda train` and `coda validate`: the learned cost model and how far any
// cost model is from simulation.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "core/report.h"
#include "models/cost/cost_model.h"
#include "models/cost/layer_model.h"
#include "models/cost/lut.h"
#include "models/cost/mlp.h"
#include "models/cost/validate.h"

namespace coda::app {

void register_cost_commands(CLI::App& app) {
  // coda predict
  auto p = std::make_shared<cost::PredictJob>();
  auto p_json = std::make_shared<std::string>();
  auto* predict =
      app.add_subcommand("predict", "A cost model's latency, energy and area for networks");
  predict
      ->add_option("--cost-model", p->cost_model,
                   "mlp[:FILE] | mlp-layer[:FILE] | simulator | analytical | ...")
      ->required();
  predict->add_option("--arch", p->arch, "accelerator family")->required();
  predict
      ->add_option("--network", p->networks,
                   "zoo name[:key=value,...], network .yaml or model .onnx (repeatable)")
      ->required();
  predict->add_option("--hw", p->hw, "hardware config YAML (defaults to the family's baseline)");
  predict->add_option("--set", p->overrides, "override a hardware field: field=value (repeatable)");
  predict->add_option("--json", *p_json, "write JSON to FILE ('-' = stdout)");
  predict->callback([p, p_json] {
    const nlohmann::json rows = cost::run_predict(*p);
    if (!p_json->empty()) write_json(rows, *p_json);
    if (*p_json == "-") return;
    std::cout << fmt::format("{:<32} {:>12} {:>12} {:>10} {:>8}\n", "network", "latency_ms",
                             "energy_mj", "area_mm2", "sigma");
    for (const auto& r : rows) {
      if (!r["feasible"].get<bool>()) {
        std::cout << fmt::format("{:<32} INFEASIBLE: {}\n", r["network"].get<std::string>(),
                                 r["reason"].get<std::string>());
        continue;
      }
      std::cout << fmt::format("{:<32} {:>12.4f} {:>12.4f} {:>10.3f} {:>8.3f}\n",
                               r["network"].get<std::string>(), r["latency_ms"].get<double>(),
                               r["energy_mj"].get<double>(), r["area_mm2"].get<double>(),
                               r["latency_sigma"].get<double>());
    }
  });

  // coda train
  struct TrainArgs {
    std::string data, out, model = "mlp", features = "shapes+twin";
    cost::TrainOptions opts;
    cost::LayerTrainOptions layer;
  };
  auto t = std::make_shared<TrainArgs>();
  auto* train = app.add_subcommand("train", "Train a learned cost model on a dataset");
  train
      ->add_option("--model", t->model,
                   "mlp: the whole-network MLP; mlp-layer: the layer-level ensemble (uses the "
                   "dataset's per-layer latencies)")
      ->check(CLI::IsMember({"mlp", "mlp-layer"}))
      ->capture_default_str();
  train
      ->add_option("--members", t->layer.members,
                   "mlp-layer: ensemble members (their spread is the uncertainty)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  train
      ->add_option("--features", t->features,
                   "mlp-layer: what a layer row holds: its shapes and the hardware knobs, plus "
                   "(shapes+twin) the analytical twin's estimate of the layer")
      ->check(CLI::IsMember({"shapes", "shapes+twin"}))
      ->capture_default_str();
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
  train->callback([t, train] {
    t->opts.out = t->out;
    t->opts.log = [](const std::string& line) { std::cerr << line << "\n"; };
    if (t->model == "mlp-layer") {
      // The layer model keeps its own defaults; options given override them.
      for (const char* only : {"--dropout", "--lambda"}) {
        if (train->count(only)) {
          throw InputError({only, 0, 0}, only,
                           "applies to --model mlp only (mlp-layer has no dropout and weighs "
                           "every target by its spread)");
        }
      }
      cost::LayerTrainOptions& l = t->layer;
      if (train->count("--hidden")) l.hidden = t->opts.hidden;
      if (train->count("--layers")) l.layers = t->opts.layers;
      if (train->count("--batch")) l.batch = t->opts.batch;
      if (train->count("--lr")) l.lr = t->opts.lr;
      if (train->count("--epochs")) l.epochs = t->opts.epochs;
      if (train->count("--patience")) l.patience = t->opts.patience;
      l.seed = t->opts.seed;
      if (train->count("--threads")) l.threads = t->opts.threads;
      l.out = t->out;
      l.log = t->opts.log;
      const auto rep = cost::train_layer_model(
          cost::load_layer_train_data(t->data, t->features == "shapes+twin"), l);
      std::cout << fmt::format(
          "train: mlp-layer, {} members, best epoch {} of {}, validation loss {:.5f}, "
          "validation latency within 10% {:.1f}%, calibration scale {:.2f}, {} train / {} "
          "validation samples, {:.1f} s -> {}\n",
          l.members, rep.best_epoch, rep.epochs_run, rep.best_val_loss,
          100 * rep.val_latency_within_10pct, rep.calibration_scale, rep.train_samples,
          rep.val_samples, rep.seconds, t->out);
      return;
    }
    for (const char* only : {"--members", "--features"}) {
      if (train->count(only))
        throw InputError({only, 0, 0}, only, "applies to --model mlp-layer only");
    }
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
  val->add_option("--hw", v->hw,
                  "a hardware config: --space is then a NAS space (a name or a file) on it");
  val->add_option("--cost-model-option", v->options,
                  "an option of the cost model, key=value (repeatable; `coda extensions \"cost "
                  "model\"` lists them)");
  val->callback([v] { cost::validate_cost_model(*v); });

  // coda lut build
  auto l = std::make_shared<cost::LutBuildJob>();
  auto* lut = app.add_subcommand("lut", "Latency look-up tables (Zeng et al. §III-C)");
  lut->require_subcommand(1);
  auto* build = lut->add_subcommand(
      "build", "Measure a NAS space's blocks on an accelerator: plain and corrected tables");
  build->add_option("--arch", l->arch, "accelerator family (the black box)")->required();
  build->add_option("--hw", l->hw, "hardware config YAML (default: the family's defaults)");
  build->add_option("--space", l->space, "a registered NAS space or a NAS-space file")->required();
  build->add_option("--out", l->out, "the table (JSON)")->required();
  build->add_option("--input", l->input, "input resolution (default: the space's)");
  build->add_option("--classes", l->classes, "classes (default: the space's)");
  build->add_option("--specified", l->specified,
                    "the specified network of eq. 7: this block label at every layer (default: "
                    "each layer's first choice)");
  build->add_option("--cost-model", l->cost_model, "what measures: simulator or analytical")
      ->capture_default_str();
  build->add_option("--workers", l->workers, "worker processes")->check(CLI::Range(1, 256));
  build->callback([l] {
    const auto s = cost::build_lut(*l);
    std::cout << fmt::format(
        "lut: {} ({} layers, {} block kinds): {} networks measured on {} in {:.1f} s -> {}\n",
        s["space"].get<std::string>(), s["layers"].get<int>(), s["block_kinds"].get<int>(),
        s["measured"].get<long long>(), l->arch, s["seconds"].get<double>(), l->out);
  });
}

}  // namespace coda::app
