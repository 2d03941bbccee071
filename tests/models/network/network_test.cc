// Closed-form checks of shape inference and counts on hand-built networks.
#include <gtest/gtest.h>

#include "tests/util/errors.h"

#include "models/network/blocks.h"
#include "models/network/network.h"

namespace coda::network {
namespace {

TEST(Network, ConvShapeAndCountsClosedForm) {
  Builder b("t", {3, 32, 32});
  auto c = b.conv("c", b.input(), ConvSpec::make(16, 3, 2).with_bias().without_bn());
  const Layer& l = b.network().layer(c);
  // floor((32 + 2*1 - 3) / 2) + 1 = 16
  EXPECT_EQ(l.out_shape, (Shape{16, 16, 16}));
  EXPECT_EQ(layer_weights(l), 16 * 3 * 9);
  EXPECT_EQ(layer_params(l), 16 * 3 * 9 + 16);
  EXPECT_EQ(layer_macs(l), 16 * 3 * 9 * 16 * 16);
}

TEST(Network, DepthwiseAndGroupedCounts) {
  Builder b("t", {32, 10, 10});
  auto dw = b.conv("dw", b.input(), ConvSpec::make(32, 3, 1).with_groups(32));
  auto g = b.conv("g", dw, ConvSpec::make(64, 1, 1).with_groups(4));
  const Network& n = b.network();
  EXPECT_TRUE(n.layer(dw).is_depthwise());
  EXPECT_EQ(layer_macs(n.layer(dw)), 32 * 9 * 100);
  EXPECT_EQ(layer_params(n.layer(dw)), 32 * 9 + 2 * 32);  // folded BN affine
  EXPECT_EQ(layer_macs(n.layer(g)), 64 * 8 * 100);
}

TEST(Network, DilationAndCeilModePooling) {
  Builder b("t", {8, 15, 15});
  auto d = b.conv("d", b.input(), ConvSpec::make(8, 3, 1).with_pad(0));
  ConvSpec dil = ConvSpec::make(8, 3, 1);
  dil.dilation = 2;  // same padding becomes 2
  auto e = b.conv("e", d, dil);
  auto p = b.max_pool("p", e, 3, 2, 0, /*ceil_mode=*/true);
  auto q = b.max_pool("q", e, 3, 2, 0, /*ceil_mode=*/false);
  const Network& n = b.network();
  EXPECT_EQ(n.layer(d).out_shape, (Shape{8, 13, 13}));
  EXPECT_EQ(n.layer(e).out_shape, (Shape{8, 13, 13}));
  EXPECT_EQ(n.layer(p).out_shape, (Shape{8, 6, 6}));  // ceil(10/2)+1 = 6, as torch
  EXPECT_EQ(n.layer(q).out_shape, (Shape{8, 6, 6}));
  Builder c("t2", {8, 14, 14});
  EXPECT_EQ(c.shape(c.max_pool("p", c.input(), 3, 2, 0, true)), (Shape{8, 7, 7}));
  EXPECT_EQ(c.shape(c.max_pool("q", c.input(), 3, 2, 0, false)), (Shape{8, 6, 6}));
}

TEST(Network, ElementwiseConcatShuffleFlattenLinear) {
  Builder b("t", {4, 8, 8});
  auto a = b.conv("a", b.input(), ConvSpec::make(6, 1));
  auto c = b.conv("c", b.input(), ConvSpec::make(10, 3));
  auto cat = b.concat("cat", {a, c});
  auto sh = b.shuffle("sh", cat, 2);
  auto se = squeeze_excite(b, "se", sh, 4);
  auto f = b.flatten("f", b.global_avg_pool("gap", se));
  auto fc = b.linear("fc", f, 5);
  const Network& n = b.network();
  EXPECT_EQ(n.layer(cat).out_shape, (Shape{16, 8, 8}));
  EXPECT_EQ(n.layer(se).out_shape, (Shape{16, 8, 8}));
  EXPECT_EQ(n.layer(f).out_shape, (Shape{16, 1, 1}));
  EXPECT_EQ(layer_params(n.layer(fc)), 16 * 5 + 5);
  EXPECT_EQ(layer_params(n.layer("se.fc1")), 16 * 4 + 4);
}

TEST(Network, TopologicalOrderRespectsEdges) {
  Builder b("t", {4, 8, 8});
  auto a = b.conv("a", b.input(), ConvSpec::make(4, 1));
  auto c = b.conv("c", a, ConvSpec::make(4, 3));
  b.add("s", {a, c});
  const Network& n = b.network();
  const auto order = n.topological_order();
  ASSERT_EQ(order.size(), n.size());
  std::vector<std::size_t> pos(n.size());
  for (std::size_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
  for (auto e : boost::make_iterator_range(boost::edges(n.graph()))) {
    EXPECT_LT(pos[boost::source(e, n.graph())], pos[boost::target(e, n.graph())]);
  }
}

TEST(Network, CompressionReachesCounts) {
  Builder b("t", {16, 8, 8});
  auto c1 = b.conv("c1", b.input(), ConvSpec::make(32, 3));
  auto c2 = b.conv("c2", c1, ConvSpec::make(8, 3));
  Network n = b.take();
  const auto base1 = layer_macs(n.layer(c1)), base2 = layer_macs(n.layer(c2));
  // Pattern pruning: 4 of 9 taps are zero (HotNAS eq. 15).
  n.mutable_layer(n.id(c1)).compression.pattern_zeros = 4;
  n.infer_shapes();
  EXPECT_EQ(layer_macs(n.layer(c1)), base1 * 5 / 9);
  // Channel cut: 8 of 32 outputs removed, and c2 sees 24 input channels.
  n.mutable_layer(n.id(c1)).compression = {};
  n.mutable_layer(n.id(c1)).compression.channel_cut = 8;
  n.infer_shapes();
  EXPECT_EQ(n.layer(c1).out_shape.c, 24);
  EXPECT_EQ(layer_macs(n.layer(c1)), base1 * 24 / 32);
  EXPECT_EQ(layer_macs(n.layer(c2)), base2 * 24 / 32);
  EXPECT_EQ(layer_params(n.layer(c1)), 24 * 16 * 9 + 2 * 24);
  // Kernel expansion keeps the output size (Theorem 1): 3x3 -> 5x5, pad 1 -> 2.
  n.mutable_layer(n.id(c1)).compression = {};
  n.mutable_layer(n.id(c2)).compression.kernel_expand = 1;
  n.infer_shapes();
  EXPECT_EQ(n.layer(c2).out_shape, (Shape{8, 8, 8}));
  EXPECT_EQ(layer_macs(n.layer(c2)), base2 * 25 / 9);
}

TEST(Network, QuantBits) {
  Quant q{2, 5, 3, 4};
  EXPECT_EQ(q.weight_bits(), 7);  // Lu eq. 2: w_int includes the sign bit
  EXPECT_EQ(q.activation_bits(), 7);
}

TEST(Network, ShapeMismatchNamesLayerAndShapes) {
  Builder b("t", {4, 8, 8});
  auto a = b.conv("a", b.input(), ConvSpec::make(4, 1));
  auto c = b.conv("c", b.input(), ConvSpec::make(4, 3, 2));
  const std::string msg = test::input_error_of([&] { b.add("sum", {a, c}); });
  EXPECT_EQ(msg,
            "'inputs': layer 'sum' (add): input 'a' has shape [4,8,8] but input 'c' has "
            "shape [4,4,4]");
  // The failed layer is not left behind.
  EXPECT_FALSE(b.network().contains("sum"));
}

TEST(Network, NonPositiveDimensionsAreRejected) {
  Builder b("t", {4, 8, 8});
  EXPECT_EQ(test::input_error_of([&] { b.conv("z", b.input(), ConvSpec::make(0, 3)); }),
            "'out_channels': layer 'z' (conv2d): must be positive, got 0");
  EXPECT_EQ(test::input_error_of([&] { b.conv("k", b.input(), ConvSpec::make(4, -1)); }),
            "'kernel': layer 'k' (conv2d): must be positive, got -1");
  EXPECT_EQ(
      test::input_error_of([&] { b.conv("big", b.input(), ConvSpec::make(4, 11).with_pad(0)); }),
      "'kernel': layer 'big' (conv2d): a 11x11 kernel does not fit input shape [4,8,8]");
  EXPECT_EQ(test::input_error_of([] {
              Builder("t", {3, 0, 8});
            }),
            "'height': layer 'input' (input): must be positive, got 0");
  EXPECT_NE(
      test::input_error_of([&] { b.conv("g", b.input(), ConvSpec::make(6, 1).with_groups(4)); }),
      "");
  EXPECT_NE(test::input_error_of([&] { b.linear("fc", b.input(), 10); }).find("flatten"),
            std::string::npos);
}

TEST(Network, BadCompressionIsRejected) {
  Builder b("t", {4, 8, 8});
  auto pw = b.conv("pw", b.input(), ConvSpec::make(4, 1));
  Network n = b.take();
  n.mutable_layer(n.id(pw)).compression.pattern_zeros = 1;
  EXPECT_EQ(test::input_error_of([&] { n.infer_shapes(); }),
            "'pattern_zeros': layer 'pw' (conv2d): a 1x1 kernel has no pattern");
  n.mutable_layer(n.id(pw)).compression = {};
  n.mutable_layer(n.id(pw)).compression.channel_cut = 4;
  EXPECT_EQ(test::input_error_of([&] { n.infer_shapes(); }),
            "'channel_cut': layer 'pw' (conv2d): cut 4 must be below out_channels 4");
}

}  // namespace
}  // namespace coda::network
