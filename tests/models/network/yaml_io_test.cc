#include <gtest/gtest.h>

#include "models/network/yaml_io.h"
#include "models/network/zoo.h"

namespace coda::network {
namespace {

TEST(YamlIo, EveryZooNetworkRoundTripsExactly) {
  for (const auto& name : zoo_names()) {
    SCOPED_TRACE(name);
    const Network net = build_zoo(name);
    const std::string text = to_yaml(net);
    const Network back = parse_network_yaml(text, name + ".yaml");
    EXPECT_TRUE(same_network(net, back));
    EXPECT_EQ(to_yaml(back), text);
    EXPECT_EQ(back.params(), net.params());
    EXPECT_EQ(back.macs(), net.macs());
  }
}

TEST(YamlIo, AnnotationsRoundTrip) {
  const std::string text = R"(name: annotated
layers:
  - {name: input, op: input, channels: 3, height: 32, width: 32}
  - name: c1
    op: conv2d
    out_channels: 16
    kernel: [3, 5]
    stride: [2, 1]
    pad: [1, 2]
    bias: true
    activation: relu6
    quant: {w_int: 2, w_frac: 6, a_int: 3, a_frac: 4}
    compression: {pattern_zeros: 4, patterns: 8, channel_cut: 2, kernel_expand: 1}
  - {name: gap, op: global_avg_pool}
  - {name: flat, op: flatten}
  - {name: fc, op: linear, out_channels: 10, bias: true}
)";
  const Network net = parse_network_yaml(text, "annotated.yaml");
  const Layer& c1 = net.layer("c1");
  ASSERT_TRUE(c1.quant.has_value());
  EXPECT_EQ(c1.quant->weight_bits(), 8);
  EXPECT_EQ(c1.compression.patterns, 8);
  EXPECT_EQ(c1.out_shape, (Shape{14, 16, 32}));
  const Network back = parse_network_yaml(to_yaml(net), "again.yaml");
  EXPECT_TRUE(same_network(net, back));
  EXPECT_EQ(to_yaml(back), to_yaml(net));
}

std::string error_of(const std::string& text) {
  try {
    parse_network_yaml(text, "bad.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(YamlIo, MalformedYamlGivesFileLineColumn) {
  const std::string msg = error_of("name: x\nlayers:\n  - {name: input, op: input\n");
  EXPECT_EQ(msg.rfind("bad.yaml:", 0), 0u) << msg;
  EXPECT_NE(msg.find("malformed YAML"), std::string::npos) << msg;
  EXPECT_NE(msg.find(":4:1"), std::string::npos) << msg;
}

TEST(YamlIo, UnknownOpListsSupportedOps) {
  const std::string msg = error_of(
      "name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, width: 8}\n"
      "  - {name: l, op: lstm}\n");
  EXPECT_EQ(msg.substr(0, 12), "bad.yaml:4:5");
  EXPECT_NE(msg.find("unsupported op 'lstm'; supported ops: input, conv2d, linear"),
            std::string::npos)
      << msg;
}

TEST(YamlIo, UnknownFieldListsAllowedFields) {
  const std::string msg = error_of(
      "name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, width: 8}\n"
      "  - {name: p, op: max_pool, kernel: 2, strides: 2}\n");
  EXPECT_EQ(msg,
            "bad.yaml:4:40: 'strides': unknown field in layer 'p' (op max_pool); allowed fields: "
            "name, op, inputs, kernel, stride, pad, ceil_mode");
}

TEST(YamlIo, ShapeMismatchNamesTheLayerAndShapes) {
  const std::string msg = error_of(
      "name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, width: 8}\n"
      "  - {name: a, op: conv2d, out_channels: 4, kernel: 3, pad: 1}\n"
      "  - {name: b, op: conv2d, inputs: [input], out_channels: 8, kernel: 1}\n"
      "  - {name: s, op: add, inputs: [a, b]}\n");
  EXPECT_EQ(msg,
            "bad.yaml:6:5: 'inputs': layer 's' (add): input 'a' has shape [4,8,8] but input "
            "'b' has shape [8,8,8]");
}

TEST(YamlIo, NonPositiveDimensionIsRejected) {
  EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: input, op: input, channels: -3, height: 8, "
                     "width: 8}\n"),
            "bad.yaml:3:5: 'channels': layer 'input' (input): must be positive, got -3");
  EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, "
                     "width: 8}\n  - {name: c, op: conv2d, out_channels: 4, stride: 0}\n"),
            "bad.yaml:4:5: 'stride': layer 'c' (conv2d): must be positive, got 0");
}

TEST(YamlIo, SizesBeyondExactCountsAreRejected) {
  // 65536^3 printed negative MACs; a 10^6 pad ran the FPGA model out of memory.
  EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: input, op: input, channels: 65536, height: "
                     "65536, width: 65536}\n"),
            "bad.yaml:3:5: 'shape': layer 'input' (input): its output [65536,65536,65536] holds "
            "more than 2^40 values");
  EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 32, "
                     "width: 32}\n  - {name: c, op: conv2d, out_channels: 8, kernel: 3, pad: "
                     "1000000}\n"),
            "bad.yaml:4:5: 'shape': layer 'c' (conv2d): its output [8,2000030,2000030] holds "
            "more than 2^40 values");
  EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: input, op: input, channels: 65536, height: "
                     "1024, width: 1024}\n  - {name: c, op: conv2d, out_channels: 65536, kernel: "
                     "15, pad: 7}\n"),
            "bad.yaml:4:5: 'shape': layer 'c' (conv2d): it needs more than 10^17 "
            "multiply-accumulates");
}

TEST(YamlIo, OtherStructuralErrors) {
  EXPECT_NE(error_of("name: x\n").find("'layers'"), std::string::npos);
  EXPECT_NE(error_of("name: x\nlayers:\n  - {name: c, op: conv2d, out_channels: 4, inputs: [q]}\n")
                .find("reads 'q'"),
            std::string::npos);
  EXPECT_NE(error_of("name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, "
                     "width: 8}\n  - {name: c, op: conv2d, out_channels: four}\n")
                .find("expected an integer, got 'four'"),
            std::string::npos);
  EXPECT_NE(error_of("name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, "
                     "width: 8}\n  - {name: c, op: conv2d, out_channels: 4, activation: gelu}\n")
                .find("supported: none, relu, relu6"),
            std::string::npos);
}

TEST(YamlIo, ANetworkOfInputsAloneIsRejected) {
  // Every family used to crash or print nan on it.
  EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, "
                     "width: 8}\n"),
            "bad.yaml:3:3: 'layers': the network has only input layers; it needs at least one "
            "layer that computes");
}

TEST(YamlIo, NestedInputsAndDuplicateFieldsAreRejected) {
  EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, "
                     "width: 8}\n  - {name: c, op: conv2d, out_channels: 4, inputs: [[a], b]}\n"),
            "bad.yaml:4:53: 'inputs': expected a layer name, got a nested list or map");
  // yaml-cpp keeps both and would read the first; a second one is an error.
  EXPECT_EQ(error_of("name: x\nname: y\nlayers: []\n"),
            "bad.yaml:2:1: 'name': given twice in the network file; give each field once");
}

TEST(YamlIo, QuantizationBeyond32BitsIsRejected) {
  const std::string head =
      "name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, width: 8}\n"
      "  - {name: c, op: conv2d, inputs: [input], out_channels: 4, kernel: 3, quant: ";
  EXPECT_EQ(error_of(head + "{w_int: 100, w_frac: 100, a_int: 8, a_frac: 8}}\n"),
            "bad.yaml:4:79: 'quant': layer 'c': w_int 100 (>= 1, includes the sign) and w_frac 100 "
            "(>= 0) give 200 bits; allowed 1-32");
  EXPECT_EQ(error_of(head + "{w_int: 4, w_frac: 4, a_int: 0, a_frac: 8}}\n"),
            "bad.yaml:4:79: 'quant': layer 'c': a_int 0 (>= 1, includes the sign) and a_frac 8 "
            "(>= 0) give 8 bits; allowed 1-32");
  // A value that an int would wrap into range is refused as it is written.
  EXPECT_EQ(error_of(head + "{w_int: 4294967300, w_frac: 4, a_int: 8, a_frac: 8}}\n"),
            "bad.yaml:4:87: 'w_int': expected an integer from -1024 to 1024, got 4294967300");
}

TEST(YamlIo, DotExportHasEveryLayerAndEdge) {
  const Network net = build_zoo("resnet18");
  const std::string dot = to_dot(net);
  EXPECT_EQ(dot.rfind("digraph", 0), 0u);
  std::size_t edges = 0, pos = 0;
  while ((pos = dot.find("->", pos)) != std::string::npos) ++edges, ++pos;
  EXPECT_EQ(edges, boost::num_edges(net.graph()));
  EXPECT_NE(dot.find("layer4.1.add\\nadd [512,7,7]"), std::string::npos);
}

}  // namespace
}  // namespace coda::network
