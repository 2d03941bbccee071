#include "models/network/blocks.h"

#include <algorithm>

namespace coda::network {

std::int64_t make_divisible(double value, std::int64_t divisor) {
  std::int64_t v = std::max<std::int64_t>(
      divisor, static_cast<std::int64_t>(value + divisor / 2.0) / divisor * divisor);
  if (static_cast<double>(v) < 0.9 * value) v += divisor;  // never round down by more than 10%
  return v;
}

std::string squeeze_excite(Builder& b, const std::string& name, const std::string& x,
                           std::int64_t squeeze, Activation act, Activation gate) {
  const std::int64_t c = b.channels(x);
  auto pooled = b.global_avg_pool(name + ".pool", x);
  auto fc1 =
      b.conv(name + ".fc1", pooled, ConvSpec::make(squeeze, 1, 1, act).with_bias().without_bn());
  auto fc2 = b.conv(name + ".fc2", fc1, ConvSpec::make(c, 1, 1, gate).with_bias().without_bn());
  return b.mul(name + ".scale", x, fc2);
}

std::string inverted_residual(Builder& b, const std::string& name, const std::string& x,
                              const IbnSpec& s) {
  const std::int64_t in = b.channels(x);
  std::string y = x;
  if (s.mid != in) {
    y = b.conv(name + ".expand", y, ConvSpec::make(s.mid, 1, 1, s.act).with_groups(s.groups));
    if (s.groups > 1) y = b.shuffle(name + ".shuffle", y, s.groups);
  }
  y = b.conv(name + ".dw", y, ConvSpec::make(s.mid, s.kernel, s.stride, s.act).with_groups(s.mid));
  if (s.se > 0) y = squeeze_excite(b, name + ".se", y, s.se, s.se_act, s.se_gate);
  y = b.conv(name + ".project", y, ConvSpec::make(s.out, 1, 1).with_groups(s.groups));
  if (s.residual && s.stride == 1 && in == s.out) y = b.add(name + ".add", {x, y});
  return y;
}

std::string fused_inverted_residual(Builder& b, const std::string& name, const std::string& x,
                                    const IbnSpec& s) {
  const std::int64_t in = b.channels(x);
  const bool project = s.mid != s.out || s.mid != in;
  std::string y = b.conv(
      name + ".fused", x,
      ConvSpec::make(project ? s.mid : s.out, s.kernel, s.stride, s.act).with_groups(s.groups));
  if (s.se > 0) y = squeeze_excite(b, name + ".se", y, s.se, s.se_act, s.se_gate);
  if (project) y = b.conv(name + ".project", y, ConvSpec::make(s.out, 1, 1));
  if (s.residual && s.stride == 1 && in == s.out) y = b.add(name + ".add", {x, y});
  return y;
}

namespace {

std::string shortcut(Builder& b, const std::string& name, const std::string& x, std::int64_t out,
                     int stride) {
  if (stride == 1 && b.channels(x) == out) return x;
  return b.conv(name + ".downsample", x, ConvSpec::make(out, 1, stride));
}

}  // namespace

std::string basic_residual(Builder& b, const std::string& name, const std::string& x,
                           std::int64_t out, int stride, int kernel) {
  auto y = b.conv(name + ".conv1", x, ConvSpec::make(out, kernel, stride, Activation::kRelu));
  y = b.conv(name + ".conv2", y, ConvSpec::make(out, kernel, 1));
  return b.add(name + ".add", {y, shortcut(b, name, x, out, stride)}, Activation::kRelu);
}

std::string bottleneck_residual(Builder& b, const std::string& name, const std::string& x,
                                std::int64_t width, int stride, int expansion) {
  return bottleneck_block(b, name, x, width * expansion, width, 3, stride);
}

std::string bottleneck_block(Builder& b, const std::string& name, const std::string& x,
                             std::int64_t out, std::int64_t mid, int kernel, int stride,
                             std::int64_t groups) {
  auto y = b.conv(name + ".conv1", x, ConvSpec::make(mid, 1, 1, Activation::kRelu));
  y = b.conv(name + ".conv2", y,
             ConvSpec::make(mid, kernel, stride, Activation::kRelu).with_groups(groups));
  y = b.conv(name + ".conv3", y, ConvSpec::make(out, 1, 1));
  return b.add(name + ".add", {y, shortcut(b, name, x, out, stride)}, Activation::kRelu);
}

std::string conv_stack(Builder& b, const std::string& name, const std::string& x, std::int64_t out,
                       int kernel, int depth, int stride, Activation act) {
  std::string y = x;
  for (int i = 0; i < depth; ++i) {
    y = b.conv(name + ".conv" + std::to_string(i), y,
               ConvSpec::make(out, kernel, i == 0 ? stride : 1, act));
  }
  return y;
}

std::string dense_layer(Builder& b, const std::string& name, std::vector<std::string>& features,
                        std::int64_t growth, std::int64_t bn_size) {
  // torchvision's _DenseLayer: norm1 and relu1 act on torch.cat(features).
  auto x = b.concat(name + ".cat", features, /*batch_norm=*/true, Activation::kRelu);
  x = b.conv(name + ".conv1", x, ConvSpec::make(bn_size * growth, 1, 1, Activation::kRelu));
  x = b.conv(name + ".conv2", x, ConvSpec::make(growth, 3, 1).without_bn());
  features.push_back(x);
  return x;
}

std::string fire(Builder& b, const std::string& name, const std::string& x, std::int64_t squeeze,
                 std::int64_t expand1, std::int64_t expand3) {
  const auto relu = Activation::kRelu;
  auto s =
      b.conv(name + ".squeeze", x, ConvSpec::make(squeeze, 1, 1, relu).with_bias().without_bn());
  auto e1 =
      b.conv(name + ".expand1x1", s, ConvSpec::make(expand1, 1, 1, relu).with_bias().without_bn());
  auto e3 =
      b.conv(name + ".expand3x3", s, ConvSpec::make(expand3, 3, 1, relu).with_bias().without_bn());
  return b.concat(name + ".cat", {e1, e3});
}

std::string inception(Builder& b, const std::string& name, const std::string& x,
                      const InceptionSpec& s) {
  const auto relu = Activation::kRelu;
  auto b1 = b.conv(name + ".branch1", x, ConvSpec::make(s.ch1x1, 1, 1, relu));
  auto b2 = b.conv(name + ".branch2.0", x, ConvSpec::make(s.ch3x3red, 1, 1, relu));
  b2 = b.conv(name + ".branch2.1", b2, ConvSpec::make(s.ch3x3, 3, 1, relu));
  auto b3 = b.conv(name + ".branch3.0", x, ConvSpec::make(s.ch5x5red, 1, 1, relu));
  b3 = b.conv(name + ".branch3.1", b3, ConvSpec::make(s.ch5x5, 3, 1, relu));
  auto b4 = b.max_pool(name + ".branch4.pool", x, 3, 1, 1, /*ceil_mode=*/true);
  b4 = b.conv(name + ".branch4.1", b4, ConvSpec::make(s.pool_proj, 1, 1, relu));
  return b.concat(name + ".cat", {b1, b2, b3, b4});
}

Network mbconv_chain(const std::string& name, Shape input, int classes, int stem,
                     const std::vector<MbBlock>& blocks, int head, Activation act) {
  Builder b(name, input);
  auto x = b.conv("first_conv", b.input(), ConvSpec::make(stem, 3, 2, act));
  int i = 0;
  for (const auto& blk : blocks) {
    const std::string n = "blocks." + std::to_string(i++);
    if (blk.expand == 0) continue;
    IbnSpec s;
    s.out = blk.out;
    s.mid = b.channels(x) * blk.expand;
    s.kernel = blk.kernel;
    s.stride = blk.stride;
    s.act = act;
    s.groups = blk.groups;
    x = inverted_residual(b, n, x, s);
  }
  x = b.conv("feature_mix_layer", x, ConvSpec::make(head, 1, 1, act));
  x = b.global_avg_pool("global_avg_pooling", x);
  x = b.flatten("flatten", x);
  b.linear("classifier", x, classes);
  return b.take();
}

}  // namespace coda::network
