// Accuracy evaluators: the IR -> LibTorch builder against the IR's counts,
// the transforms against their closed forms (Lu eq. 1-2, HotNAS Theorem 1),
// datasets in their real formats, and the evaluators end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "models/network/adapt.h"
#include "models/network/yaml_io.h"
#include "models/network/zoo.h"
#include "models/space/nas_space.h"
#include "plugins/accuracy/datasets.h"
#include "plugins/accuracy/evaluators.h"
#include "plugins/accuracy/supernet.h"
#include "plugins/accuracy/trainer.h"
#include "plugins/accuracy/transforms.h"
#include "plugins/accuracy/zero_cost.h"
#include "tests/util/cli.h"
#include "tests/util/errors.h"

namespace coda::accuracy {
namespace {

using network::Network;
using test::input_error_of;

std::int64_t torch_params(TorchNet& m) {
  std::int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

TEST(TorchNet, EveryZooNetworkHasTheIrParameterCount) {
  torch::NoGradGuard g;
  for (const auto& name : network::zoo_names()) {
    const Network net = network::build_zoo(name);
    TorchNet m(net);
    EXPECT_EQ(torch_params(m), net.params()) << name;
  }
}

TEST(TorchNet, AdaptedZooNetworksRunOnSmallImages) {
  torch::NoGradGuard g;
  torch::manual_seed(0);
  for (const auto& name : network::zoo_names()) {
    if (name == "inception_v3") {
      // Its unpadded 3x3 convolutions need at least 75x75 pixels (as in torchvision).
      EXPECT_EQ(test::input_error_of([&] {
                  network::adapt_input(network::build_zoo(name), {{3, 32, 32}, 10});
                }),
                "'kernel': layer 'Mixed_7a.pool' (max_pool): a 3x3 window does not fit input "
                "shape [768,2,2]");
      continue;
    }
    const Network net = network::adapt_input(network::build_zoo(name), {{3, 32, 32}, 10});
    TorchNet m(net);
    m.eval();
    auto y = m.forward(torch::randn({2, 3, 32, 32}));
    EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{2, 10})) << name;
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>()) << name;
  }
}

TEST(Supernet, APathIsTheDecodedNetworkParameterForParameter) {
  const space::NasSpace s1 = space::nas_spaces().make("nahas_s1")->adapted(1, 28, 10);
  torch::manual_seed(0);
  Supernet net(s1);
  EXPECT_EQ(net.layers(), 17u);
  EXPECT_EQ(net.branches(0), 3u);  // the first block's expansion is fixed at 1
  EXPECT_EQ(net.branches(5), 6u);
  std::mt19937_64 rng(4);
  for (int i = 0; i < 4; ++i) {
    const auto x = s1.sample(rng);
    EXPECT_EQ(net.path_parameters(x), s1.decode(x).params());
  }
}

TEST(Supernet, OneHotWeightsGiveTheSinglePathAndGradientsReachEveryChoice) {
  const space::NasSpace s = space::nas_spaces().make("zeng_mobile")->adapted(1, 28, 10);
  torch::manual_seed(1);
  Supernet net(s);
  net.eval();
  const torch::Tensor img = torch::randn({2, 1, 28, 28});
  std::mt19937_64 rng(2);
  const auto x = s.sample(rng);
  std::vector<torch::Tensor> onehot, uniform;
  for (std::size_t d = 0; d < x.size(); ++d) {
    const int n = s.decisions()[d].size();
    onehot.push_back(torch::one_hot(torch::tensor(x[d]), n).to(torch::kFloat32));
    uniform.push_back(torch::full({n}, 1.0 / n).requires_grad_(true));
  }
  const torch::Tensor a = net.forward(img, x), b = net.forward(img, onehot);
  EXPECT_EQ(a.sizes(), (std::vector<std::int64_t>{2, 10}));
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-5));
  net.forward(img, uniform).pow(2).sum().backward();
  for (std::size_t d = 0; d < uniform.size(); ++d) {
    ASSERT_TRUE(uniform[d].grad().defined()) << d;
    EXPECT_GT(uniform[d].grad().abs().sum().item<double>(), 0) << s.decisions()[d].name;
  }
}

TEST(Supernet, ASpaceWhoseChoicesChangeALayersShapeIsRefused) {
  const space::NasSpace evolved = space::nas_spaces().make("nahas_evolved")->adapted(1, 28, 10);
  const std::string e = input_error_of([&] { Supernet net(evolved); });
  EXPECT_NE(e.find("space 'nahas_evolved', layer '"), std::string::npos) << e;
  EXPECT_NE(e.find("a weight-sharing supernet needs every choice of a layer to keep its output "
                   "shape"),
            std::string::npos)
      << e;
}

TEST(Adapt, DropsTheFirstStrideLevels) {
  EXPECT_EQ(network::removed_downsampling_levels(224, 28), 1);
  EXPECT_EQ(network::removed_downsampling_levels(224, 32), 1);
  EXPECT_EQ(network::removed_downsampling_levels(224, 56), 0);
  EXPECT_EQ(network::removed_downsampling_levels(32, 32), 0);
  // MobileNetV2 at 28x28: 28 -> 28 (stem) -> 14 -> 7 -> 4 -> 2 before the pool.
  const Network m = network::adapt_input(network::build_zoo("mobilenet_v2"), {{1, 28, 28}, 10});
  EXPECT_EQ(m.input_shape(), (network::Shape{1, 28, 28}));
  std::int64_t final_hw = 0;
  for (auto id : m.topological_order()) {
    if (m.layer(id).op == network::Op::kGlobalAvgPool) final_hw = m.layer(id).in_shapes[0].h;
  }
  EXPECT_EQ(final_hw, 2);
  EXPECT_EQ(m.layer(m.outputs()[0]).out_shape.c, 10);
  // ResNet-18 at 32: the stem loses its stride; 32 -> 16 (pool) -> 8 -> 4 -> 2.
  const Network r = network::adapt_input(network::build_zoo("resnet18"), {{3, 32, 32}, 10});
  for (auto id : r.topological_order()) {
    if (r.layer(id).op == network::Op::kGlobalAvgPool) {
      EXPECT_EQ(r.layer(id).in_shapes[0].h, 2);
    }
  }
}

TEST(Quantize, LuEquationsOneAndTwo) {
  // eq. 1, <Ai=2, Af=1>: dq = 0.5, B = 4, range [0, 3.5].
  auto a = quantize_activation(torch::tensor({-1.0, 0.2, 0.3, 1.3, 3.74, 9.0}), 2, 1);
  EXPECT_TRUE(a.equal(torch::tensor({0.0, 0.0, 0.5, 1.5, 3.5, 3.5})));
  // eq. 2, <Wi=2, Wf=2>: dq = 0.25, B = 2, range [-2, 1.75].
  auto w = quantize_weight(torch::tensor({-3.0, -0.3, 0.1, 0.3, 1.9, 2.0}), 2, 2);
  EXPECT_TRUE(w.equal(torch::tensor({-2.0, -0.25, 0.0, 0.25, 1.75, 1.75})));
}

// conv1 (8 ch) -> conv2 (8 ch) -> gap -> fc(4), no batch-norm.
Network small_net(bool batch_norm) {
  const std::string yaml = std::string(R"(name: small
layers:
  - {name: input, op: input, channels: 3, height: 8, width: 8}
  - {name: conv1, op: conv2d, out_channels: 8, kernel: 3, pad: 1, activation: relu, batch_norm: )") +
                           (batch_norm ? "true" : "false") + R"(}
  - {name: conv2, op: conv2d, out_channels: 8, kernel: 3, pad: 1, activation: relu}
  - {name: gap, op: global_avg_pool}
  - {name: flat, op: flatten}
  - {name: fc, op: linear, out_channels: 4, bias: true}
)";
  return network::parse_network_yaml(yaml, "small.yaml");
}

TEST(Transforms, QuantizedLayerUsesTheQuantizer) {
  torch::manual_seed(1);
  TorchNet m(small_net(false));
  auto q = quantize_layer(m, "conv1", network::Quant{2, 3, 3, 2});
  EXPECT_EQ(q->ir().layer("conv1").quant->weight_bits(), 5);
  torch::NoGradGuard g;
  auto x = torch::randn({1, 3, 8, 8});
  auto w = quantize_weight(q->conv("conv1")->weight, 2, 3);
  auto expect = quantize_activation(torch::relu(torch::conv2d(x, w, {}, 1, 1)), 3, 2);
  // The quantized conv1 output, observed at conv2's input.
  torch::Tensor seen;
  q->on_activation = [&](const std::string& layer, const torch::Tensor& pre) {
    if (layer == "conv1") seen = pre;
  };
  q->forward(x);
  EXPECT_TRUE(quantize_activation(torch::relu(seen), 3, 2).allclose(expect));
}

TEST(Checkpoint, AFailedWriteIsAnErrorAndLeavesNoFile) {
  torch::manual_seed(1);
  TorchNet m(small_net(false));
  const std::string dir = test::temp_dir("checkpoint");
  save_checkpoint(m, dir + "/w.pt");
  EXPECT_TRUE(std::filesystem::exists(dir + "/w.pt"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/w.pt.tmp"));
  const std::string bad = dir + "/missing/w.pt";
  EXPECT_EQ(input_error_of([&] { save_checkpoint(m, bad); }),
            bad + ": 'checkpoint': cannot write the checkpoint");
  EXPECT_FALSE(std::filesystem::exists(bad));
}

TEST(Transforms, PatternPruningKeepsMasksThroughFineTuning) {
  EXPECT_EQ(pattern_candidates(3, 3).size(), 84u);  // HotNAS Figure 4
  EXPECT_EQ(pattern_candidates(3, 1).size(), 9u);
  torch::manual_seed(2);
  TorchNet m(small_net(true));
  const auto pats = prune_patterns(m, "conv2", 3, 4);
  ASSERT_EQ(pats.size(), 4u);
  auto mask = m.mask("conv2");
  // Every kernel has exactly 3 zeros and one of the 4 chosen patterns.
  EXPECT_TRUE((mask.view({-1, 9}).sum(1) == 6).all().item<bool>());
  auto stack = torch::stack(pats).view({4, 9});
  auto flat = mask.view({-1, 9});
  for (std::int64_t i = 0; i < flat.size(0); ++i) {
    EXPECT_TRUE((stack == flat[i]).all(1).any().item<bool>());
  }
  EXPECT_EQ(m.ir().layer("conv2").compression.pattern_zeros, 3);
  EXPECT_EQ(m.ir().layer("conv2").compression.patterns, 4);
  // The IR counts the pattern's zeros out; so does the model.
  EXPECT_EQ(m.effective_params(), m.ir().params());
  EXPECT_EQ(m.effective_params(), torch_params(m) - 8 * 8 * 3);
  // A few SGD steps: the pruned positions stay zero.
  torch::optim::SGD opt(m.parameters(), torch::optim::SGDOptions(0.1).weight_decay(0.01));
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    m.forward(torch::randn({4, 3, 8, 8})).pow(2).sum().backward();
    opt.step();
    m.apply_masks();
  }
  EXPECT_EQ((m.conv("conv2")->weight * (1 - mask)).abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(m.mask("conv2").equal(mask));
  EXPECT_NE(input_error_of([&] { prune_patterns(m, "conv2", 3, 85); }), "");
}

TEST(Transforms, ChannelCutRipplesAndKeepsOutputs) {
  torch::manual_seed(3);
  TorchNet m(small_net(false));
  {
    torch::NoGradGuard g;
    // Channels 1, 4, 6 of conv1 carry nothing: the cut must pick them.
    for (int c : {1, 4, 6}) m.conv("conv1")->weight[c].zero_();
  }
  auto cut = prune_channels(m, "conv1", 3);
  EXPECT_EQ(cut->conv("conv1")->weight.size(0), 5);
  EXPECT_EQ(cut->conv("conv2")->weight.size(1), 5);  // the ripple
  EXPECT_EQ(torch_params(*cut), cut->ir().params());
  torch::NoGradGuard g;
  auto x = torch::randn({2, 3, 8, 8});
  EXPECT_TRUE(cut->forward(x).allclose(m.forward(x), 1e-5, 1e-6));
  EXPECT_EQ(input_error_of([&] { prune_channels(m, "conv1", 8); }),
            "'channel_cut': layer 'conv1' has 8 channels; a cut must be 0..7, got 8");
}

TEST(Transforms, KernelExpansionLeavesOutputsUnchanged) {  // HotNAS Theorem 1
  torch::manual_seed(4);
  TorchNet m(small_net(true));
  m.eval();
  auto big = expand_kernel(m, "conv2", 1);
  big->eval();
  EXPECT_EQ(big->conv("conv2")->weight.size(3), 5);
  EXPECT_EQ(big->ir().layer("conv2").effective_pad_h(), 2);
  torch::NoGradGuard g;
  auto x = torch::randn({2, 3, 8, 8});
  EXPECT_TRUE(big->forward(x).allclose(m.forward(x), 1e-5, 1e-6));
}

TEST(Datasets, FashionMnistFromTheDebianPackage) {
  const Dataset& d = load_dataset({"fashion-mnist", ""});
  EXPECT_EQ(d.train.images.sizes(), (std::vector<std::int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(d.test.images.size(0), 10000);
  EXPECT_EQ(d.train.labels.max().item<std::int64_t>(), 9);
  // Standardised with the published mean/std: about zero mean, unit deviation.
  EXPECT_NEAR(d.train.images.mean().item<double>(), 0.0, 0.01);
  EXPECT_NEAR(d.train.images.std().item<double>(), 1.0, 0.01);
}

TEST(Datasets, PaddingToTheNetworksInputKeepsTheImageAndAddsBlack) {
  const Dataset& d = load_dataset({"fashion-mnist", ""});
  const Dataset& p = padded_dataset(d, 32, 32);
  EXPECT_EQ(p.train.images.sizes(), (std::vector<std::int64_t>{60000, 1, 32, 32}));
  EXPECT_EQ(p.test.images.size(0), 10000);
  EXPECT_TRUE(torch::equal(p.train.labels, d.train.labels));
  // The 28x28 image sits in the middle, two pixels in from each side.
  EXPECT_TRUE(torch::equal(p.test.images.slice(2, 2, 30).slice(3, 2, 30), d.test.images));
  // The border is a black pixel: raw 0 standardised, (0 - 0.2860) / 0.3530.
  const double black = d.train.images.min().item<double>();
  EXPECT_NEAR(black, -0.2860 / 0.3530, 1e-3);
  EXPECT_EQ(p.train.images.select(2, 0).min().item<double>(), black);
  EXPECT_EQ(p.train.images.select(2, 0).max().item<double>(), black);
  EXPECT_EQ(&padded_dataset(d, 32, 32), &p);  // made once
  EXPECT_EQ(&padded_dataset(d, 28, 28), &d);
  EXPECT_EQ(test::input_error_of([&] { padded_dataset(d, 16, 16); }),
            "'resolution': the network's input 16x16 is smaller than fashion-mnist's 28x28 "
            "images; use resolution: dataset");
}

// A CIFAR-10 binary directory with `n_train` and `n_test` random records.
std::string fake_cifar(int n_train, int n_test) {
  const std::string dir = test::temp_dir("cifar");
  auto write = [](const std::string& path, int n, int seed) {
    std::ofstream out(path, std::ios::binary);
    std::mt19937 rng(static_cast<unsigned>(seed));
    for (int i = 0; i < n; ++i) {
      const int label = i % 10;
      out.put(static_cast<char>(label));
      // Class-dependent brightness, so the set is learnable.
      for (int p = 0; p < 3072; ++p) out.put(static_cast<char>((label * 25 + rng() % 20) & 0xff));
    }
  };
  write(dir + "/data_batch_1.bin", n_train, 1);
  write(dir + "/test_batch.bin", n_test, 2);
  return dir;
}

TEST(Datasets, Cifar10BinaryFormat) {
  const std::string dir = fake_cifar(60, 20);
  const Dataset& d = load_dataset({"cifar10", dir});
  EXPECT_EQ(d.train.images.sizes(), (std::vector<std::int64_t>{60, 3, 32, 32}));
  EXPECT_EQ(d.test.images.size(0), 20);
  EXPECT_EQ(d.train.labels[13].item<std::int64_t>(), 3);
  std::filesystem::create_directories(dir + "/bad");
  test::write_file(dir + "/bad/data_batch_1.bin", std::string(100, 'x'));
  test::write_file(dir + "/bad/test_batch.bin", std::string(3073, '\0'));
  EXPECT_NE(input_error_of([&] {
              load_dataset({"cifar10", dir + "/bad"});
            }).find("not a multiple of 3073-byte records"),
            std::string::npos);
  EXPECT_NE(input_error_of([&] {
              load_dataset({"cifar10", dir + "/none"});
            }).find("CIFAR-10 binary not found"),
            std::string::npos);
}

nlohmann::json small_budget(const std::string& cache) {
  return {{"dataset", "fashion-mnist"},
          {"subset", 512},
          {"test_subset", 500},
          {"batch", 64},
          {"threads", 1},
          {"cache", cache}};
}

TEST(TrainEvaluator, DeterministicCachedAndLearns) {
  const std::string cache = test::temp_dir("acc-cache");
  const Network net = network::load_network(CODA_SOURCE_DIR "/configs/networks/cnn4.yaml");
  auto a = make_evaluator("train", small_budget("-"))->evaluate(net);
  auto b = make_evaluator("train", small_budget(cache))->evaluate(net);
  EXPECT_EQ(a.accuracy, b.accuracy);  // same seed, same threads: same result
  EXPECT_GT(a.accuracy, 0.3);         // 8 steps on 512 images already beat chance (0.1)
  EXPECT_FALSE(b.cached);
  auto c = make_evaluator("train", small_budget(cache))->evaluate(net);
  EXPECT_TRUE(c.cached);
  EXPECT_EQ(c.accuracy, a.accuracy);
  auto other = small_budget("-");
  other["seed"] = 2;
  EXPECT_NE(make_evaluator("train", other)->evaluate(net).accuracy, a.accuracy);
}

TEST(Augment, FlipsMirrorShiftsMoveAndTheSeedRepeats) {
  // Images whose columns differ, so a mirror is not the image.
  const auto x = torch::arange(2 * 1 * 8 * 8, torch::kFloat).reshape({2, 1, 8, 8});
  std::mt19937_64 rng(3);
  EXPECT_TRUE(torch::equal(augment_batch(x, "none", rng), x));
  int flipped = 0;
  for (int round = 0; round < 8; ++round) {
    const auto y = augment_batch(x, "flip", rng);
    for (int i = 0; i < 2; ++i) {
      const bool same = torch::equal(y[i], x[i]);
      const bool mirror = torch::equal(y[i], x[i].flip({2}));
      EXPECT_TRUE(same || mirror);  // each image is kept or mirrored, nothing else
      flipped += mirror;
    }
  }
  EXPECT_GT(flipped, 2);  // about half of 16
  EXPECT_LT(flipped, 14);
  // Shifts and rotations keep the shape, change the pixels, and repeat with the seed.
  for (const std::string kind : {"shift", "rotate", "all"}) {
    std::mt19937_64 a(7), b(7);
    const auto ya = augment_batch(x, kind, a), yb = augment_batch(x, kind, b);
    EXPECT_EQ(ya.sizes(), x.sizes()) << kind;
    EXPECT_TRUE(torch::equal(ya, yb)) << kind;
    EXPECT_FALSE(torch::allclose(ya, x)) << kind;
  }
  // A shift of up to 1/8 moves an impulse at most one pixel of eight (bilinear
  // weights spread it over its neighbours, never further).
  auto impulse = torch::zeros({1, 1, 8, 8});
  impulse[0][0][4][4] = 1;
  std::mt19937_64 r(11);
  const auto moved = augment_batch(impulse, "shift", r);
  const auto nz = torch::nonzero(moved.abs() > 1e-6);
  ASSERT_GT(nz.size(0), 0);
  EXPECT_LE((nz.select(1, 2) - 4).abs().max().item<std::int64_t>(), 1);
  EXPECT_LE((nz.select(1, 3) - 4).abs().max().item<std::int64_t>(), 1);
}

TEST(TrainEvaluator, FineTunesFromACheckpointOnCifarFormat) {
  const std::string dir = fake_cifar(200, 50) + "-ft";
  std::filesystem::rename(dir.substr(0, dir.size() - 3), dir);
  nlohmann::json o = {{"dataset", "cifar10:" + dir},
                      {"batch", 50},
                      {"threads", 1},
                      {"cache", "-"},
                      {"save_checkpoint", dir + "/w.pt"}};
  const Network net = network::build_zoo("lu_d");
  auto first = make_evaluator("train", o)->evaluate(net);
  EXPECT_GE(first.accuracy, 0.0);
  EXPECT_LE(first.accuracy, 1.0);
  ASSERT_TRUE(std::filesystem::exists(dir + "/w.pt"));
  nlohmann::json ft = o;
  ft.erase("save_checkpoint");
  ft["checkpoint"] = dir + "/w.pt";
  ft["beta"] = 2;
  auto tuned = make_evaluator("train", ft)->evaluate(net);
  EXPECT_EQ(tuned.extra.at("steps").get<long long>(), 2);
  // A checkpoint of another network is refused with the file named...
  EXPECT_NE(input_error_of([&] {
              make_evaluator("train", ft)->evaluate(network::build_zoo("lu_e"));
            }).find(dir + "/w.pt"),
            std::string::npos);
  // ...unless partial: the tensors that fit are loaded, the rest initialised
  // (Zeng et al.'s base networks), and the result is cached by the
  // checkpoint's content.
  ft["partial_checkpoint"] = true;
  ft["cache"] = dir + "/cache";
  const auto partial = make_evaluator("train", ft)->evaluate(network::build_zoo("lu_e"));
  EXPECT_EQ(partial.extra.at("steps").get<long long>(), 2);
  EXPECT_FALSE(partial.cached);
  const auto again = make_evaluator("train", ft)->evaluate(network::build_zoo("lu_e"));
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.accuracy, partial.accuracy);
}

TEST(ZeroCost, ScoresAreDeterministicAndBounded) {
  Budget b = Budget::defaults();
  b.batch = 32;
  b.threads = 1;
  const Network net = network::build_zoo("lu_b1");
  auto s1 = zero_cost_scores(net, {"fashion-mnist", ""}, b);
  auto s2 = zero_cost_scores(net, {"fashion-mnist", ""}, b);
  EXPECT_EQ(s1.naswot, s2.naswot);
  EXPECT_EQ(s1.synflow, s2.synflow);
  EXPECT_GT(s1.synflow, 0);
  // Hadamard: log det K <= B log(units), K's diagonal being the unit count.
  const Network adapted = network::adapt_input(net, {{1, 28, 28}, 10});
  double units = 0;
  for (auto id : adapted.topological_order()) {
    const auto& l = adapted.layer(id);
    if (l.activation != network::Activation::kNone) units += l.out_shape.elements();
  }
  EXPECT_LE(s1.naswot, 32 * std::log(units) + 1e-6);
  EXPECT_GT(s1.naswot, 0);
}

TEST(ZeroCost, EvaluatorMapsTheScoreThroughTheFit) {
  const std::string dir = test::temp_dir("zc");
  test::write_file(dir + "/fit.csv",
                   "dataset,proxy,batch,a,b,networks,kendall_tau,source\n"
                   "fashion-mnist,naswot,16,0.5,0.001,1,1,test\n");
  nlohmann::json o = {{"dataset", "fashion-mnist"},
                      {"batch", 16},
                      {"cache", dir + "/cache"},
                      {"calibration", dir + "/fit.csv"}};
  auto r = make_evaluator("zero-cost", o)->evaluate(network::build_zoo("lu_d"));
  ASSERT_TRUE(r.score.has_value());
  EXPECT_NEAR(r.accuracy, std::clamp(0.5 + 0.001 * *r.score, 0.0, 1.0), 1e-12);
  EXPECT_FALSE(r.cached);
  auto again = make_evaluator("zero-cost", o)->evaluate(network::build_zoo("lu_d"));
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(*again.score, *r.score);
  o["proxy"] = "synflow";
  EXPECT_EQ(input_error_of([&] { make_evaluator("zero-cost", o); }),
            dir +
                "/fit.csv: 'calibration': no fit for proxy 'synflow' on fashion-mnist with batch "
                "16; fit one "
                "with `build/bench/accuracy_bench tau N SUBSET` (bench/RESULTS.md)");
}

TEST(TableEvaluator, PublishedNumbersWithSources) {
  auto t = make_evaluator("table");
  auto r = t->evaluate(network::build_zoo("mobilenet_v2"));
  EXPECT_DOUBLE_EQ(r.accuracy, 0.71878);
  EXPECT_DOUBLE_EQ(r.extra.at("top5").get<double>(), 0.90286);
  EXPECT_NE(r.source.find("torchvision"), std::string::npos);
  EXPECT_DOUBLE_EQ(make_evaluator("table", {{"dataset", "cifar10:x"}})
                       ->evaluate(network::build_zoo("lu_b1"))
                       .accuracy,
                   0.8971);
  EXPECT_NE(input_error_of([&] {
              t->evaluate(network::build_zoo("mobilenet_v2:width=0.5"));
            }).find("no imagenet accuracy for 'mobilenet_v2:width=0.5'"),
            std::string::npos);
  EXPECT_EQ(input_error_of([&] { make_evaluator("oracle"); }),
            "'evaluator': unknown accuracy evaluator 'oracle'; available: hot-start, table, train, "
            "zero-cost");
  EXPECT_EQ(input_error_of([&] {
              make_evaluator("table", {{"proxy", "naswot"}});
            }),
            "'proxy': unknown option of accuracy evaluator table; known: dataset, table");
}

TEST(AccuracyCli, JsonFieldsAndErrors) {
  auto r = test::run_coda("accuracy --network resnet18 --evaluator table --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j.at("accuracy").get<double>(), 0.69758);
  for (const char* k : {"evaluator", "dataset", "epochs", "seconds"}) EXPECT_TRUE(j.contains(k));
  auto missing = test::run_coda(
      "accuracy --network lu_d --evaluator train --dataset fashion-mnist:/nonexistent");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("apt-get install dataset-fashion-mnist"), std::string::npos);
  EXPECT_NE(missing.err.find("tried /nonexistent/train-"), std::string::npos);
  // A network that cannot run on the dataset's images names the layer.
  const std::string dir = test::temp_dir("acc-cli");
  test::write_file(dir + "/bigpool.yaml",
                   "name: bigpool\nlayers:\n"
                   "  - {name: input, op: input, channels: 3, height: 224, width: 224}\n"
                   "  - {name: conv, op: conv2d, out_channels: 8, kernel: 3, pad: 1}\n"
                   "  - {name: bigpool, op: avg_pool, kernel: 100, stride: 100}\n"
                   "  - {name: flat, op: flatten}\n"
                   "  - {name: fc, op: linear, out_channels: 10}\n");
  auto big = test::run_coda("accuracy --network " + dir + "/bigpool.yaml --evaluator zero-cost");
  EXPECT_EQ(big.code, 1);
  EXPECT_NE(big.err.find("bigpool.yaml:5:5: 'kernel': layer 'bigpool' (avg_pool): a 100x100 "
                         "window does not fit input shape [8,28,28]"),
            std::string::npos)
      << big.err;
  auto cifar = test::run_coda("accuracy --network lu_d --dataset cifar10:/nonexistent");
  EXPECT_EQ(cifar.code, 1);
  EXPECT_NE(cifar.err.find("/nonexistent"), std::string::npos);
}

// The command's option flags come from the evaluators' declarations: the
// same options an experiment's `accuracy:` section takes.
TEST(AccuracyCli, FlagsComeFromTheEvaluatorsDeclarations) {
  const auto help = test::run_coda("accuracy --help");
  ASSERT_EQ(help.code, 0);
  for (const char* flag :
       {"--epochs", "--test-subset", "--schedule", "--checkpoint", "--beta", "--save-checkpoint",
        "--proxy", "--calibration", "--table", "--cache", "--weight-decay"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
  // One flag, each evaluator's default.
  EXPECT_NE(help.out.find("train: 128, zero-cost: 64"), std::string::npos) << help.out;
  auto wrong = test::run_coda("accuracy --network lu_d --evaluator train --proxy synflow");
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("--proxy: 'proxy': not an option of evaluator train; its options: "
                           "--dataset, --epochs"),
            std::string::npos)
      << wrong.err;
  auto range = test::run_coda("accuracy --network lu_d --evaluator train --epochs 0");
  EXPECT_EQ(range.code, 1);
  EXPECT_NE(range.err.find("--epochs: 'epochs': accuracy evaluator train: 0 is not allowed; an "
                           "integer from 1 to 10000"),
            std::string::npos)
      << range.err;
  auto table = test::run_coda(
      "accuracy --network resnet18 --evaluator table --dataset imagenet "
      "--json -");
  EXPECT_EQ(table.code, 0) << table.err;
}

}  // namespace
}  // namespace coda::accuracy
