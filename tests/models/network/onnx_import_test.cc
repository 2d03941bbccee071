// ONNX import. The torchvision fixtures are the classification models of
// Debian's python3-torchvision 0.14 exported by scripts/torchvision_onnx.py
// with their weights stripped (dims kept); their parameter and MAC counts,
// from PyTorch itself, are in tests/fixtures/onnx_torchvision_counts.tsv. The
// small fixtures come from scripts/onnx_fixtures.py.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "models/network/onnx_import.h"
#include "models/network/yaml_io.h"
#include "tests/util/errors.h"

namespace coda::network {
namespace {

const std::string kFixtures = std::string(CODA_SOURCE_DIR) + "/tests/fixtures/onnx/";

struct Counts {
  std::string name;
  int input = 0;
  long long params = 0, macs = 0;
};

std::vector<Counts> torchvision_counts() {
  std::ifstream in(std::string(CODA_SOURCE_DIR) + "/tests/fixtures/onnx_torchvision_counts.tsv");
  std::vector<Counts> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("name", 0) == 0) continue;
    std::istringstream fields(line);
    Counts c;
    fields >> c.name >> c.input >> c.params >> c.macs;
    rows.push_back(c);
  }
  return rows;
}

TEST(OnnxImport, EveryTorchvisionClassifierImportsWithItsExactCounts) {
  const auto rows = torchvision_counts();
  ASSERT_GE(rows.size(), 60u);
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const Network net = import_onnx(kFixtures + "torchvision/" + r.name + ".onnx");
    EXPECT_EQ(net.name(), r.name);
    EXPECT_EQ(net.input_shape(), (Shape{3, r.input, r.input}));
    EXPECT_EQ(net.params(), r.params);
    EXPECT_EQ(net.macs(), r.macs);
  }
}

TEST(OnnxImport, TheFamiliesTheIssueNamesAreAllCovered) {
  const auto rows = torchvision_counts();
  for (const std::string name :
       {"shufflenet_v2_x1_0", "vgg11", "vgg13", "vgg19", "resnet101", "resnet152",
        "wide_resnet50_2", "resnext50_32x4d", "regnet_y_400mf", "mobilenet_v3_small",
        "efficientnet_b0", "efficientnet_b7", "densenet201", "googlenet", "inception_v3",
        "squeezenet1_1", "mnasnet1_3"}) {
    bool found = false;
    for (const auto& r : rows) found = found || r.name == name;
    EXPECT_TRUE(found) << name;
  }
}

const Layer& find(const Network& net, const std::string& name) {
  return net.layer(name);
}

TEST(OnnxImport, EachMappedOpBecomesTheLayerItMeans) {
  const Network net = import_onnx(kFixtures + "ops.onnx");
  // Pad [H begin 1, W end 1] plus Conv pads [0,0,1,1]: top 1, left 0, bottom 1, right 2.
  const Layer& c1 = find(net, "conv1");
  EXPECT_EQ(c1.pad_h, 1);
  EXPECT_EQ(c1.pad_w, 0);
  EXPECT_EQ(c1.pad_h_end, 1);
  EXPECT_EQ(c1.pad_w_end, 2);
  EXPECT_EQ(c1.out_shape, (Shape{8, 8, 8}));  // (16 + 1 + 1 - 3) / 2 + 1, (16 + 0 + 2 - 3) / 2 + 1
  EXPECT_TRUE(c1.bias);
  EXPECT_EQ(c1.activation, Activation::kSwish);  // x * sigmoid(x) fused
  EXPECT_EQ(find(net, "conv2").activation, Activation::kHardswish);
  EXPECT_EQ(find(net, "se.fc").activation, Activation::kHardsigmoid);
  const Layer& se = find(net, "se.scale");
  EXPECT_EQ(se.op, Op::kMul);
  EXPECT_EQ(se.inputs, (std::vector<std::string>{"conv2", "se.fc"}));  // the gate goes second
  EXPECT_EQ(find(net, "relu6").activation, Activation::kRelu6);
  const Layer& right = find(net, "split_2");
  EXPECT_EQ(right.op, Op::kSlice);
  EXPECT_EQ(right.offset, 8);
  EXPECT_EQ(right.out_channels, 8);
  EXPECT_EQ(find(net, "branch").groups, 8);
  EXPECT_EQ(find(net, "cat").op, Op::kConcat);
  EXPECT_EQ(find(net, "mean").op, Op::kGlobalAvgPool);
  const Layer& fc = find(net, "fc");  // MatMul + Add: a linear layer with bias
  EXPECT_EQ(fc.op, Op::kLinear);
  EXPECT_TRUE(fc.bias);
  EXPECT_EQ(fc.activation, Activation::kRelu);
  EXPECT_EQ(net.params(), 224 + 128 + 272 + 72 + 170);
  EXPECT_EQ(net.size(), 14u);
}

TEST(OnnxImport, QuantizeDequantizeSetTheFixedPointFormats) {
  const Network net = import_onnx(kFixtures + "quant.onnx");
  const Layer& conv = find(net, "conv");
  ASSERT_TRUE(conv.quant.has_value());
  // int8 weights at scale 1/64: 6 fraction bits; uint8 input at scale 1/16: 4.
  EXPECT_EQ(*conv.quant, (Quant{2, 6, 4, 4}));
}

TEST(OnnxImport, AnUnsupportedOpNamesTheNodeItsTypeAndTheSupportedOps) {
  const std::string path = kFixtures + "unsupported.onnx";
  EXPECT_EQ(test::input_error_of([&] { import_onnx(path); }),
            path +
                ": 'node': node 1 'head/softmax' (op Softmax): unsupported op 'Softmax'; "
                "supported ops: Add, AveragePool, BatchNormalization, Cast, Clip, Concat, "
                "Constant, ConstantOfShape, Conv, DequantizeLinear, Div, Dropout, Flatten, "
                "Gather, Gemm, GlobalAveragePool, HardSigmoid, HardSwish, Identity, MatMul, "
                "MaxPool, Mul, Pad, QuantizeLinear, ReduceMean, Relu, Reshape, Shape, Sigmoid, "
                "Slice, Split, Squeeze, Sub, Transpose, Unsqueeze");
}

TEST(OnnxImport, AFileThatIsNotOnnxIsAClearError) {
  const std::string path = kFixtures + "../zoo_torchvision_counts.tsv";
  EXPECT_EQ(test::input_error_of([&] { import_onnx(path); }),
            path + ": not an ONNX model (the protobuf does not parse)");
  EXPECT_EQ(test::input_error_of([&] { import_onnx("/nonexistent/m.onnx"); }),
            "/nonexistent/m.onnx: cannot open the ONNX file");
}

TEST(OnnxImport, AMappedOpUsedInAnUnmappedWayNamesTheNodeAndWhatIsMapped) {
  const auto error = [](const std::string& name) {
    return test::input_error_of([&] { import_onnx(kFixtures + name + ".onnx"); });
  };
  EXPECT_EQ(error("bad_clip"),
            kFixtures +
                "bad_clip.onnx: 'node': node 1 'clip' (op Clip): clip to [0, 1]; "
                "coda maps Clip(0, 6) as relu6 and Clip(0) as relu");
  EXPECT_EQ(error("bad_bn"),
            kFixtures +
                "bad_bn.onnx: 'node': node 1 'bn' (op BatchNormalization): coda folds a batch-norm "
                "into the Conv, Gemm, MatMul or Concat before it when nothing else reads that "
                "layer; its input comes from 'pool' (max_pool)");
  EXPECT_EQ(error("bad_transpose"),
            kFixtures +
                "bad_transpose.onnx: 'node': node 0 'nhwc' (op Transpose): perm [0,2,3,1]; coda "
                "maps a Transpose only inside a channel shuffle (Reshape to [N,g,C/g,H,W], perm "
                "[0,2,1,3,4], Reshape back)");
}

// A libFuzzer finding: an Identity node stripped of its output.
TEST(OnnxImport, ANodeWithoutOutputsIsAClearError) {
  const std::string path =
      std::string(CODA_SOURCE_DIR) + "/fuzz/seeds/onnx_model/identity-without-output.onnx";
  EXPECT_EQ(test::input_error_of([&] { import_onnx(path); }),
            path + ": 'node': node 110 'Identity_110' (op Identity): the node has no output");
}

TEST(OnnxImport, TheImportedYamlLoadsBackAsTheSameNetwork) {
  for (const std::string name : {"ops", "torchvision/shufflenet_v2_x1_0",
                                 "torchvision/efficientnet_b0", "torchvision/inception_v3"}) {
    SCOPED_TRACE(name);
    const Network net = import_onnx(kFixtures + name + ".onnx");
    const Network back = parse_network_yaml(to_yaml(net));
    EXPECT_TRUE(same_network(net, back));
    EXPECT_EQ(back.params(), net.params());
    EXPECT_EQ(back.macs(), net.macs());
  }
}

}  // namespace
}  // namespace coda::network
