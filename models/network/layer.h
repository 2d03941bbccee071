// The layer record of the network IR (DESIGN.md "Core interfaces").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coda::network {

enum class Op {
  kInput,
  kConv2d,  // groups, dilation; depthwise is groups == channels
  kLinear,  // expects a flattened [C,1,1] input
  kMaxPool,
  kAvgPool,
  kAdaptiveAvgPool,  // torchvision's AdaptiveAvgPool2d to (out_h, out_w)
  kGlobalAvgPool,
  kAdd,
  kMul,     // element-wise; the second input may be [C,1,1] (squeeze-excite)
  kConcat,  // along channels
  kChannelShuffle,
  kSlice,  // channels [offset, offset + out_channels) of its input (ONNX Split/Slice)
  kFlatten,
  kActivation,  // a standalone activation; conv/linear/add carry theirs fused
};

enum class Activation { kNone, kRelu, kRelu6, kSigmoid, kSwish, kHardswish, kHardsigmoid };

const char* op_name(Op op);
const char* activation_name(Activation act);
// Parse by YAML name; std::nullopt when unknown.
std::optional<Op> op_from_name(const std::string& name);
std::optional<Activation> activation_from_name(const std::string& name);
std::vector<std::string> all_op_names();
std::vector<std::string> all_activation_names();

// Feature-map shape without the batch dimension.
struct Shape {
  std::int64_t c = 0;
  std::int64_t h = 0;
  std::int64_t w = 0;

  std::int64_t elements() const { return c * h * w; }
  std::string str() const;  // "[c,h,w]"
  bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
  bool operator!=(const Shape& o) const { return !(*this == o); }
};

// Fixed-point formats of Lu et al. eq. 1-2: weights signed <w_int, w_frac>
// (range [-2^(w_int-1), 2^(w_int-1)), so w_int counts the sign bit),
// activations unsigned <a_int, a_frac> (range [0, 2^a_int)).
struct Quant {
  int w_int = 0;
  int w_frac = 0;
  int a_int = 0;
  int a_frac = 0;

  int weight_bits() const { return w_int + w_frac; }  // eq. 2: w_int includes the sign
  int activation_bits() const { return a_int + a_frac; }
  // a_int = a_frac = 0: weights only (HotNAS quantization); activations keep
  // the datapath's width.
  bool quantizes_activations() const { return a_int != 0 || a_frac != 0; }
  // Why a format is not a 1-32 bit fixed-point number (integer part >= 1
  // with the sign, fraction >= 0), or "" when both are. `activations`:
  // check the activation format too (a compression plan sets weights only).
  std::string fault(bool activations = true) const;
  bool operator==(const Quant& o) const {
    return w_int == o.w_int && w_frac == o.w_frac && a_int == o.a_int && a_frac == o.a_frac;
  }
};

// HotNAS compression annotations on a conv layer.
struct Compression {
  int pattern_zeros = 0;  // PAT_c: zeros per kernel pattern (HotNAS eq. 15)
  int patterns = 0;       // PAT_n: number of distinct patterns in the layer
  int channel_cut = 0;    // output channels removed (HotNAS eq. 16-17)
  int kernel_expand = 0;  // kernel grows by 2*e, padding by e (HotNAS Theorem 1)

  bool any() const { return pattern_zeros || patterns || channel_cut || kernel_expand; }
  bool operator==(const Compression& o) const {
    return pattern_zeros == o.pattern_zeros && patterns == o.patterns &&
           channel_cut == o.channel_cut && kernel_expand == o.kernel_expand;
  }
};

struct Layer {
  std::string name;
  Op op = Op::kConv2d;
  std::vector<std::string> inputs;  // producer layer names, in operand order

  // conv2d: output channels; linear: output features; input: channels.
  std::int64_t out_channels = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;  // top and left padding; bottom and right too unless set below
  // Bottom and right padding where they differ from top and left (ONNX's
  // asymmetric `pads`); -1: symmetric.
  int pad_h_end = -1, pad_w_end = -1;
  std::int64_t offset = 0;  // slice: the first input channel taken
  int dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;  // conv2d groups; channel_shuffle groups
  bool bias = false;
  // A batch-norm on this layer's output, folded into it for execution. Its
  // affine scale and shift are counted as parameters, as torchvision does.
  bool batch_norm = false;
  bool ceil_mode = false;    // pooling output rounding, as torch.nn.MaxPool2d
  int out_h = 0, out_w = 0;  // adaptive_avg_pool target; input: height, width
  Activation activation = Activation::kNone;

  std::optional<Quant> quant;
  Compression compression;

  // Filled in by shape inference.
  std::vector<Shape> in_shapes;
  Shape out_shape;

  // The kernel and padding actually executed, after kernel expansion.
  int effective_kernel_h() const { return kernel_h + 2 * compression.kernel_expand; }
  int effective_kernel_w() const { return kernel_w + 2 * compression.kernel_expand; }
  int effective_pad_h() const { return pad_h + compression.kernel_expand; }
  int effective_pad_w() const { return pad_w + compression.kernel_expand; }
  int effective_pad_h_end() const {
    return (pad_h_end < 0 ? pad_h : pad_h_end) + compression.kernel_expand;
  }
  int effective_pad_w_end() const {
    return (pad_w_end < 0 ? pad_w : pad_w_end) + compression.kernel_expand;
  }
  bool symmetric_pad() const { return pad_h_end < 0 && pad_w_end < 0; }
  // Rows of padding in all, top and bottom.
  int pad_h_total() const { return pad_h + (pad_h_end < 0 ? pad_h : pad_h_end); }
  // Channels produced after the channel cut.
  std::int64_t effective_out_channels() const { return out_channels - compression.channel_cut; }
  // A depthwise conv keeps one group per channel, so a channel cut on its input
  // (or its own cut) removes groups rather than breaking divisibility.
  bool is_depthwise() const { return op == Op::kConv2d && groups > 1 && groups == out_channels; }
  std::int64_t effective_groups() const {
    return is_depthwise() ? effective_out_channels() : groups;
  }

  // Structural equality of the declared fields (shapes excluded).
  bool same_definition(const Layer& o) const;
};

}  // namespace coda::network
