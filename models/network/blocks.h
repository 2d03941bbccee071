// Reusable block builders. The zoo builds its networks from these, and the
// search decoders build candidates from the same blocks, so a candidate and
// its zoo baseline share one definition.
#pragma once

#include <string>
#include <vector>

#include "models/network/builder.h"

namespace coda::network {

// torchvision's _make_divisible (MobileNetV2/V3, EfficientNet channel rounding).
std::int64_t make_divisible(double value, std::int64_t divisor = 8);

// Squeeze-excite: global pool, 1x1 conv to `squeeze` (act), 1x1 conv back
// (gate), then a channel-wise multiply. Convs carry biases and no batch-norm.
std::string squeeze_excite(Builder& b, const std::string& name, const std::string& x,
                           std::int64_t squeeze, Activation act = Activation::kRelu,
                           Activation gate = Activation::kSigmoid);

// Inverted bottleneck (IBN, MBConv): optional 1x1 expansion, kxk depthwise,
// optional SE, 1x1 linear projection, identity residual when shapes allow.
struct IbnSpec {
  std::int64_t out = 0;
  std::int64_t mid = 0;  // expanded channels; equal to the input skips the expansion conv
  int kernel = 3;
  int stride = 1;
  Activation act = Activation::kRelu6;
  std::int64_t se = 0;  // squeeze channels; 0 = no SE
  Activation se_act = Activation::kRelu;
  Activation se_gate = Activation::kSigmoid;
  std::int64_t groups = 1;  // groups of the 1x1 convs (FBNet), with a shuffle after expansion
  bool residual = true;     // allow the identity shortcut
};
std::string inverted_residual(Builder& b, const std::string& name, const std::string& x,
                              const IbnSpec& spec);

// Fused IBN (NAHAS evolved space, EfficientNet-V2): a regular kxk conv does the
// expansion, then optional SE and a 1x1 projection (skipped when mid == out and
// there is no expansion).
std::string fused_inverted_residual(Builder& b, const std::string& name, const std::string& x,
                                    const IbnSpec& spec);

// ResNet basic block (two 3x3 convs) and bottleneck (1x1, 3x3 with the stride,
// 1x1 x4), with a 1x1 projection shortcut when the shape changes.
std::string basic_residual(Builder& b, const std::string& name, const std::string& x,
                           std::int64_t out, int stride, int kernel = 3);
std::string bottleneck_residual(Builder& b, const std::string& name, const std::string& x,
                                std::int64_t width, int stride, int expansion = 4);
// The bottleneck with any inner width and kernel: 1x1 to `mid`, k x k with
// the stride (in `groups` groups: ResNeXt), 1x1 to `out` (no activation),
// then the shortcut and ReLU.
std::string bottleneck_block(Builder& b, const std::string& name, const std::string& x,
                             std::int64_t out, std::int64_t mid, int kernel, int stride,
                             std::int64_t groups = 1);

// A VGG stage: `depth` k x k convolutions to `out` with ReLU, the first with
// the stride (Simonyan & Zisserman 2015), named name.conv0, name.conv1, ...
std::string conv_stack(Builder& b, const std::string& name, const std::string& x, std::int64_t out,
                       int kernel, int depth, int stride, Activation act = Activation::kRelu);

// DenseNet layer: BN-ReLU over the concatenation of all earlier features, 1x1
// conv to bn_size*growth, BN-ReLU, 3x3 conv to growth. Appends the new
// feature map to `features` and returns it.
std::string dense_layer(Builder& b, const std::string& name, std::vector<std::string>& features,
                        std::int64_t growth, std::int64_t bn_size);

// SqueezeNet fire module: squeeze 1x1, then concatenated 1x1 and 3x3 expands.
std::string fire(Builder& b, const std::string& name, const std::string& x, std::int64_t squeeze,
                 std::int64_t expand1, std::int64_t expand3);

// torchvision's Inception (GoogLeNet) block. Like torchvision, the "5x5"
// branch uses a 3x3 kernel.
struct InceptionSpec {
  std::int64_t ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj;
};
std::string inception(Builder& b, const std::string& name, const std::string& x,
                      const InceptionSpec& spec);

// A chain of MBConv blocks between a 3x3 stride-2 stem and a 1x1 head, then
// global pool and classifier (ProxylessNAS, FBNet, the FBNet search space).
struct MbBlock {
  int out;
  int kernel;
  int expand;  // 0 = skipped block (identity)
  int stride;
  int groups = 1;
};
Network mbconv_chain(const std::string& name, Shape input, int classes, int stem,
                     const std::vector<MbBlock>& blocks, int head, Activation act);

}  // namespace coda::network
