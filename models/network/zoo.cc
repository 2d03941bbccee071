#include "models/network/zoo.h"

#include <cmath>
#include <sstream>
#include <tuple>

#include "core/text.h"
#include "models/network/blocks.h"
#include "models/network/onnx_import.h"
#include "models/network/yaml_io.h"

namespace coda::network {
namespace {

constexpr auto kRelu = Activation::kRelu;
constexpr auto kRelu6 = Activation::kRelu6;
constexpr auto kSwish = Activation::kSwish;
constexpr auto kHswish = Activation::kHardswish;

ZooOption input_option(int def = 224) {
  return {"input", std::to_string(def), "input height and width in pixels"};
}
ZooOption classes_option(int def = 1000) {
  return {"classes", std::to_string(def), "number of output classes"};
}

Shape rgb(const ZooOptions& o) {
  const auto s = o.get_int("input", 8, 4096);
  return {3, s, s};
}
std::int64_t classes(const ZooOptions& o) {
  return o.get_int("classes", 1, 100000);
}

// ---- AlexNet, VGG ---------------------------------------------------------

Network alexnet(const std::string& name, const ZooOptions& o) {
  Builder b(name, rgb(o));
  auto conv = [](std::int64_t out, int k, int s, int p) {
    return ConvSpec::make(out, k, s, kRelu).with_pad(p).with_bias().without_bn();
  };
  auto x = b.conv("features.0", b.input(), conv(64, 11, 4, 2));
  x = b.max_pool("features.2", x, 3, 2);
  x = b.conv("features.3", x, conv(192, 5, 1, 2));
  x = b.max_pool("features.5", x, 3, 2);
  x = b.conv("features.6", x, conv(384, 3, 1, 1));
  x = b.conv("features.8", x, conv(256, 3, 1, 1));
  x = b.conv("features.10", x, conv(256, 3, 1, 1));
  x = b.max_pool("features.12", x, 3, 2);
  x = b.adaptive_avg_pool("avgpool", x, 6, 6);
  x = b.flatten("flatten", x);
  x = b.linear("classifier.1", x, 4096, true, kRelu);
  x = b.linear("classifier.4", x, 4096, true, kRelu);
  b.linear("classifier.6", x, classes(o));
  return b.take();
}

// torchvision's VGG configurations (Simonyan & Zisserman 2015, Table 1):
// channels of each 3x3 conv, 0 for a 2x2 max-pool.
const std::vector<int> kVgg11 = {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
const std::vector<int> kVgg13 = {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
const std::vector<int> kVgg16 = {64, 64,  0,   128, 128, 0,   256, 256, 256,
                                 0,  512, 512, 512, 0,   512, 512, 512, 0};
const std::vector<int> kVgg19 = {64,  64,  0,   128, 128, 0,   256, 256, 256, 256, 0,
                                 512, 512, 512, 512, 0,   512, 512, 512, 512, 0};

Network vgg(const std::string& name, const ZooOptions& o, const std::vector<int>& cfg,
            bool batch_norm) {
  Builder b(name, rgb(o));
  std::string x = b.input();
  int idx = 0;
  for (int c : cfg) {
    const std::string n = "features." + std::to_string(idx);
    if (c == 0) {
      x = b.max_pool(n, x, 2, 2);
      idx += 1;
    } else {
      ConvSpec s = ConvSpec::make(c, 3, 1, kRelu).with_bias();
      if (!batch_norm) s.without_bn();
      x = b.conv(n, x, s);
      idx += batch_norm ? 3 : 2;
    }
  }
  x = b.adaptive_avg_pool("avgpool", x, 7, 7);
  x = b.flatten("flatten", x);
  x = b.linear("classifier.0", x, 4096, true, kRelu);
  x = b.linear("classifier.3", x, 4096, true, kRelu);
  b.linear("classifier.6", x, classes(o));
  return b.take();
}

// ---- ResNet -----------------------------------------------------------------

// ResNet; with groups or a wider base (ResNeXt, Wide ResNet) the bottleneck's
// 3x3 conv has torchvision's width int(planes * base_width / 64) * groups.
Network resnet(const std::string& name, const ZooOptions& o, const std::vector<int>& depths,
               bool bottleneck, std::int64_t groups = 1, std::int64_t base_width = 64) {
  Builder b(name, rgb(o));
  auto x = b.conv("conv1", b.input(), ConvSpec::make(64, 7, 2, kRelu));
  x = b.max_pool("maxpool", x, 3, 2, 1);
  const std::int64_t widths[] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    for (int i = 0; i < depths[stage]; ++i) {
      const int stride = (stage > 0 && i == 0) ? 2 : 1;
      const std::string n = "layer" + std::to_string(stage + 1) + "." + std::to_string(i);
      const std::int64_t mid = widths[stage] * base_width / 64 * groups;
      x = bottleneck ? bottleneck_block(b, n, x, widths[stage] * 4, mid, 3, stride, groups)
                     : basic_residual(b, n, x, widths[stage], stride);
    }
  }
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.linear("fc", x, classes(o));
  return b.take();
}

// ---- RegNet -------------------------------------------------------------------
// Radosavovic et al. 2020 as torchvision builds it (BlockParams.from_init_params):
// block j has width w_0 + j w_a, quantized in log space with step w_m to a
// multiple of 8; runs of equal widths are stages (stride 2 each); the group
// width is capped by the width, which then rounds to a multiple of it.
// Arithmetic in float, as torch does it in float32.

struct RegNetSpec {
  int depth;
  double w_0, w_a, w_m;
  std::int64_t group_width;
  double se_ratio;  // 0: RegNetX (no squeeze-excite)
};

// torchvision.models._utils._make_divisible.
std::int64_t round_divisible(double v, std::int64_t divisor) {
  std::int64_t r = std::max<std::int64_t>(
      divisor, static_cast<std::int64_t>(v + divisor / 2.0) / divisor * divisor);
  if (static_cast<double>(r) < 0.9 * v) r += divisor;
  return r;
}

Network regnet(const std::string& name, const ZooOptions& o, const RegNetSpec& p) {
  std::vector<std::int64_t> widths;
  for (int j = 0; j < p.depth; ++j) {
    // torch: float32 tensors; Python scalars enter as float32, math.log(w_m) as a double.
    const auto w_0 = static_cast<float>(p.w_0);
    const float cont = static_cast<float>(j) * static_cast<float>(p.w_a) + w_0;
    const float capacity =
        std::nearbyint(std::log(cont / w_0) / static_cast<float>(std::log(p.w_m)));
    const float w =
        std::nearbyint(w_0 * std::pow(static_cast<float>(p.w_m), capacity) / 8.0f) * 8.0f;
    widths.push_back(static_cast<std::int64_t>(w));
  }
  struct Stage {
    std::int64_t width, groups;
    int depth;
  };
  std::vector<Stage> stages;
  for (std::size_t j = 0; j < widths.size(); ++j) {
    if (j == 0 || widths[j] != widths[j - 1]) {
      stages.push_back({widths[j], 0, 0});
    }
    ++stages.back().depth;
  }
  for (auto& s : stages) {
    const std::int64_t g = std::min(p.group_width, s.width);
    s.width = round_divisible(static_cast<double>(s.width), g);
    s.groups = g;
  }
  Builder b(name, rgb(o));
  auto x = b.conv("stem", b.input(), ConvSpec::make(32, 3, 2, kRelu));
  for (std::size_t si = 0; si < stages.size(); ++si) {
    const Stage& s = stages[si];
    for (int i = 0; i < s.depth; ++i) {
      const std::string n = "trunk_output.block" + std::to_string(si + 1) + ".block" +
                            std::to_string(si + 1) + "-" + std::to_string(i);
      const std::int64_t in = b.channels(x);
      const int stride = i == 0 ? 2 : 1;
      auto y = b.conv(n + ".f.a", x, ConvSpec::make(s.width, 1, 1, kRelu));
      y = b.conv(n + ".f.b", y,
                 ConvSpec::make(s.width, 3, stride, kRelu).with_groups(s.width / s.groups));
      if (p.se_ratio > 0) {
        y = squeeze_excite(b, n + ".f.se", y,
                           static_cast<std::int64_t>(std::lround(p.se_ratio * in)));
      }
      y = b.conv(n + ".f.c", y, ConvSpec::make(s.width, 1, 1));
      std::string shortcut = x;
      if (in != s.width || stride != 1) {
        shortcut = b.conv(n + ".proj", x, ConvSpec::make(s.width, 1, stride));
      }
      x = b.add(n + ".add", {y, shortcut}, kRelu);
    }
  }
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.linear("fc", x, classes(o));
  return b.take();
}

// ---- MobileNetV2, MNASNet, MobileNetV3 -------------------------------------

Network mobilenet_v2(const std::string& name, const ZooOptions& o) {
  const double width = o.get_double("width", 0.05, 4.0);
  Builder b(name, rgb(o));
  struct Stage {
    int t;
    int c;
    int n;
    int s;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  const std::int64_t last = make_divisible(1280 * std::max(1.0, width));
  auto x =
      b.conv("features.0", b.input(), ConvSpec::make(make_divisible(32 * width), 3, 2, kRelu6));
  int idx = 1;
  for (const auto& st : stages) {
    const std::int64_t out = make_divisible(st.c * width);
    for (int i = 0; i < st.n; ++i) {
      IbnSpec s;
      s.out = out;
      s.mid = static_cast<std::int64_t>(std::lround(b.channels(x) * static_cast<double>(st.t)));
      s.kernel = 3;
      s.stride = i == 0 ? st.s : 1;
      s.act = kRelu6;
      x = inverted_residual(b, "features." + std::to_string(idx++), x, s);
    }
  }
  x = b.conv("features." + std::to_string(idx), x, ConvSpec::make(last, 1, 1, kRelu6));
  x = b.global_avg_pool("pool", x);
  x = b.flatten("flatten", x);
  b.linear("classifier.1", x, classes(o));
  return b.take();
}

// torchvision mnasnet's _round_to_multiple_of with round_up_bias 0.9.
std::int64_t round_to_multiple(double v, std::int64_t divisor) {
  const std::int64_t r = std::max<std::int64_t>(
      divisor, static_cast<std::int64_t>(v + divisor / 2.0) / divisor * divisor);
  return static_cast<double>(r) >= 0.9 * v ? r : r + divisor;
}

Network mnasnet(const std::string& name, const ZooOptions& o, double alpha) {
  Builder b(name, rgb(o));
  const int base[] = {32, 16, 24, 40, 80, 96, 192, 320};
  std::int64_t d[8];
  for (int i = 0; i < 8; ++i) d[i] = round_to_multiple(base[i] * alpha, 8);
  auto x = b.conv("layers.0", b.input(), ConvSpec::make(d[0], 3, 2, kRelu));
  x = b.conv("layers.3", x, ConvSpec::make(d[0], 3, 1, kRelu).with_groups(d[0]));
  x = b.conv("layers.6", x, ConvSpec::make(d[1], 1, 1));
  struct Stack {
    int k;
    int s;
    int t;
    int n;
  };
  const Stack stacks[] = {{3, 2, 3, 3}, {5, 2, 3, 3}, {5, 2, 6, 3},
                          {3, 1, 6, 2}, {5, 2, 6, 4}, {3, 1, 6, 1}};
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < stacks[i].n; ++j) {
      IbnSpec s;
      s.out = d[i + 2];
      s.mid = b.channels(x) * stacks[i].t;
      s.kernel = stacks[i].k;
      s.stride = j == 0 ? stacks[i].s : 1;
      s.act = kRelu;
      x = inverted_residual(b, "layers." + std::to_string(8 + i) + "." + std::to_string(j), x, s);
    }
  }
  x = b.conv("layers.14", x, ConvSpec::make(1280, 1, 1, kRelu));
  x = b.global_avg_pool("pool", x);
  x = b.flatten("flatten", x);
  b.linear("classifier.1", x, classes(o));
  return b.take();
}

// torchvision's MobileNetV3 inverted-residual settings (Howard et al. 2019,
// Tables 1-2): kernel, expansion, output channels, SE, hard-swish, stride.
struct V3Block {
  int k;
  int exp;
  int out;
  bool se;
  bool hs;
  int s;
};

Network mobilenet_v3(const std::string& name, const ZooOptions& o, const std::vector<V3Block>& cfg,
                     std::int64_t last_conv, std::int64_t hidden) {
  Builder b(name, rgb(o));
  auto x = b.conv("features.0", b.input(), ConvSpec::make(16, 3, 2, kHswish));
  int idx = 1;
  for (const auto& c : cfg) {
    IbnSpec s;
    s.out = c.out;
    s.mid = c.exp;
    s.kernel = c.k;
    s.stride = c.s;
    s.act = c.hs ? kHswish : kRelu;
    s.se = c.se ? make_divisible(c.exp / 4) : 0;
    s.se_act = kRelu;
    s.se_gate = Activation::kHardsigmoid;
    x = inverted_residual(b, "features." + std::to_string(idx++), x, s);
  }
  x = b.conv("features." + std::to_string(idx), x, ConvSpec::make(last_conv, 1, 1, kHswish));
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  x = b.linear("classifier.0", x, hidden, true, kHswish);
  b.linear("classifier.3", x, classes(o));
  return b.take();
}

Network mobilenet_v3_small(const std::string& name, const ZooOptions& o) {
  return mobilenet_v3(name, o,
                      {{3, 16, 16, true, false, 2},
                       {3, 72, 24, false, false, 2},
                       {3, 88, 24, false, false, 1},
                       {5, 96, 40, true, true, 2},
                       {5, 240, 40, true, true, 1},
                       {5, 240, 40, true, true, 1},
                       {5, 120, 48, true, true, 1},
                       {5, 144, 48, true, true, 1},
                       {5, 288, 96, true, true, 2},
                       {5, 576, 96, true, true, 1},
                       {5, 576, 96, true, true, 1}},
                      576, 1024);
}

Network mobilenet_v3_large(const std::string& name, const ZooOptions& o) {
  return mobilenet_v3(name, o,
                      {{3, 16, 16, false, false, 1},
                       {3, 64, 24, false, false, 2},
                       {3, 72, 24, false, false, 1},
                       {5, 72, 40, true, false, 2},
                       {5, 120, 40, true, false, 1},
                       {5, 120, 40, true, false, 1},
                       {3, 240, 80, false, true, 2},
                       {3, 200, 80, false, true, 1},
                       {3, 184, 80, false, true, 1},
                       {3, 184, 80, false, true, 1},
                       {3, 480, 112, true, true, 1},
                       {3, 672, 112, true, true, 1},
                       {5, 672, 160, true, true, 2},
                       {5, 960, 160, true, true, 1},
                       {5, 960, 160, true, true, 1}},
                      960, 1280);
}

// ---- ShuffleNetV2 ---------------------------------------------------------------
// Ma et al. 2018 as torchvision builds it: stages of 4, 8 and 4 units; a
// stride-1 unit splits the channels in half, transforms one half and
// concatenates; a stride-2 unit transforms both copies; each ends in a
// 2-group channel shuffle.

Network shufflenet_v2(const std::string& name, const ZooOptions& o,
                      const std::vector<std::int64_t>& widths) {
  Builder b(name, rgb(o));
  auto x = b.conv("conv1", b.input(), ConvSpec::make(widths[0], 3, 2, kRelu));
  x = b.max_pool("maxpool", x, 3, 2, 1);
  const int repeats[] = {4, 8, 4};
  for (int stage = 0; stage < 3; ++stage) {
    const std::int64_t branch = widths[stage + 1] / 2;
    for (int i = 0; i < repeats[stage]; ++i) {
      const std::string n = "stage" + std::to_string(stage + 2) + "." + std::to_string(i);
      const int stride = i == 0 ? 2 : 1;
      std::string left, right = x;
      if (stride == 1) {
        const std::int64_t half = b.channels(x) / 2;
        left = b.slice(n + ".x1", x, 0, half);
        right = b.slice(n + ".x2", x, half, half);
      } else {
        const std::int64_t in = b.channels(x);
        left = b.conv(n + ".branch1.0", x, ConvSpec::make(in, 3, 2).with_groups(in));
        left = b.conv(n + ".branch1.2", left, ConvSpec::make(branch, 1, 1, kRelu));
      }
      auto y = b.conv(n + ".branch2.0", right, ConvSpec::make(branch, 1, 1, kRelu));
      y = b.conv(n + ".branch2.3", y, ConvSpec::make(branch, 3, stride).with_groups(branch));
      y = b.conv(n + ".branch2.5", y, ConvSpec::make(branch, 1, 1, kRelu));
      x = b.shuffle(n + ".shuffle", b.concat(n + ".cat", {left, y}), 2);
    }
  }
  x = b.conv("conv5", x, ConvSpec::make(widths[4], 1, 1, kRelu));
  x = b.global_avg_pool("mean", x);
  x = b.flatten("flatten", x);
  b.linear("fc", x, classes(o));
  return b.take();
}

// ---- EfficientNet -------------------------------------------------------------

Network efficientnet(const std::string& name, const ZooOptions& o, double width, double depth) {
  const bool se = o.get_bool("se");
  const Activation act = o.get_choice("act", {"swish", "relu"}) == "swish" ? kSwish : kRelu;
  Builder b(name, rgb(o));
  struct Cfg {
    int t;
    int k;
    int s;
    int in;
    int out;
    int n;
  };
  const Cfg cfg[] = {{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},  {6, 5, 2, 24, 40, 2},
                     {6, 3, 2, 40, 80, 3},  {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
                     {6, 3, 1, 192, 320, 1}};
  auto x = b.conv("features.0", b.input(), ConvSpec::make(make_divisible(32 * width), 3, 2, act));
  int stage = 1;
  for (const auto& c : cfg) {
    const int n = static_cast<int>(std::ceil(c.n * depth));
    const std::int64_t out = make_divisible(c.out * width);
    for (int i = 0; i < n; ++i) {
      const std::int64_t in = b.channels(x);
      IbnSpec s;
      s.out = out;
      s.mid = make_divisible(static_cast<double>(in) * c.t);
      s.kernel = c.k;
      s.stride = i == 0 ? c.s : 1;
      s.act = act;
      s.se = se ? std::max<std::int64_t>(1, in / 4) : 0;
      s.se_act = act;
      s.se_gate = Activation::kSigmoid;
      x = inverted_residual(b, "features." + std::to_string(stage) + "." + std::to_string(i), x, s);
    }
    ++stage;
  }
  x = b.conv("features." + std::to_string(stage), x,
             ConvSpec::make(4 * make_divisible(320 * width), 1, 1, act));
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.linear("classifier.1", x, classes(o));
  return b.take();
}

// EfficientNetV2 (Tan & Le 2021, Table 4) as torchvision builds it: stages of
// fused MBConv (a kxk conv expands) then MBConv with SE (squeeze = input / 4),
// SiLU throughout, a 1x1 head to 1280 channels.
struct V2Stage {
  bool fused;
  int t;
  int s;
  int in;
  int out;
  int n;
};

Network efficientnet_v2(const std::string& name, const ZooOptions& o,
                        const std::vector<V2Stage>& stages) {
  Builder b(name, rgb(o));
  auto x = b.conv("features.0", b.input(), ConvSpec::make(stages[0].in, 3, 2, kSwish));
  int stage = 1;
  for (const auto& c : stages) {
    for (int i = 0; i < c.n; ++i) {
      const std::int64_t in = b.channels(x);
      IbnSpec s;
      s.out = c.out;
      s.mid = make_divisible(static_cast<double>(in) * c.t);
      s.kernel = 3;
      s.stride = i == 0 ? c.s : 1;
      s.act = kSwish;
      const std::string n = "features." + std::to_string(stage) + "." + std::to_string(i);
      if (c.fused) {
        x = fused_inverted_residual(b, n, x, s);
      } else {
        s.se = std::max<std::int64_t>(1, in / 4);
        s.se_act = kSwish;
        s.se_gate = Activation::kSigmoid;
        x = inverted_residual(b, n, x, s);
      }
    }
    ++stage;
  }
  x = b.conv("features." + std::to_string(stage), x, ConvSpec::make(1280, 1, 1, kSwish));
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.linear("classifier.1", x, classes(o));
  return b.take();
}

// ---- SqueezeNet, GoogLeNet, DenseNet ------------------------------------------

Network squeezenet(const std::string& name, const ZooOptions& o, bool v11) {
  Builder b(name, rgb(o));
  auto stem = v11 ? ConvSpec::make(64, 3, 2, kRelu) : ConvSpec::make(96, 7, 2, kRelu);
  auto x = b.conv("features.0", b.input(), stem.with_pad(0).with_bias().without_bn());
  struct F {
    int s, e1, e3;
  };
  auto fires = [&](std::vector<F> list, int& idx) {
    for (const auto& f : list) {
      x = fire(b, "features." + std::to_string(idx++), x, f.s, f.e1, f.e3);
    }
  };
  int idx = 3;
  x = b.max_pool("features.2", x, 3, 2, 0, true);
  if (v11) {
    fires({{16, 64, 64}, {16, 64, 64}}, idx);
    x = b.max_pool("features.5", x, 3, 2, 0, true);
    idx = 6;
    fires({{32, 128, 128}, {32, 128, 128}}, idx);
    x = b.max_pool("features.8", x, 3, 2, 0, true);
    idx = 9;
    fires({{48, 192, 192}, {48, 192, 192}, {64, 256, 256}, {64, 256, 256}}, idx);
  } else {
    fires({{16, 64, 64}, {16, 64, 64}, {32, 128, 128}}, idx);
    x = b.max_pool("features.6", x, 3, 2, 0, true);
    idx = 7;
    fires({{32, 128, 128}, {48, 192, 192}, {48, 192, 192}, {64, 256, 256}}, idx);
    x = b.max_pool("features.11", x, 3, 2, 0, true);
    idx = 12;
    fires({{64, 256, 256}}, idx);
  }
  x = b.conv("classifier.1", x, ConvSpec::make(classes(o), 1, 1, kRelu).with_bias().without_bn());
  x = b.global_avg_pool("classifier.3", x);
  b.flatten("flatten", x);
  return b.take();
}

// Inception-v3 (Szegedy et al. 2016) as torchvision builds it, no aux head.
// BasicConv2d is conv + BN + ReLU with no padding unless given; (1,7) and
// (7,1) kernels pad their long side by 3, (1,3) and (3,1) by 1.
Network inception_v3(const std::string& name, const ZooOptions& o) {
  Builder b(name, rgb(o));
  auto bc = [&](const std::string& n, const std::string& x, std::int64_t out, int kh, int kw,
                int stride = 1, bool same = true) {
    ConvSpec s = ConvSpec::make(out, kh, stride, kRelu);
    s.kernel_w = kw;
    if (!same) s.with_pad(0);
    return b.conv(n, x, s);
  };
  auto x = bc("Conv2d_1a_3x3", b.input(), 32, 3, 3, 2, false);
  x = bc("Conv2d_2a_3x3", x, 32, 3, 3, 1, false);
  x = bc("Conv2d_2b_3x3", x, 64, 3, 3);
  x = b.max_pool("maxpool1", x, 3, 2);
  x = bc("Conv2d_3b_1x1", x, 80, 1, 1);
  x = bc("Conv2d_4a_3x3", x, 192, 3, 3, 1, false);
  x = b.max_pool("maxpool2", x, 3, 2);
  auto block_a = [&](const std::string& n, const std::string& in, std::int64_t pool_features) {
    const auto b1 = bc(n + ".branch1x1", in, 64, 1, 1);
    auto b5 = bc(n + ".branch5x5_1", in, 48, 1, 1);
    b5 = bc(n + ".branch5x5_2", b5, 64, 5, 5);
    auto b3 = bc(n + ".branch3x3dbl_1", in, 64, 1, 1);
    b3 = bc(n + ".branch3x3dbl_2", b3, 96, 3, 3);
    b3 = bc(n + ".branch3x3dbl_3", b3, 96, 3, 3);
    auto bp = b.avg_pool(n + ".pool", in, 3, 1, 1);
    bp = bc(n + ".branch_pool", bp, pool_features, 1, 1);
    return b.concat(n + ".cat", {b1, b5, b3, bp});
  };
  auto block_c = [&](const std::string& n, const std::string& in, std::int64_t c7) {
    const auto b1 = bc(n + ".branch1x1", in, 192, 1, 1);
    auto b7 = bc(n + ".branch7x7_1", in, c7, 1, 1);
    b7 = bc(n + ".branch7x7_2", b7, c7, 1, 7);
    b7 = bc(n + ".branch7x7_3", b7, 192, 7, 1);
    auto bd = bc(n + ".branch7x7dbl_1", in, c7, 1, 1);
    bd = bc(n + ".branch7x7dbl_2", bd, c7, 7, 1);
    bd = bc(n + ".branch7x7dbl_3", bd, c7, 1, 7);
    bd = bc(n + ".branch7x7dbl_4", bd, c7, 7, 1);
    bd = bc(n + ".branch7x7dbl_5", bd, 192, 1, 7);
    auto bp = b.avg_pool(n + ".pool", in, 3, 1, 1);
    bp = bc(n + ".branch_pool", bp, 192, 1, 1);
    return b.concat(n + ".cat", {b1, b7, bd, bp});
  };
  auto block_e = [&](const std::string& n, const std::string& in) {
    const auto b1 = bc(n + ".branch1x1", in, 320, 1, 1);
    const auto b3 = bc(n + ".branch3x3_1", in, 384, 1, 1);
    const auto b3a = bc(n + ".branch3x3_2a", b3, 384, 1, 3);
    const auto b3b = bc(n + ".branch3x3_2b", b3, 384, 3, 1);
    auto bd = bc(n + ".branch3x3dbl_1", in, 448, 1, 1);
    bd = bc(n + ".branch3x3dbl_2", bd, 384, 3, 3);
    const auto bda = bc(n + ".branch3x3dbl_3a", bd, 384, 1, 3);
    const auto bdb = bc(n + ".branch3x3dbl_3b", bd, 384, 3, 1);
    auto bp = b.avg_pool(n + ".pool", in, 3, 1, 1);
    bp = bc(n + ".branch_pool", bp, 192, 1, 1);
    return b.concat(n + ".cat", {b1, b3a, b3b, bda, bdb, bp});
  };
  x = block_a("Mixed_5b", x, 32);
  x = block_a("Mixed_5c", x, 64);
  x = block_a("Mixed_5d", x, 64);
  {  // InceptionB
    const std::string n = "Mixed_6a";
    const auto b3 = bc(n + ".branch3x3", x, 384, 3, 3, 2, false);
    auto bd = bc(n + ".branch3x3dbl_1", x, 64, 1, 1);
    bd = bc(n + ".branch3x3dbl_2", bd, 96, 3, 3);
    bd = bc(n + ".branch3x3dbl_3", bd, 96, 3, 3, 2, false);
    const auto bp = b.max_pool(n + ".pool", x, 3, 2);
    x = b.concat(n + ".cat", {b3, bd, bp});
  }
  x = block_c("Mixed_6b", x, 128);
  x = block_c("Mixed_6c", x, 160);
  x = block_c("Mixed_6d", x, 160);
  x = block_c("Mixed_6e", x, 192);
  {  // InceptionD
    const std::string n = "Mixed_7a";
    auto b3 = bc(n + ".branch3x3_1", x, 192, 1, 1);
    b3 = bc(n + ".branch3x3_2", b3, 320, 3, 3, 2, false);
    auto b7 = bc(n + ".branch7x7x3_1", x, 192, 1, 1);
    b7 = bc(n + ".branch7x7x3_2", b7, 192, 1, 7);
    b7 = bc(n + ".branch7x7x3_3", b7, 192, 7, 1);
    b7 = bc(n + ".branch7x7x3_4", b7, 192, 3, 3, 2, false);
    const auto bp = b.max_pool(n + ".pool", x, 3, 2);
    x = b.concat(n + ".cat", {b3, b7, bp});
  }
  x = block_e("Mixed_7b", x);
  x = block_e("Mixed_7c", x);
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.linear("fc", x, classes(o));
  return b.take();
}

Network googlenet(const std::string& name, const ZooOptions& o) {
  Builder b(name, rgb(o));
  auto x = b.conv("conv1", b.input(), ConvSpec::make(64, 7, 2, kRelu));
  x = b.max_pool("maxpool1", x, 3, 2, 0, true);
  x = b.conv("conv2", x, ConvSpec::make(64, 1, 1, kRelu));
  x = b.conv("conv3", x, ConvSpec::make(192, 3, 1, kRelu));
  x = b.max_pool("maxpool2", x, 3, 2, 0, true);
  x = inception(b, "inception3a", x, {64, 96, 128, 16, 32, 32});
  x = inception(b, "inception3b", x, {128, 128, 192, 32, 96, 64});
  x = b.max_pool("maxpool3", x, 3, 2, 0, true);
  x = inception(b, "inception4a", x, {192, 96, 208, 16, 48, 64});
  x = inception(b, "inception4b", x, {160, 112, 224, 24, 64, 64});
  x = inception(b, "inception4c", x, {128, 128, 256, 24, 64, 64});
  x = inception(b, "inception4d", x, {112, 144, 288, 32, 64, 64});
  x = inception(b, "inception4e", x, {256, 160, 320, 32, 128, 128});
  x = b.max_pool("maxpool4", x, 2, 2, 0, true);
  x = inception(b, "inception5a", x, {256, 160, 320, 32, 128, 128});
  x = inception(b, "inception5b", x, {384, 192, 384, 48, 128, 128});
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.linear("fc", x, classes(o));
  return b.take();
}

// DenseNet (Huang et al. 2017) as torchvision builds it: growth rate, stem
// width and layers per dense block.
Network densenet(const std::string& name, const ZooOptions& o, std::int64_t growth,
                 std::int64_t stem, const std::vector<int>& blocks) {
  const std::int64_t bn_size = 4;
  Builder b(name, rgb(o));
  auto x = b.conv("features.conv0", b.input(), ConvSpec::make(stem, 7, 2, kRelu));
  x = b.max_pool("features.pool0", x, 3, 2, 1);
  for (int i = 0; i < 4; ++i) {
    const std::string block = "features.denseblock" + std::to_string(i + 1);
    std::vector<std::string> features = {x};
    for (int j = 0; j < blocks[i]; ++j) {
      dense_layer(b, block + ".denselayer" + std::to_string(j + 1), features, growth, bn_size);
    }
    if (i < 3) {
      const std::string t = "features.transition" + std::to_string(i + 1);
      x = b.concat(t + ".cat", features, true, kRelu);
      x = b.conv(t + ".conv", x, ConvSpec::make(b.channels(x) / 2, 1, 1).without_bn());
      x = b.avg_pool(t + ".pool", x, 2, 2);
    } else {
      x = b.concat("features.norm5", features, true, kRelu);
    }
  }
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.linear("classifier", x, classes(o));
  return b.take();
}

// ---- ProxylessNAS, FBNet ----------------------------------------------------
// ProxylessNAS (Cai et al., ICLR 2019) published architectures, as tabulated by
// the authors' released configs: per stage, the kernel and expansion of each
// MBConv, with "zero" (skipped) blocks where the search chose none.

Network mbconv_chain(const std::string& name, const ZooOptions& o, int stem,
                     const std::vector<MbBlock>& blocks, int head, Activation act) {
  return network::mbconv_chain(name, rgb(o), static_cast<int>(classes(o)), stem, blocks, head, act);
}

Network proxyless(const std::string& name, const ZooOptions& o, const std::string& variant) {
  // Stages: [first MBConv], then four stride-2 stages; the fourth holds two
  // channel groups (stride 2 then stride 1). expand 0 marks a skipped block.
  std::vector<std::vector<int>> out, kernel, expand;
  int stem = 0, head = 0;
  if (variant == "mobile") {
    stem = 32, head = 1280;
    out = {{16},
           {32, 32, 32, 32},
           {40, 40, 40, 40},
           {80, 80, 80, 80},
           {96, 96, 96, 96},
           {192, 192, 192, 192},
           {320}};
    kernel = {{3}, {5, 3, 3, 3}, {7, 3, 5, 5}, {7, 5, 5, 5}, {5, 5, 5, 5}, {7, 7, 7, 7}, {7}};
    expand = {{1}, {3, 3, 0, 0}, {3, 3, 3, 3}, {6, 3, 3, 3}, {6, 3, 3, 3}, {6, 6, 3, 3}, {6}};
  } else if (variant == "gpu") {
    stem = 40, head = 1728;
    out = {{24},
           {32, 32, 32, 32},
           {56, 56, 56, 56},
           {112, 112, 112, 112},
           {128, 128, 128, 128},
           {256, 256, 256, 256},
           {432}};
    kernel = {{3}, {5, 3, 3, 3}, {7, 3, 3, 3}, {7, 5, 5, 5}, {5, 3, 3, 5}, {7, 7, 7, 5}, {7}};
    expand = {{1}, {3, 0, 0, 0}, {3, 0, 0, 3}, {6, 0, 0, 3}, {6, 0, 3, 3}, {6, 6, 6, 6}, {6}};
  } else {
    stem = 40, head = 1432;
    out = {{24},
           {32, 32, 32, 32},
           {48, 48, 48, 48},
           {88, 88, 88, 88},
           {104, 104, 104, 104},
           {216, 216, 216, 216},
           {360}};
    kernel = {{3}, {3, 3, 3, 3}, {3, 3, 3, 5}, {3, 3, 3, 3}, {5, 3, 3, 3}, {5, 5, 5, 3}, {5}};
    expand = {{1}, {6, 3, 3, 3}, {6, 3, 3, 3}, {6, 0, 0, 3}, {6, 3, 3, 3}, {6, 3, 3, 3}, {6}};
  }
  // The 96/104/128/136-channel group and the last block continue at stride 1.
  std::vector<MbBlock> blocks;
  for (std::size_t st = 0; st < out.size(); ++st) {
    const bool downsample = st >= 1 && st <= 5 && st != 4;
    for (std::size_t j = 0; j < out[st].size(); ++j) {
      blocks.push_back({out[st][j], kernel[st][j], expand[st][j], (downsample && j == 0) ? 2 : 1});
    }
  }
  return mbconv_chain(name, o, stem, blocks, head, kRelu6);
}

Network fbnet_a(const std::string& name, const ZooOptions& o) {
  // FBNet-A (Wu et al., CVPR 2019, Fig. 4), as released in mobile-vision's
  // fbnet_modeldef: stem 16 s2, then blocks (out, kernel, expansion, stride,
  // groups); "skip" blocks are identities.
  const std::vector<MbBlock> blocks = {
      {16, 3, 0, 1},  {24, 3, 3, 2},     {24, 3, 1, 1},  {24, 3, 0, 1},  {24, 3, 0, 1},
      {32, 5, 6, 2},  {32, 3, 3, 1},     {32, 5, 1, 1},  {32, 3, 3, 1},  {64, 5, 6, 2},
      {64, 5, 3, 1},  {64, 5, 1, 1, 2},  {64, 5, 6, 1},  {112, 3, 6, 1}, {112, 5, 1, 1, 2},
      {112, 5, 3, 1}, {112, 3, 1, 1, 2}, {184, 5, 6, 2}, {184, 5, 6, 1}, {184, 5, 3, 1},
      {184, 5, 6, 1}, {352, 5, 6, 1}};
  return mbconv_chain(name, o, 16, blocks, 1504, kRelu);
}

// ---- Lu et al. ICCAD'19 Table 2 ---------------------------------------------------

struct LuLayer {
  int n, fh, fw, sh, sw, ps;
};

Network lu_net(const std::string& name, const ZooOptions& o, const std::vector<LuLayer>& layers) {
  // Each layer: conv (same padding, bias) + ReLU, then a Ps x Ps max-pool when
  // Ps > 1 (Lu et al. §4). Two FC layers follow; the paper does not give the
  // hidden width, so it is an option.
  Builder b(name, rgb(o));
  std::string x = b.input();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    ConvSpec s = ConvSpec::make(l.n, 1, 1, kRelu).with_bias().without_bn();
    s.kernel_h = l.fh;
    s.kernel_w = l.fw;
    s.stride_h = l.sh;
    s.stride_w = l.sw;
    x = b.conv("conv" + std::to_string(i + 1), x, s);
    if (l.ps > 1) x = b.max_pool("pool" + std::to_string(i + 1), x, l.ps, l.ps);
  }
  x = b.flatten("flatten", x);
  x = b.linear("fc1", x, o.get_int("hidden", 1, 65536), true, kRelu);
  b.linear("fc2", x, classes(o));
  return b.take();
}

std::vector<ZooOption> with_common(std::vector<ZooOption> extra, int input = 224,
                                   int n_classes = 1000) {
  std::vector<ZooOption> out = {input_option(input), classes_option(n_classes)};
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<ZooEntry> make_zoo() {
  const std::vector<ZooOption> effnet_opts = {
      {"se", "true", "squeeze-excite blocks (false: NAHAS 'wo SE/Swish')"},
      {"act", "swish", "activation: swish or relu"}};
  const ZooOption lu_hidden = {"hidden", "512",
                               "width of the first FC layer (not given in the paper)"};
  std::vector<ZooEntry> z;
  auto add = [&](std::string name, std::string source, std::vector<ZooOption> opts,
                 std::function<Network(const std::string&, const ZooOptions&)> fn) {
    z.push_back({name, std::move(source), std::move(opts), nullptr});
    z.back().build = [fn, name](const ZooOptions& o) { return fn(name, o); };
  };
  add("alexnet", "torchvision alexnet", with_common({}), alexnet);
  const std::pair<const char*, const std::vector<int>*> vggs[] = {
      {"vgg11", &kVgg11}, {"vgg13", &kVgg13}, {"vgg16", &kVgg16}, {"vgg19", &kVgg19}};
  for (const auto& [vname, cfg] : vggs) {
    for (const bool bn : {false, true}) {
      const std::string n = std::string(vname) + (bn ? "_bn" : "");
      add(n, "torchvision " + n, with_common({}),
          [cfg = cfg, bn = bn](const std::string& name, const ZooOptions& o) {
            return vgg(name, o, *cfg, bn);
          });
    }
  }
  add("resnet18", "torchvision resnet18", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {2, 2, 2, 2}, false);
      });
  add("resnet34", "torchvision resnet34", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {3, 4, 6, 3}, false);
      });
  add("resnet50", "torchvision resnet50", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {3, 4, 6, 3}, true);
      });
  add("resnet101", "torchvision resnet101", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {3, 4, 23, 3}, true);
      });
  add("resnet152", "torchvision resnet152", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {3, 8, 36, 3}, true);
      });
  add("resnext50_32x4d", "torchvision resnext50_32x4d", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {3, 4, 6, 3}, true, 32, 4);
      });
  add("resnext101_32x8d", "torchvision resnext101_32x8d", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {3, 4, 23, 3}, true, 32, 8);
      });
  add("resnext101_64x4d", "torchvision resnext101_64x4d", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {3, 4, 23, 3}, true, 64, 4);
      });
  add("wide_resnet50_2", "torchvision wide_resnet50_2", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {3, 4, 6, 3}, true, 1, 128);
      });
  add("wide_resnet101_2", "torchvision wide_resnet101_2", with_common({}),
      [](const std::string& n, const ZooOptions& o) {
        return resnet(n, o, {3, 4, 23, 3}, true, 1, 128);
      });
  // torchvision's regnet_* settings: depth, w_0, w_a, w_m, group width, SE ratio.
  const std::pair<const char*, RegNetSpec> regnets[] = {
      {"regnet_y_400mf", {16, 48, 27.89, 2.09, 8, 0.25}},
      {"regnet_y_800mf", {14, 56, 38.84, 2.4, 16, 0.25}},
      {"regnet_y_1_6gf", {27, 48, 20.71, 2.65, 24, 0.25}},
      {"regnet_y_3_2gf", {21, 80, 42.63, 2.66, 24, 0.25}},
      {"regnet_y_8gf", {17, 192, 76.82, 2.19, 56, 0.25}},
      {"regnet_y_16gf", {18, 200, 106.23, 2.48, 112, 0.25}},
      {"regnet_y_32gf", {20, 232, 115.89, 2.53, 232, 0.25}},
      {"regnet_y_128gf", {27, 456, 160.83, 2.52, 264, 0.25}},
      {"regnet_x_400mf", {22, 24, 24.48, 2.54, 16, 0}},
      {"regnet_x_800mf", {16, 56, 35.73, 2.28, 16, 0}},
      {"regnet_x_1_6gf", {18, 80, 34.01, 2.25, 24, 0}},
      {"regnet_x_3_2gf", {25, 88, 26.31, 2.25, 48, 0}},
      {"regnet_x_8gf", {23, 80, 49.56, 2.88, 120, 0}},
      {"regnet_x_16gf", {22, 216, 55.59, 2.1, 128, 0}},
      {"regnet_x_32gf", {23, 320, 69.86, 2.0, 168, 0}}};
  for (const auto& [rname, spec] : regnets) {
    add(rname, std::string("torchvision ") + rname, with_common({}),
        [spec = spec](const std::string& n, const ZooOptions& o) { return regnet(n, o, spec); });
  }
  add("mobilenet_v2", "torchvision mobilenet_v2",
      with_common({{"width", "1.0", "width multiplier"}}), mobilenet_v2);
  add("mnasnet0_5", "torchvision mnasnet0_5", with_common({}),
      [](const std::string& n, const ZooOptions& o) { return mnasnet(n, o, 0.5); });
  add("mnasnet0_75", "torchvision mnasnet0_75", with_common({}),
      [](const std::string& n, const ZooOptions& o) { return mnasnet(n, o, 0.75); });
  add("mnasnet1_0", "torchvision mnasnet1_0", with_common({}),
      [](const std::string& n, const ZooOptions& o) { return mnasnet(n, o, 1.0); });
  add("mnasnet1_3", "torchvision mnasnet1_3", with_common({}),
      [](const std::string& n, const ZooOptions& o) { return mnasnet(n, o, 1.3); });
  add("squeezenet1_0", "torchvision squeezenet1_0", with_common({}),
      [](const std::string& n, const ZooOptions& o) { return squeezenet(n, o, false); });
  add("squeezenet1_1", "torchvision squeezenet1_1", with_common({}),
      [](const std::string& n, const ZooOptions& o) { return squeezenet(n, o, true); });
  add("googlenet", "torchvision googlenet (Inception-v1), no aux heads", with_common({}),
      googlenet);
  add("inception_v3", "torchvision inception_v3, no aux head", with_common({}, 299), inception_v3);
  const std::tuple<const char*, std::int64_t, std::int64_t, std::vector<int>> densenets[] = {
      {"densenet121", 32, 64, {6, 12, 24, 16}},
      {"densenet161", 48, 96, {6, 12, 36, 24}},
      {"densenet169", 32, 64, {6, 12, 32, 32}},
      {"densenet201", 32, 64, {6, 12, 48, 32}}};
  for (const auto& [dname, growth, stem, blocks] : densenets) {
    add(dname, std::string("torchvision ") + dname, with_common({}),
        [growth = growth, stem = stem, blocks = blocks](const std::string& n, const ZooOptions& o) {
          return densenet(n, o, growth, stem, blocks);
        });
  }
  add("efficientnet_b0", "torchvision efficientnet_b0", with_common(effnet_opts),
      [](const std::string& n, const ZooOptions& o) { return efficientnet(n, o, 1.0, 1.0); });
  add("efficientnet_b1", "torchvision efficientnet_b1", with_common(effnet_opts),
      [](const std::string& n, const ZooOptions& o) { return efficientnet(n, o, 1.0, 1.1); });
  // Width and depth multipliers of torchvision's efficientnet_b0-b7 (Tan & Le 2019).
  const std::tuple<const char*, double, double> effnets[] = {
      {"efficientnet_b2", 1.1, 1.2}, {"efficientnet_b3", 1.2, 1.4}, {"efficientnet_b4", 1.4, 1.8},
      {"efficientnet_b5", 1.6, 2.2}, {"efficientnet_b6", 1.8, 2.6}, {"efficientnet_b7", 2.0, 3.1}};
  // torchvision's efficientnet_v2_s/m/l stages: fused, expansion, stride, in, out, layers.
  const std::pair<const char*, std::vector<V2Stage>> effnets_v2[] = {
      {"efficientnet_v2_s",
       {{true, 1, 1, 24, 24, 2},
        {true, 4, 2, 24, 48, 4},
        {true, 4, 2, 48, 64, 4},
        {false, 4, 2, 64, 128, 6},
        {false, 6, 1, 128, 160, 9},
        {false, 6, 2, 160, 256, 15}}},
      {"efficientnet_v2_m",
       {{true, 1, 1, 24, 24, 3},
        {true, 4, 2, 24, 48, 5},
        {true, 4, 2, 48, 80, 5},
        {false, 4, 2, 80, 160, 7},
        {false, 6, 1, 160, 176, 14},
        {false, 6, 2, 176, 304, 18},
        {false, 6, 1, 304, 512, 5}}},
      {"efficientnet_v2_l",
       {{true, 1, 1, 32, 32, 4},
        {true, 4, 2, 32, 64, 7},
        {true, 4, 2, 64, 96, 7},
        {false, 4, 2, 96, 192, 10},
        {false, 6, 1, 192, 224, 19},
        {false, 6, 2, 224, 384, 25},
        {false, 6, 1, 384, 640, 7}}}};
  for (const auto& [vname, stages] : effnets_v2) {
    add(vname, std::string("torchvision ") + vname, with_common({}),
        [stages = stages](const std::string& n, const ZooOptions& o) {
          return efficientnet_v2(n, o, stages);
        });
  }
  for (const auto& [ename, width, depth] : effnets) {
    add(ename, std::string("torchvision ") + ename, with_common(effnet_opts),
        [width = width, depth = depth](const std::string& n, const ZooOptions& o) {
          return efficientnet(n, o, width, depth);
        });
  }
  add("mobilenet_v3_large", "torchvision mobilenet_v3_large", with_common({}), mobilenet_v3_large);
  add("mobilenet_v3_small", "torchvision mobilenet_v3_small", with_common({}), mobilenet_v3_small);
  // Stage widths of torchvision's shufflenet_v2_x* (Ma et al. 2018, Table 5).
  const std::pair<const char*, std::vector<std::int64_t>> shufflenets[] = {
      {"shufflenet_v2_x0_5", {24, 48, 96, 192, 1024}},
      {"shufflenet_v2_x1_0", {24, 116, 232, 464, 1024}},
      {"shufflenet_v2_x1_5", {24, 176, 352, 704, 1024}},
      {"shufflenet_v2_x2_0", {24, 244, 488, 976, 2048}}};
  for (const auto& [sname, widths] : shufflenets) {
    add(sname, std::string("torchvision ") + sname, with_common({}),
        [widths = widths](const std::string& n, const ZooOptions& o) {
          return shufflenet_v2(n, o, widths);
        });
  }
  add("proxyless_mobile", "ProxylessNAS (Cai et al. 2019) mobile", with_common({}),
      [](const std::string& n, const ZooOptions& o) { return proxyless(n, o, "mobile"); });
  add("proxyless_gpu", "ProxylessNAS (Cai et al. 2019) GPU", with_common({}),
      [](const std::string& n, const ZooOptions& o) { return proxyless(n, o, "gpu"); });
  add("proxyless_cpu", "ProxylessNAS (Cai et al. 2019) CPU", with_common({}),
      [](const std::string& n, const ZooOptions& o) { return proxyless(n, o, "cpu"); });
  add("fbnet_a", "FBNet-A (Wu et al. 2019)", with_common({}), fbnet_a);
  const std::vector<ZooOption> lu_opts = with_common({lu_hidden}, 32, 10);
  add("lu_a1", "Lu et al. ICCAD'19 Table 2, A1", lu_opts,
      [](const std::string& n, const ZooOptions& o) {
        return lu_net(n, o,
                      {{64, 3, 3, 1, 1, 1},
                       {48, 7, 5, 1, 1, 1},
                       {48, 5, 5, 2, 1, 1},
                       {64, 3, 5, 1, 1, 1},
                       {36, 5, 7, 1, 1, 1},
                       {64, 3, 1, 1, 2, 2}});
      });
  add("lu_b1", "Lu et al. ICCAD'19 Table 2, B1", lu_opts,
      [](const std::string& n, const ZooOptions& o) {
        return lu_net(n, o,
                      {{64, 3, 3, 1, 1, 1},
                       {64, 3, 5, 1, 1, 1},
                       {64, 3, 3, 1, 1, 2},
                       {64, 5, 5, 1, 1, 2},
                       {64, 5, 3, 1, 1, 1},
                       {64, 7, 7, 1, 1, 1}});
      });
  add("lu_d", "Lu et al. ICCAD'19 Table 2, D", lu_opts,
      [](const std::string& n, const ZooOptions& o) {
        return lu_net(n, o,
                      {{48, 5, 3, 1, 1, 1},
                       {48, 3, 1, 1, 1, 2},
                       {36, 1, 7, 1, 1, 2},
                       {36, 7, 3, 1, 1, 1},
                       {24, 5, 5, 1, 1, 1},
                       {24, 1, 1, 1, 1, 1}});
      });
  add("lu_e", "Lu et al. ICCAD'19 Table 2, E", lu_opts,
      [](const std::string& n, const ZooOptions& o) {
        return lu_net(n, o,
                      {{48, 5, 1, 1, 1, 1},
                       {48, 5, 3, 1, 1, 2},
                       {36, 1, 5, 1, 1, 1},
                       {64, 7, 7, 1, 1, 2},
                       {64, 7, 3, 1, 1, 2},
                       {48, 5, 3, 1, 1, 1}});
      });
  add("lu_f", "Lu et al. ICCAD'19 Table 2, F", lu_opts,
      [](const std::string& n, const ZooOptions& o) {
        return lu_net(n, o,
                      {{64, 1, 5, 1, 1, 1},
                       {36, 1, 7, 1, 1, 1},
                       {64, 5, 7, 1, 1, 2},
                       {48, 5, 3, 1, 1, 2},
                       {48, 7, 7, 1, 1, 1},
                       {36, 1, 5, 1, 1, 1}});
      });
  return z;
}

}  // namespace

const std::string& ZooOptions::raw(const std::string& key) const {
  return values_.at(key);  // every declared key has a value (its default)
}

long long ZooOptions::get_int(const std::string& key, long long lo, long long hi) const {
  const std::string& v = raw(key);
  const auto parsed = parse_int(v);
  if (!parsed) throw InputError({network_, 0, 0}, key, "expected an integer, got '" + v + "'");
  const long long x = *parsed;
  if (x < lo || x > hi) {
    throw InputError(
        {network_, 0, 0}, key,
        v + " is out of range; allowed " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return x;
}

double ZooOptions::get_double(const std::string& key, double lo, double hi) const {
  const std::string& v = raw(key);
  const auto parsed = parse_double(v);
  if (!parsed) throw InputError({network_, 0, 0}, key, "expected a number, got '" + v + "'");
  const double x = *parsed;
  if (!(x >= lo && x <= hi)) {
    std::ostringstream range;
    range << lo << " to " << hi;
    throw InputError({network_, 0, 0}, key, v + " is out of range; allowed " + range.str());
  }
  return x;
}

bool ZooOptions::get_bool(const std::string& key) const {
  return get_choice(key, {"true", "false"}) == "true";
}

std::string ZooOptions::get_choice(const std::string& key,
                                   const std::vector<std::string>& allowed) const {
  const std::string& v = raw(key);
  for (const auto& a : allowed)
    if (v == a) return v;
  throw InputError({network_, 0, 0}, key,
                   "'" + v + "' is not allowed; allowed: " + join(allowed, ", "));
}

const std::vector<ZooEntry>& zoo() {
  static const std::vector<ZooEntry> entries = make_zoo();
  return entries;
}

std::vector<std::string> zoo_names() {
  std::vector<std::string> out;
  for (const auto& e : zoo()) out.push_back(e.name);
  return out;
}

bool is_zoo_name(const std::string& spec) {
  const std::string base = spec.substr(0, spec.find(':'));
  for (const auto& e : zoo())
    if (e.name == base) return true;
  return false;
}

Network build_zoo(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string base = spec.substr(0, colon);
  const ZooEntry* entry = nullptr;
  for (const auto& e : zoo())
    if (e.name == base) entry = &e;
  if (!entry) {
    const auto near = nearest_names(base, zoo_names());
    throw InputError({}, "network",
                     "unknown zoo network '" + base + "'" +
                         (near.empty() ? "" : "; did you mean " + join(near, ", ") + "?") +
                         " ('coda network list' shows all)");
  }
  std::map<std::string, std::string> values;
  for (const auto& opt : entry->options) values[opt.key] = opt.default_value;
  if (colon != std::string::npos) {
    for (const auto& item : split(spec.substr(colon + 1), ',')) {
      const auto eq = item.find('=');
      const std::string key = trim(item.substr(0, eq));
      if (eq == std::string::npos || key.empty()) {
        throw InputError({spec, 0, 0}, item, "expected key=value");
      }
      if (!values.count(key)) {
        std::vector<std::string> keys;
        for (const auto& opt : entry->options) keys.push_back(opt.key);
        throw InputError({spec, 0, 0}, key,
                         "unknown option of " + base + "; allowed options: " + join(keys, ", "));
      }
      values[key] = trim(item.substr(eq + 1));
    }
  }
  Network net = entry->build(ZooOptions(spec, values));
  net.set_name(spec);
  return net;
}

Network load_network(const std::string& spec_or_path) {
  const auto ends_with = [&](const std::string& suffix) {
    return spec_or_path.size() >= suffix.size() &&
           spec_or_path.compare(spec_or_path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".yaml") || ends_with(".yml")) return load_network_yaml(spec_or_path);
  if (ends_with(".onnx")) return import_onnx(spec_or_path);
  return build_zoo(spec_or_path);
}

}  // namespace coda::network
