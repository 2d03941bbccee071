// The zoo must match torchvision layer for layer: parameter and conv+linear
// MAC counts are pinned to tests/fixtures/zoo_torchvision_counts.tsv, made
// once by scripts/zoo_reference_counts.py with Debian's python3-torchvision.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "models/network/zoo.h"

namespace coda::network {
namespace {

struct Reference {
  std::string name;
  long long params, macs;
  int convs, linears;
};

std::vector<Reference> load_reference() {
  std::ifstream in(std::string(CODA_SOURCE_DIR) + "/tests/fixtures/zoo_torchvision_counts.tsv");
  std::vector<Reference> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("name", 0) == 0) continue;
    std::istringstream fields(line);
    Reference r;
    fields >> r.name >> r.params >> r.macs >> r.convs >> r.linears;
    rows.push_back(r);
  }
  return rows;
}

int count_op(const Network& net, Op op) {
  int n = 0;
  for (auto id : net.layers()) n += net.layer(id).op == op;
  return n;
}

TEST(Zoo, MatchesTorchvisionCounts) {
  const auto rows = load_reference();
  ASSERT_GE(rows.size(), 20u);
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const Network net = build_zoo(r.name);
    EXPECT_EQ(net.params(), r.params);
    EXPECT_EQ(net.macs(), r.macs);
    EXPECT_EQ(count_op(net, Op::kConv2d), r.convs);
    EXPECT_EQ(count_op(net, Op::kLinear), r.linears);
  }
}

TEST(Zoo, EveryTorchvisionNetworkIsPinned) {
  const auto rows = load_reference();
  for (const std::string name : {"alexnet",
                                 "vgg16",
                                 "resnet18",
                                 "resnet34",
                                 "resnet50",
                                 "mobilenet_v2",
                                 "mnasnet0_5",
                                 "mnasnet1_0",
                                 "squeezenet1_0",
                                 "squeezenet1_1",
                                 "googlenet",
                                 "densenet121",
                                 "efficientnet_b0",
                                 "efficientnet_b1",
                                 "efficientnet_b3",
                                 "mobilenet_v3_large",
                                 "mobilenet_v3_small",
                                 "mnasnet0_75",
                                 "mnasnet1_3",
                                 "resnet101",
                                 "resnet152",
                                 "resnext50_32x4d",
                                 "resnext101_32x8d",
                                 "resnext101_64x4d",
                                 "wide_resnet50_2",
                                 "wide_resnet101_2",
                                 "densenet161",
                                 "densenet169",
                                 "densenet201",
                                 "efficientnet_b2",
                                 "efficientnet_b4",
                                 "efficientnet_b5",
                                 "efficientnet_b6",
                                 "efficientnet_b7",
                                 "vgg11",
                                 "vgg11_bn",
                                 "vgg13",
                                 "vgg13_bn",
                                 "vgg16_bn",
                                 "vgg19",
                                 "vgg19_bn",
                                 "shufflenet_v2_x0_5",
                                 "shufflenet_v2_x1_0",
                                 "shufflenet_v2_x1_5",
                                 "shufflenet_v2_x2_0",
                                 "regnet_y_400mf",
                                 "regnet_y_800mf",
                                 "regnet_y_1_6gf",
                                 "regnet_y_3_2gf",
                                 "regnet_y_8gf",
                                 "regnet_y_16gf",
                                 "regnet_y_32gf",
                                 "regnet_y_128gf",
                                 "regnet_x_400mf",
                                 "regnet_x_800mf",
                                 "regnet_x_1_6gf",
                                 "regnet_x_3_2gf",
                                 "regnet_x_8gf",
                                 "regnet_x_16gf",
                                 "regnet_x_32gf",
                                 "efficientnet_v2_s",
                                 "efficientnet_v2_m",
                                 "efficientnet_v2_l",
                                 "inception_v3"}) {
    bool found = false;
    for (const auto& r : rows) found = found || r.name == name;
    EXPECT_TRUE(found) << name;
  }
}

// ProxylessNAS has no torchvision model; its published parameter counts (as
// asserted by the imgclsmob model port of the authors' configs) pin it.
TEST(Zoo, ProxylessMatchesPublishedParams) {
  EXPECT_EQ(build_zoo("proxyless_mobile").params(), 4080512);
  EXPECT_EQ(build_zoo("proxyless_cpu").params(), 4361648);
  EXPECT_EQ(build_zoo("proxyless_gpu").params(), 7119848);
}

TEST(Zoo, ProxylessAndFbnetMacsNearPublished) {
  // Published: ProxylessNAS-Mobile 320M, -GPU 465M MACs (Cai et al. Table 2-3);
  // FBNet-A 249M MACs, 4.3M params (Wu et al. Table 2).
  EXPECT_NEAR(build_zoo("proxyless_mobile").macs() / 1e6, 320, 320 * 0.03);
  EXPECT_NEAR(build_zoo("proxyless_gpu").macs() / 1e6, 465, 465 * 0.03);
  const Network fb = build_zoo("fbnet_a");
  EXPECT_NEAR(fb.macs() / 1e6, 249, 249 * 0.03);
  EXPECT_NEAR(fb.params() / 1e6, 4.3, 4.3 * 0.03);
}

long long conv_params(const Network& net) {
  long long p = 0;
  for (auto id : net.layers())
    if (net.layer(id).op == Op::kConv2d) p += layer_params(net.layer(id));
  return p;
}

// Lu et al. Table 2 "#paras" counts the six conv layers (weights + biases).
TEST(Zoo, LuNetworksMatchTable2ConvParams) {
  EXPECT_EQ(conv_params(build_zoo("lu_a1")), 300804);
  EXPECT_EQ(conv_params(build_zoo("lu_b1")), 464960);
  EXPECT_EQ(conv_params(build_zoo("lu_d")), 70776);
  EXPECT_EQ(conv_params(build_zoo("lu_e")), 289220);
  EXPECT_EQ(conv_params(build_zoo("lu_f")), 265640);
  EXPECT_EQ(build_zoo("lu_a1").input_shape(), (Shape{3, 32, 32}));
}

TEST(Zoo, EveryEntryBuildsDeterministically) {
  for (const auto& name : zoo_names()) {
    SCOPED_TRACE(name);
    const Network a = build_zoo(name), b = build_zoo(name);
    EXPECT_EQ(a.size(), b.size());
    EXPECT_EQ(a.params(), b.params());
    EXPECT_EQ(a.macs(), b.macs());
    EXPECT_GT(a.macs(), 0);
    EXPECT_EQ(a.outputs().size(), 1u);
  }
}

TEST(Zoo, OptionsChangeTheNetwork) {
  const Network plain = build_zoo("efficientnet_b0");
  const Network nose = build_zoo("efficientnet_b0:se=false,act=relu");
  EXPECT_LT(nose.params(), plain.params());
  int swish = 0;
  for (auto id : nose.layers()) swish += nose.layer(id).activation == Activation::kSwish;
  EXPECT_EQ(swish, 0);
  EXPECT_EQ(count_op(nose, Op::kMul), 0);
  EXPECT_EQ(build_zoo("resnet18:classes=10").layer("fc").out_shape.c, 10);
}

TEST(Zoo, UnknownNameSuggestsNearest) {
  try {
    build_zoo("resnet19");
    FAIL();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("unknown zoo network 'resnet19'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("resnet18"), std::string::npos) << msg;
  }
}

TEST(Zoo, BadOptionsAreInputErrors) {
  EXPECT_THROW(build_zoo("mobilenet_v2:depth=2"), InputError);
  EXPECT_THROW(build_zoo("mobilenet_v2:width=abc"), InputError);
  EXPECT_THROW(build_zoo("mobilenet_v2:width=0"), InputError);
  EXPECT_THROW(build_zoo("resnet18:input=-3"), InputError);
  EXPECT_THROW(build_zoo("efficientnet_b0:act=gelu"), InputError);
  EXPECT_THROW(build_zoo("resnet18:input"), InputError);
}

}  // namespace
}  // namespace coda::network
