// The `table` evaluator, the trainer's budget and the option declarations
// the builtin evaluators share.
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/text.h"
#include "models/network/yaml_io.h"
#include "plugins/accuracy/evaluators.h"

namespace coda::accuracy {

OptionDecl dataset_option(const std::string& def) {
  return OptionDecl::text("dataset", def,
                          "fashion-mnist[:DIR] | cifar10:PATH (the binary version's directory) | "
                          "imagenet (table only)");
}

OptionDecl seed_option() {
  return OptionDecl::integer("seed", 1, 0, 9007199254740991LL,
                             "seed of the initialisation, the image order and the scored batch");
}

OptionDecl threads_option() {
  return OptionDecl::integer("threads", 0, 0, 1024, "LibTorch threads (0: all cores)");
}

OptionDecl cache_option() {
  return OptionDecl::path("cache", "",
                          "result cache directory (\"\": $CODA_CACHE_DIR/accuracy or "
                          "~/.cache/coda/accuracy; -: none)");
}

OptionDecls sgd_options(long long batch, double lr) {
  return {
      OptionDecl::integer("batch", batch, 2, 65536, "batch size"),
      OptionDecl::number("lr", lr, 1e-6, 10, "peak SGD learning rate"),
      OptionDecl::choice("schedule", "cosine", {"cosine", "constant"}, "learning-rate schedule"),
      OptionDecl::number("momentum", 0.9, 0, 0.999, "SGD momentum (Nesterov when > 0)"),
      OptionDecl::number("weight_decay", 5e-4, 0, 1, "SGD weight decay"),
  };
}

const OptionDecls& train_options() {
  static const OptionDecls decls = [] {
    OptionDecls d = {
        dataset_option("fashion-mnist"),
        OptionDecl::integer("epochs", 1, 1, 10000, "training epochs"),
        OptionDecl::integer("subset", 0, 0, 1LL << 40, "training images used (0: all)"),
        OptionDecl::integer("test_subset", 0, 0, 1LL << 40, "test images used (0: all)"),
    };
    for (auto& o : sgd_options(128, 0.05)) d.push_back(o);
    const OptionDecls rest = {
        threads_option(),
        seed_option(),
        OptionDecl::path("checkpoint", "",
                         "fine-tune from these weights (written by save_checkpoint)"),
        OptionDecl::integer(
            "beta", 0, 0, 1LL << 40,
            "fine-tune for this many batches instead of whole epochs (HotNAS beta)"),
        OptionDecl::flag("partial_checkpoint", false,
                         "load only the checkpoint's tensors that fit the network; the rest keep "
                         "their initialisation (fine-tuning Zeng et al.'s base networks)"),
        OptionDecl::path("save_checkpoint", "", "write the trained weights here"),
        OptionDecl::integer("bn_images", 2000, 0, 1LL << 40,
                            "training images that recompute the batch-norm statistics before "
                            "testing (\"precise BN\"; 0: keep the running averages)"),
        OptionDecl::choice("augment", "none", {"none", "flip", "shift", "rotate", "all"},
                           "training-set augmentation: random horizontal flips, shifts of up to "
                           "1/8 of the image, rotations of up to 15 degrees, or all three (Lu et "
                           "al. §4)"),
        OptionDecl::choice("resolution", "dataset", {"dataset", "network"},
                           "dataset: the network adapts to the images' size (see README, input "
                           "adaptation); network: the images are padded to the network's input "
                           "size, which keeps its resolution (Lu et al.'s 32x32 networks on "
                           "28x28 Fashion-MNIST)"),
        cache_option(),
    };
    d.insert(d.end(), rest.begin(), rest.end());
    return d;
  }();
  return decls;
}

Budget Budget::from(const Options& o) {
  Budget b;
  auto integer = [&](const char* name) { return o.declares(name) ? o.integer(name) : 0LL; };
  b.epochs = static_cast<int>(integer("epochs"));
  b.subset = integer("subset");
  b.test_subset = integer("test_subset");
  b.batch = static_cast<int>(integer("batch"));
  b.lr = o.declares("lr") ? o.number("lr") : 0;
  b.schedule = o.declares("schedule") ? o.text("schedule") : "";
  b.momentum = o.declares("momentum") ? o.number("momentum") : 0;
  b.weight_decay = o.declares("weight_decay") ? o.number("weight_decay") : 0;
  b.threads = static_cast<int>(integer("threads"));
  b.seed = static_cast<unsigned long long>(integer("seed"));
  b.checkpoint = o.declares("checkpoint") ? o.text("checkpoint") : "";
  b.beta = integer("beta");
  b.partial_checkpoint = o.declares("partial_checkpoint") && o.flag("partial_checkpoint");
  b.bn_images = o.declares("bn_images") ? o.integer("bn_images") : 0;
  b.augment = o.declares("augment") ? o.text("augment") : "none";
  b.resolution = o.declares("resolution") ? o.text("resolution") : "dataset";
  return b;
}

Budget Budget::defaults() {
  return from(Options(train_options(), "accuracy evaluator train"));
}

std::string Budget::key(const std::string& checkpoint_hash) const {
  std::ostringstream s;
  s << "e" << epochs << "-n" << subset << "-t" << test_subset << "-b" << batch << "-lr" << lr << "-"
    << schedule << "-m" << momentum << "-wd" << weight_decay << "-s" << seed;
  // Keys of the default budget stay as they were before bn_images existed.
  static const long long default_bn = defaults().bn_images;
  if (bn_images != default_bn) s << "-bn" << bn_images;
  if (!augment.empty() && augment != "none") s << "-aug" << augment;
  if (resolution == "network") s << "-resnetwork";
  if (!checkpoint.empty()) {
    s << "-ft" << beta << (partial_checkpoint ? "p" : "") << "-" << checkpoint_hash;
  }
  return s.str();
}

std::string default_table_path() {
  return config_dir() + "/accuracy/published.csv";
}
std::string default_calibration_path() {
  return config_dir() + "/accuracy/zero_cost_fit.csv";
}

namespace {

// `table`: network name or hash -> published accuracy, with its source.
class TableEvaluator : public AccuracyEvaluator {
 public:
  explicit TableEvaluator(const Options& o)
      : path_(o.text("table").empty() ? default_table_path() : o.text("table")),
        dataset_(parse_dataset(o.text("dataset"), o.where("dataset")).name) {
    std::ifstream in(path_);
    if (!in) throw InputError({path_, 0, 0}, "table", "cannot open the accuracy table");
    std::string line;
    int n = 0;
    std::vector<std::string> header;
    while (std::getline(in, line)) {
      ++n;
      if (trim(line).empty() || line[0] == '#') continue;
      auto cells = csv_split(line);
      if (!cells) throw InputError({path_, n, 0}, "table", "unterminated quote");
      if (header.empty()) {
        header = *cells;
        if (header != std::vector<std::string>{"network", "dataset", "top1", "top5", "source"}) {
          throw InputError({path_, n, 1}, "table",
                           "the header must be network,dataset,top1,top5,source");
        }
        continue;
      }
      if (cells->size() != 5) {
        throw InputError({path_, n, 0}, "table",
                         "expected 5 fields (network,dataset,top1,top5,source), got " +
                             std::to_string(cells->size()));
      }
      auto top1 = parse_double((*cells)[2]);
      if (!top1 || *top1 < 0 || *top1 > 100) {
        throw InputError({path_, n, 0}, "top1",
                         "'" + (*cells)[2] + "' is not a percentage in [0, 100]");
      }
      rows_.push_back({(*cells)[0], (*cells)[1], *top1, parse_double((*cells)[3]), (*cells)[4]});
    }
  }
  std::string name() const override { return "table"; }
  Result evaluate(const network::Network& net) override {
    const std::string hash = network::network_hash(net);
    std::vector<std::string> names;
    for (const auto& r : rows_) {
      if (r.dataset != dataset_) continue;
      names.push_back(r.network);
      if (r.network == net.name() || r.network == hash) {
        Result res;
        res.accuracy = r.top1 / 100.0;
        res.evaluator = "table";
        res.dataset = dataset_;
        res.source = r.source;
        if (r.top5) res.extra["top5"] = *r.top5 / 100.0;
        res.extra["network_hash"] = hash;
        return res;
      }
    }
    auto near = nearest_names(net.name(), names);
    throw InputError({path_, 0, 0}, "network",
                     "no " + dataset_ + " accuracy for '" + net.name() + "' (hash " + hash + ")" +
                         (near.empty() ? "" : "; nearest entries: " + join(near, ", ")));
  }

 private:
  struct Row {
    std::string network, dataset;
    double top1;
    std::optional<double> top5;
    std::string source;
  };
  std::string path_;
  std::string dataset_;
  std::vector<Row> rows_;
};

}  // namespace

void register_table_evaluator() {
  evaluators().add(
      {"table",
       "published accuracies with their sources (configs/accuracy/published.csv)",
       {dataset_option("imagenet"),
        OptionDecl::path("table", "", "accuracy table CSV (\"\": configs/accuracy/published.csv)")},
       [](const Options& o) { return std::make_unique<TableEvaluator>(o); }});
}

}  // namespace coda::accuracy
