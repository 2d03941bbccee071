#include "models/network/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/text.h"

namespace coda::network {
namespace {

// What an ONNX tensor name stands for during import.
struct Value {
  bool feature = false;  // a feature map produced by a coda layer; else a constant
  // Feature maps.
  std::string layer;                // the coda layer holding it
  int rank = 4;                     // 4: [N,C,H,W]; 2: [N,C] after a flatten or Gemm
  std::array<int, 4> pads{};        // a Pad not yet folded into its consumer [t,l,b,r]
  std::int64_t shuffle_groups = 0;  // channel shuffle in progress: reshaped to 5-D ...
  bool shuffle_transposed = false;  // ... and transposed
  std::string sigmoid_of;           // this is sigmoid(x) of tensor x, awaiting x * sigmoid(x)
  // Constants: dims always; values when the model stores them (shape
  // arithmetic, Clip bounds, scales); weights may be stripped.
  std::vector<std::int64_t> dims;
  std::vector<double> values;
  bool known = false;
  bool integer = false;
  // Quantization from QuantizeLinear/DequantizeLinear or a quantized initializer.
  int bits = 0;
  double scale = 0;  // 0: unknown

  bool pending() const {
    return pads != std::array<int, 4>{} || shuffle_groups != 0 || !sigmoid_of.empty();
  }
};

int bits_of(int onnx_type) {
  switch (onnx_type) {
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
      return 8;
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
      return 16;
    case onnx::TensorProto::INT32:
      return 32;
    default:
      return 0;
  }
}

// Bounds on what a model may declare: dims of a tensor, the values decoded
// (shape arithmetic, scales, Clip bounds; weights are never read), and
// sizes, strides, pads and groups.
constexpr std::int64_t kMaxDim = std::int64_t{1} << 31;
constexpr std::int64_t kMaxDecoded = 4096;
constexpr std::int64_t kMaxSmall = 65535;

// A tensor's dims and, when it is small and stored inline, its values.
// `sane` is false when a dim is negative or the element count passes 2^62.
Value constant_of(const onnx::TensorProto& t, bool& sane) {
  Value v;
  v.dims.assign(t.dims().begin(), t.dims().end());
  std::int64_t n = 1;
  sane = true;
  for (auto d : v.dims) {
    if (d < 0 || d > kMaxDim || (d > 0 && n > (std::int64_t{1} << 62) / d)) {
      sane = false;
      return v;
    }
    n *= d;
  }
  if (n > kMaxDecoded) return v;
  const std::string& raw = t.raw_data();
  auto from_raw = [&](auto zero) {
    using T = decltype(zero);
    if (raw.size() != static_cast<std::size_t>(n) * sizeof(T)) return;
    for (std::int64_t i = 0; i < n; ++i) {
      T x;
      std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));
      v.values.push_back(static_cast<double>(x));
    }
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      from_raw(0.0f);
      for (float x : t.float_data()) v.values.push_back(x);
      break;
    case onnx::TensorProto::DOUBLE:
      from_raw(0.0);
      for (double x : t.double_data()) v.values.push_back(x);
      break;
    case onnx::TensorProto::INT64:
      v.integer = true;
      from_raw(std::int64_t{0});
      for (auto x : t.int64_data()) v.values.push_back(static_cast<double>(x));
      break;
    case onnx::TensorProto::INT32:
      v.integer = true;
      from_raw(std::int32_t{0});
      for (auto x : t.int32_data()) v.values.push_back(x);
      break;
    case onnx::TensorProto::INT8:
      v.integer = true;
      from_raw(std::int8_t{0});
      for (auto x : t.int32_data()) v.values.push_back(x);
      break;
    case onnx::TensorProto::UINT8:
      v.integer = true;
      from_raw(std::uint8_t{0});
      for (auto x : t.int32_data()) v.values.push_back(x);
      break;
    default:
      break;
  }
  v.known = static_cast<std::int64_t>(v.values.size()) == n;
  if (!v.known) v.values.clear();
  return v;
}

std::string shape_str(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

class Importer {
 public:
  using Handler = void (Importer::*)(const onnx::NodeProto&);
  static const std::map<std::string, Handler>& handlers();

  Importer(std::string path, const onnx::ModelProto& model)
      : path_(std::move(path)), graph_(model.graph()) {
    net_.set_name(std::filesystem::path(path_).stem().string());
  }

  Network run() {
    count_uses();
    for (const auto& init : graph_.initializer()) {
      bool sane = true;
      Value v = constant_of(init, sane);
      if (!sane) {
        throw InputError({path_, 0, 0}, "initializer",
                         "'" + init.name() + "' has dims " + shape_str(v.dims) +
                             "; each must be 0 to 2^31 and their product below 2^62");
      }
      v.bits = bits_of(init.data_type());
      values_[init.name()] = v;
    }
    add_input();
    for (index_ = 0; index_ < graph_.node_size(); ++index_) {
      const onnx::NodeProto& n = graph_.node(index_);
      const auto h = handlers().find(n.op_type());
      if (h == handlers().end() || !n.domain().empty()) {
        fail(n, "unsupported op '" + (n.domain().empty() ? "" : n.domain() + ".") + n.op_type() +
                    "'; supported ops: " + join(onnx_supported_ops(), ", "));
      }
      if (n.output_size() == 0) fail(n, "the node has no output");
      (this->*(h->second))(n);
    }
    bool computes = false;
    for (auto id : net_.layers()) computes |= net_.layer(id).op != Op::kInput;
    if (!computes) throw InputError({path_, 0, 0}, "graph", "the model has no layer that computes");
    return std::move(net_);
  }

 private:
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& why) const {
    throw InputError({path_, 0, 0}, "node",
                     "node " + std::to_string(index_) + " '" + node_name(n) + "' (op " +
                         n.op_type() + "): " + why);
  }

  static std::string node_name(const onnx::NodeProto& n) {
    return n.name().empty() ? (n.output_size() ? n.output(0) : std::string("?")) : n.name();
  }

  // Identity and Dropout only rename; uses are counted on the tensor they rename.
  std::string root(const std::string& name) const {
    const auto a = alias_.find(name);
    return a == alias_.end() ? name : a->second;
  }

  void count_uses() {
    for (int i = 0; i < graph_.node_size(); ++i) {
      const auto& n = graph_.node(i);
      if ((n.op_type() == "Identity" || n.op_type() == "Dropout") && n.input_size() > 0 &&
          n.output_size() > 0) {
        alias_[n.output(0)] = root(n.input(0));
        continue;
      }
      for (const auto& in : n.input()) {
        if (in.empty()) continue;
        ++uses_[root(in)];
        users_[root(in)].push_back(i);
      }
    }
    for (const auto& out : graph_.output()) ++uses_[root(out.name())];
  }
  int uses(const std::string& tensor) const {
    const auto u = uses_.find(root(tensor));
    return u == uses_.end() ? 0 : u->second;
  }

  void add_input() {
    for (const auto& in : graph_.input()) {
      if (values_.count(in.name())) continue;  // an initializer listed as an input
      if (!net_.layers().empty()) {
        throw InputError({path_, 0, 0}, "input",
                         "input '" + in.name() + "': coda imports models with one image input");
      }
      std::vector<std::int64_t> dims;
      for (const auto& d : in.type().tensor_type().shape().dim())
        dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
      if (dims.size() != 4 || dims[1] <= 0 || dims[2] <= 0 || dims[3] <= 0 || dims[1] > kMaxDim ||
          dims[2] > kMaxSmall || dims[3] > kMaxSmall) {
        throw InputError({path_, 0, 0}, "input",
                         "input '" + in.name() + "' has shape " + shape_str(dims) +
                             "; coda imports an image input [N,C,H,W] with C, H and W fixed");
      }
      Layer l;
      l.name = in.name();
      l.op = Op::kInput;
      l.out_channels = dims[1];
      l.out_h = static_cast<int>(dims[2]);
      l.out_w = static_cast<int>(dims[3]);
      net_.add(l, {path_, 0, 0});
      Value v;
      v.feature = true;
      v.layer = l.name;
      values_[in.name()] = v;
    }
    if (net_.layers().empty()) throw InputError({path_, 0, 0}, "input", "the model has no input");
  }

  // ---- operand access ------------------------------------------------------

  const Value& value(const onnx::NodeProto& n, int i) const {
    if (i >= n.input_size() || n.input(i).empty()) fail(n, "missing input " + std::to_string(i));
    const auto v = values_.find(root(n.input(i)));
    if (v == values_.end()) fail(n, "input '" + n.input(i) + "' is not produced by any node");
    return v->second;
  }
  bool has_input(const onnx::NodeProto& n, int i) const {
    return i < n.input_size() && !n.input(i).empty();
  }
  // A feature map with nothing pending, unless the caller folds pads.
  const Value& feature(const onnx::NodeProto& n, int i, bool pads_ok = false) const {
    const Value& v = value(n, i);
    if (!v.feature) fail(n, "input '" + n.input(i) + "' is a constant; expected a feature map");
    if (v.shuffle_groups != 0) {
      fail(n, "input '" + n.input(i) +
                  "' is mid-way through a Reshape-Transpose-Reshape that is not a channel shuffle");
    }
    if (!v.sigmoid_of.empty() && v.layer.empty()) {
      fail(n, "input '" + n.input(i) + "' is a Sigmoid expected to feed x * sigmoid(x)");
    }
    if (!pads_ok && v.pads != std::array<int, 4>{}) {
      fail(n, "input '" + n.input(i) +
                  "' is padded by a Pad node; coda folds a Pad only into the "
                  "Conv, MaxPool or AveragePool that consumes it");
    }
    return v;
  }
  const Value& constant(const onnx::NodeProto& n, int i, bool need_values = true) const {
    const Value& v = value(n, i);
    if (v.feature) fail(n, "input '" + n.input(i) + "' is a feature map; expected a constant");
    if (need_values && !v.known) {
      fail(n, "input '" + n.input(i) + "' holds no stored values (stripped or external data)");
    }
    return v;
  }
  Layer& producer(const Value& v) { return net_.mutable_layer(net_.id(v.layer)); }
  Shape shape(const Value& v) const { return net_.layer(v.layer).out_shape; }

  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* key) const {
    for (const auto& a : n.attribute())
      if (a.name() == key) return &a;
    return nullptr;
  }
  std::int64_t attr_int(const onnx::NodeProto& n, const char* key, std::int64_t def) const {
    const auto* a = attr(n, key);
    return a ? a->i() : def;
  }
  double attr_float(const onnx::NodeProto& n, const char* key, double def) const {
    const auto* a = attr(n, key);
    return a ? a->f() : def;
  }
  std::vector<std::int64_t> attr_ints(const onnx::NodeProto& n, const char* key,
                                      std::vector<std::int64_t> def) const {
    const auto* a = attr(n, key);
    return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : def;
  }
  // An attribute of `count` values (kernel, strides, dilations, pads), each
  // within +-kMaxSmall.
  std::vector<std::int64_t> small_ints(const onnx::NodeProto& n, const char* key,
                                       std::vector<std::int64_t> def, std::size_t count) const {
    const auto v = attr_ints(n, key, std::move(def));
    if (v.size() != count) {
      fail(n, std::string("'") + key + "' holds " + std::to_string(v.size()) +
                  " values; a 2-D op takes " + std::to_string(count));
    }
    for (auto x : v) {
      if (x < -kMaxSmall || x > kMaxSmall) {
        fail(n, std::string("'") + key + "' value " + std::to_string(x) + " is out of range");
      }
    }
    return v;
  }
  std::string attr_string(const onnx::NodeProto& n, const char* key) const {
    const auto* a = attr(n, key);
    return a ? a->s() : std::string();
  }
  std::vector<std::int64_t> ints(const Value& v) const {
    std::vector<std::int64_t> out;
    for (double x : v.values) out.push_back(static_cast<std::int64_t>(std::llround(x)));
    return out;
  }

  // ---- results -------------------------------------------------------------

  void set(const onnx::NodeProto& n, int i, Value v) {
    if (i < n.output_size() && !n.output(i).empty()) values_[n.output(i)] = std::move(v);
  }

  // Adds `l` (its inputs already set) under a unique name derived from the node.
  Value add_layer(const onnx::NodeProto& n, Layer l, int rank = 4) {
    std::string base = node_name(n);
    while (!base.empty() && base.front() == '/') base.erase(0, 1);
    if (base.empty()) base = n.op_type();
    l.name = base;
    for (int k = 2; net_.contains(l.name); ++k) l.name = base + "_" + std::to_string(k);
    try {
      net_.add(l, {path_, 0, 0});
    } catch (const InputError& e) {
      fail(n, e.message());
    }
    Value v;
    v.feature = true;
    v.layer = l.name;
    v.rank = rank;
    return v;
  }

  // Applies `act` to feature input 0 of `n`: fused into the producer when it
  // can carry one and nothing else reads its output, else a layer of its own.
  // `extra_uses`: readers that are part of this activation (x * sigmoid(x)).
  void activate(const onnx::NodeProto& n, const std::string& x, Activation act,
                int extra_uses = 0) {
    const Value& in = values_.at(root(x));
    Layer& p = producer(in);
    const bool carries =
        p.op == Op::kConv2d || p.op == Op::kLinear || p.op == Op::kAdd || p.op == Op::kConcat;
    if (carries && p.activation == Activation::kNone && uses(x) == 1 + extra_uses &&
        !in.pending()) {
      p.activation = act;
      set(n, 0, in);
      return;
    }
    Layer l;
    l.op = Op::kActivation;
    l.activation = act;
    l.inputs = {in.layer};
    set(n, 0, add_layer(n, l, in.rank));
  }

  // Fixed-point formats from the quantization of a weight and an input.
  static void set_quant(Layer& l, const Value& w, const Value& x) {
    if (w.bits == 0) return;
    auto frac = [](int bits, double scale) {
      if (scale <= 0) return bits - 1;
      return std::clamp(static_cast<int>(std::lround(-std::log2(scale))), 0, bits - 1);
    };
    Quant q;
    q.w_frac = frac(w.bits, w.scale);
    q.w_int = w.bits - q.w_frac;
    if (x.bits != 0) {
      q.a_frac = frac(x.bits, x.scale);
      q.a_int = x.bits - q.a_frac;
    }
    l.quant = q;
  }

  // ---- handlers ------------------------------------------------------------

  void alias(const onnx::NodeProto& n) { set(n, 0, value(n, 0)); }

  void conv(const onnx::NodeProto& n) {
    const Value x = feature(n, 0, true);
    const Value& w = constant(n, 1, false);
    if (w.dims.size() != 4) fail(n, "weight " + shape_str(w.dims) + "; coda maps 2-D convolutions");
    const Shape in = shape(x);
    Layer l;
    l.op = Op::kConv2d;
    l.inputs = {x.layer};
    l.out_channels = w.dims[0];
    l.groups = attr_int(n, "group", 1);
    if (l.groups < 1 || l.groups > kMaxDim) fail(n, "group " + std::to_string(l.groups));
    if (w.dims[1] * l.groups != in.c) {
      fail(n, "weight " + shape_str(w.dims) + " with group " + std::to_string(l.groups) +
                  " does not fit input shape " + in.str());
    }
    set_window(n, l, x, {w.dims[2], w.dims[3]});
    l.bias = has_input(n, 2);
    set_quant(l, w, x);
    set(n, 0, add_layer(n, l));
  }

  void pool(const onnx::NodeProto& n) {
    const Value x = feature(n, 0, true);
    if (n.output_size() > 1 && uses(n.output(1)) > 0) fail(n, "the indices output is not mapped");
    Layer l;
    l.op = n.op_type() == "MaxPool" ? Op::kMaxPool : Op::kAvgPool;
    l.inputs = {x.layer};
    l.ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
    set_window(n, l, x, {});
    set(n, 0, add_layer(n, l));
  }

  // A window's kernel (`kernel_shape`, else `kernel`), strides, dilations and
  // padding (Conv and the pools).
  void set_window(const onnx::NodeProto& n, Layer& l, const Value& x,
                  std::vector<std::int64_t> kernel) {
    const auto k = small_ints(n, "kernel_shape", std::move(kernel), 2);
    const auto s = small_ints(n, "strides", {1, 1}, 2);
    const auto d = small_ints(n, "dilations", {1, 1}, 2);
    l.kernel_h = static_cast<int>(k[0]);
    l.kernel_w = static_cast<int>(k[1]);
    l.stride_h = static_cast<int>(s[0]);
    l.stride_w = static_cast<int>(s[1]);
    l.dilation_h = static_cast<int>(d[0]);
    l.dilation_w = static_cast<int>(d[1]);
    set_pads(n, l, x, shape(x));
  }

  // `pads` (or auto_pad) plus a Pad folded from the input.
  void set_pads(const onnx::NodeProto& n, Layer& l, const Value& x, const Shape& in) {
    std::array<std::int64_t, 4> p{};  // t, l, b, r
    const std::string autopad = attr_string(n, "auto_pad");
    if (autopad == "SAME_UPPER" || autopad == "SAME_LOWER") {
      auto same = [&](std::int64_t size, int k, int s, int d, std::int64_t& lo, std::int64_t& hi) {
        const std::int64_t out = (size + s - 1) / s;
        const std::int64_t total = std::max<std::int64_t>(
            0, (out - 1) * s + static_cast<std::int64_t>(k - 1) * d + 1 - size);
        lo = autopad == "SAME_UPPER" ? total / 2 : total - total / 2;
        hi = total - lo;
      };
      same(in.h, l.kernel_h, l.stride_h, l.dilation_h, p[0], p[2]);
      same(in.w, l.kernel_w, l.stride_w, l.dilation_w, p[1], p[3]);
    } else if (autopad.empty() || autopad == "NOTSET") {
      const auto pads = small_ints(n, "pads", {0, 0, 0, 0}, 4);
      // ONNX order: [h_begin, w_begin, h_end, w_end].
      p = {pads[0], pads[1], pads[2], pads[3]};
    } else if (autopad != "VALID") {
      fail(n, "auto_pad '" + autopad + "'; allowed: NOTSET, SAME_UPPER, SAME_LOWER, VALID");
    }
    for (int i = 0; i < 4; ++i) {
      p[i] += x.pads[i];
      if (p[i] < 0 || p[i] > kMaxSmall)
        fail(n, "padding " + std::to_string(p[i]) + " is out of range");
    }
    l.pad_h = static_cast<int>(p[0]);
    l.pad_w = static_cast<int>(p[1]);
    if (p[2] != p[0] || p[3] != p[1]) {
      l.pad_h_end = static_cast<int>(p[2]);
      l.pad_w_end = static_cast<int>(p[3]);
    }
  }

  void linear(const onnx::NodeProto& n, const Value& x, const Value& w, std::int64_t in_features,
              std::int64_t out_features, bool bias) {
    const Shape in = shape(x);
    if (x.rank != 2 && !(in.h == 1 && in.w == 1)) {
      fail(n, "input shape " + in.str() + "; a matrix product needs a flattened input");
    }
    if (in_features != in.c) {
      fail(n, "weight " + shape_str(w.dims) + " does not fit " + std::to_string(in.c) +
                  " input features");
    }
    Layer l;
    l.op = Op::kLinear;
    l.inputs = {x.layer};
    l.out_channels = out_features;
    l.bias = bias;
    set_quant(l, w, x);
    set(n, 0, add_layer(n, l, 2));
  }

  void gemm(const onnx::NodeProto& n) {
    const Value& x = feature(n, 0);
    const Value& w = constant(n, 1, false);
    if (attr_int(n, "transA", 0) != 0) fail(n, "transA = 1 is not mapped");
    if (w.dims.size() != 2) fail(n, "weight " + shape_str(w.dims) + " is not a matrix");
    const bool tb = attr_int(n, "transB", 0) != 0;
    linear(n, x, w, tb ? w.dims[1] : w.dims[0], tb ? w.dims[0] : w.dims[1], has_input(n, 2));
  }

  void matmul(const onnx::NodeProto& n) {
    const Value& x = feature(n, 0);
    const Value& w = constant(n, 1, false);
    if (w.dims.size() != 2) fail(n, "weight " + shape_str(w.dims) + " is not a matrix");
    linear(n, x, w, w.dims[0], w.dims[1], false);
  }

  void batch_norm(const onnx::NodeProto& n) {
    const Value& x = feature(n, 0);
    Layer& p = producer(x);
    const bool folds = p.op == Op::kConv2d || p.op == Op::kLinear || p.op == Op::kConcat;
    if (!folds || p.batch_norm || p.activation != Activation::kNone || uses(n.input(0)) != 1) {
      fail(n,
           "coda folds a batch-norm into the Conv, Gemm, MatMul or Concat before it when "
           "nothing else reads that layer; its input comes from '" +
               p.name + "' (" + op_name(p.op) + ")");
    }
    p.batch_norm = true;
    set(n, 0, x);
  }

  void relu(const onnx::NodeProto& n) {
    feature(n, 0);
    activate(n, n.input(0), Activation::kRelu);
  }
  void hardswish(const onnx::NodeProto& n) {
    feature(n, 0);
    activate(n, n.input(0), Activation::kHardswish);
  }
  void hardsigmoid(const onnx::NodeProto& n) {
    feature(n, 0);
    const double alpha = attr_float(n, "alpha", 0.2), beta = attr_float(n, "beta", 0.5);
    if (std::abs(alpha - 1.0 / 6) > 1e-4 || std::abs(beta - 0.5) > 1e-4) {
      fail(n, "alpha " + std::to_string(alpha) + ", beta " + std::to_string(beta) +
                  "; coda maps torch's hardsigmoid (alpha 1/6, beta 0.5)");
    }
    activate(n, n.input(0), Activation::kHardsigmoid);
  }
  void clip(const onnx::NodeProto& n) {
    feature(n, 0);
    double lo = attr_float(n, "min", -std::numeric_limits<double>::infinity());
    double hi = attr_float(n, "max", std::numeric_limits<double>::infinity());
    auto bound = [&](int i) {
      const Value& c = constant(n, i);
      if (c.values.size() != 1) fail(n, "input " + std::to_string(i) + " must be one value");
      return c.values[0];
    };
    if (has_input(n, 1)) lo = bound(1);
    if (has_input(n, 2)) hi = bound(2);
    if (lo == 0 && hi == 6) {
      activate(n, n.input(0), Activation::kRelu6);
    } else if (lo == 0 && std::isinf(hi)) {
      activate(n, n.input(0), Activation::kRelu);
    } else {
      std::ostringstream range;
      range << "[" << lo << ", " << hi << "]";
      fail(n, "clip to " + range.str() + "; coda maps Clip(0, 6) as relu6 and Clip(0) as relu");
    }
  }
  void sigmoid(const onnx::NodeProto& n) {
    feature(n, 0);
    // x * sigmoid(x): the Sigmoid's only reader multiplies it by its input.
    const std::string x = root(n.input(0));
    const auto users = users_.find(root(n.output(0)));
    if (uses(n.output(0)) == 1 && users != users_.end()) {
      const auto& m = graph_.node(users->second.front());
      if (m.op_type() == "Mul" && m.input_size() == 2 &&
          (root(m.input(0)) == x || root(m.input(1)) == x)) {
        Value gate;
        gate.feature = true;
        gate.sigmoid_of = x;
        set(n, 0, gate);
        return;
      }
    }
    activate(n, n.input(0), Activation::kSigmoid);
  }

  void add(const onnx::NodeProto& n) {
    const Value& a = value(n, 0);
    const Value& b = value(n, 1);
    if (a.feature && b.feature) {
      feature(n, 0);
      feature(n, 1);
      Layer l;
      l.op = Op::kAdd;
      l.inputs = {a.layer, b.layer};
      set(n, 0, add_layer(n, l, a.rank));
      return;
    }
    if (!a.feature && !b.feature) return constant_arithmetic(n);
    // MatMul + Add: the bias of a linear layer.
    const int fi = a.feature ? 0 : 1;
    const Value& x = feature(n, fi);
    Layer& p = producer(x);
    if (p.op != Op::kLinear || p.bias || uses(n.input(fi)) != 1) {
      fail(n, "adds a constant to '" + p.name + "' (" + op_name(p.op) +
                  "); coda maps a constant Add only as the bias of a MatMul");
    }
    p.bias = true;
    set(n, 0, x);
  }

  void mul(const onnx::NodeProto& n) {
    const Value& a = value(n, 0);
    const Value& b = value(n, 1);
    if (!a.feature && !b.feature) return constant_arithmetic(n);
    if (!a.feature || !b.feature) fail(n, "multiplies a feature map by a constant; not mapped");
    for (int i = 0; i < 2; ++i) {
      const Value& gate = i == 0 ? a : b;
      const int other = 1 - i;
      if (!gate.sigmoid_of.empty() && gate.layer.empty() &&
          root(n.input(other)) == gate.sigmoid_of) {
        feature(n, other);
        activate(n, n.input(other), Activation::kSwish, 1);
        return;
      }
    }
    feature(n, 0);
    feature(n, 1);
    const Shape sa = shape(a), sb = shape(b);
    Layer l;
    l.op = Op::kMul;
    // The IR takes the [C,1,1] gate (squeeze-excite) second.
    const bool swap = sa.h == 1 && sa.w == 1 && (sb.h != 1 || sb.w != 1);
    l.inputs = swap ? std::vector<std::string>{b.layer, a.layer}
                    : std::vector<std::string>{a.layer, b.layer};
    set(n, 0, add_layer(n, l, swap ? b.rank : a.rank));
  }

  void concat(const onnx::NodeProto& n) {
    if (!value(n, 0).feature) return constant_concat(n);
    const std::int64_t axis = attr_int(n, "axis", 1);
    if (axis != 1 && axis != -3)
      fail(n, "axis " + std::to_string(axis) + "; coda concatenates channels (axis 1)");
    Layer l;
    l.op = Op::kConcat;
    for (int i = 0; i < n.input_size(); ++i) l.inputs.push_back(feature(n, i).layer);
    set(n, 0, add_layer(n, l));
  }

  void global_pool(const onnx::NodeProto& n, bool keep_dims) {
    const Value& x = feature(n, 0);
    Layer l;
    l.op = Op::kGlobalAvgPool;
    l.inputs = {x.layer};
    set(n, 0, add_layer(n, l, keep_dims ? 4 : 2));
  }
  void global_average_pool(const onnx::NodeProto& n) { global_pool(n, true); }
  void reduce_mean(const onnx::NodeProto& n) {
    auto axes = attr_ints(n, "axes", {});
    if (has_input(n, 1)) axes = ints(constant(n, 1));
    for (auto& a : axes) a = a < 0 ? a + 4 : a;
    std::sort(axes.begin(), axes.end());
    if (axes != std::vector<std::int64_t>{2, 3}) {
      fail(n, "reduces axes " + shape_str(axes) + "; coda maps a mean over H and W (axes 2, 3)");
    }
    global_pool(n, attr_int(n, "keepdims", 1) != 0);
  }

  void flatten(const onnx::NodeProto& n) {
    const Value& x = feature(n, 0);
    if (attr_int(n, "axis", 1) != 1) fail(n, "axis must be 1 (keep the batch)");
    if (x.rank == 2) return set(n, 0, x);
    Layer l;
    l.op = Op::kFlatten;
    l.inputs = {x.layer};
    set(n, 0, add_layer(n, l, 2));
  }

  void reshape(const onnx::NodeProto& n) {
    const Value& x = value(n, 0);
    const Value& target = constant(n, 1);
    std::vector<std::int64_t> t = ints(target);
    for (auto d : t) {
      if (d < -1 || d > kMaxDim) fail(n, "target dim " + std::to_string(d) + " is out of range");
    }
    if (!x.feature) {  // a constant: only its dims change
      Value v = x;
      v.dims = t;
      return set(n, 0, v);
    }
    const Shape s = shape(x);
    const std::vector<std::int64_t> from = x.rank == 2
                                               ? std::vector<std::int64_t>{1, s.c}
                                               : std::vector<std::int64_t>{1, s.c, s.h, s.w};
    // 0 copies the input's dim, -1 takes the rest.
    std::int64_t known = 1, total = s.elements(), infer = -1;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] == 0 && i < from.size()) t[i] = from[i];
      if (t[i] == -1) {
        infer = static_cast<std::int64_t>(i);
      } else if (known > kMaxDim) {
        fail(n, "target " + shape_str(t) + " is out of range");
      } else {
        known *= t[i];
      }
    }
    if (infer >= 0 && known > 0) t[infer] = total / known;
    const std::string what = "reshape of " + shape_str(from) + " to " + shape_str(t);
    auto unmapped = [&]() {
      fail(n, what +
                  "; coda maps a flatten, [N,C,1,1] and the Reshape-Transpose-Reshape of a "
                  "channel shuffle");
    };
    if (t.empty() || t[0] != 1) unmapped();
    if (x.shuffle_groups != 0) {
      if (!x.shuffle_transposed || t != std::vector<std::int64_t>{1, s.c, s.h, s.w}) unmapped();
      Layer l;
      l.op = Op::kChannelShuffle;
      l.groups = x.shuffle_groups;
      l.inputs = {x.layer};
      return set(n, 0, add_layer(n, l));
    }
    feature(n, 0);
    if (t.size() == 5 && x.rank == 4 && t[1] * t[2] == s.c && t[3] == s.h && t[4] == s.w) {
      Value v = x;
      v.shuffle_groups = t[1];
      return set(n, 0, v);
    }
    if (t.size() == 2 && t[1] == total) {
      if (x.rank == 2) return set(n, 0, x);
      Layer l;
      l.op = Op::kFlatten;
      l.inputs = {x.layer};
      return set(n, 0, add_layer(n, l, 2));
    }
    if (t.size() == 4 && t[1] == total && t[2] == 1 && t[3] == 1 && s.h == 1 && s.w == 1) {
      Value v = x;
      v.rank = 4;
      return set(n, 0, v);
    }
    unmapped();
  }

  void transpose(const onnx::NodeProto& n) {
    const Value& x = value(n, 0);
    const auto perm = attr_ints(n, "perm", {});
    if (!x.feature || x.shuffle_groups == 0 || x.shuffle_transposed ||
        perm != std::vector<std::int64_t>{0, 2, 1, 3, 4}) {
      fail(n, "perm " + shape_str(perm) +
                  "; coda maps a Transpose only inside a channel "
                  "shuffle (Reshape to [N,g,C/g,H,W], perm [0,2,1,3,4], Reshape back)");
    }
    Value v = x;
    v.shuffle_transposed = true;
    set(n, 0, v);
  }

  // Channels [begin, end) of feature input 0 as a slice layer (or the input
  // itself when it takes everything).
  void channel_slice(const onnx::NodeProto& n, int output, std::int64_t begin, std::int64_t end) {
    const Value& x = feature(n, 0);
    const std::int64_t c = shape(x).c;
    begin = std::clamp<std::int64_t>(begin < 0 ? begin + c : begin, 0, c);
    end = std::clamp<std::int64_t>(end < 0 ? end + c : end, 0, c);
    if (end <= begin) fail(n, "takes no channels");
    if (begin == 0 && end == c) return set(n, output, x);
    Layer l;
    l.op = Op::kSlice;
    l.inputs = {x.layer};
    l.offset = begin;
    l.out_channels = end - begin;
    set(n, output, add_layer(n, l));
  }

  void split(const onnx::NodeProto& n) {
    const Value& x = feature(n, 0);
    const std::int64_t axis = attr_int(n, "axis", 0);
    if (axis != 1 && axis != -3)
      fail(n, "axis " + std::to_string(axis) + "; coda splits channels (axis 1)");
    const std::int64_t c = shape(x).c;
    std::vector<std::int64_t> sizes = attr_ints(n, "split", {});
    if (has_input(n, 1)) sizes = ints(constant(n, 1));
    if (sizes.empty()) sizes.assign(n.output_size(), c / std::max(1, n.output_size()));
    for (auto sz : sizes) {
      if (sz < 0 || sz > c)
        fail(n, "split size " + std::to_string(sz) + " of " + std::to_string(c) + " channels");
    }
    std::int64_t begin = 0;
    for (int i = 0; i < n.output_size() && i < static_cast<int>(sizes.size()); ++i) {
      if (uses(n.output(i)) > 0) channel_slice(n, i, begin, begin + sizes[i]);
      begin += sizes[i];
    }
  }

  void slice(const onnx::NodeProto& n) {
    const Value& x = value(n, 0);
    auto starts = ints(constant(n, 1));
    auto ends = ints(constant(n, 2));
    std::vector<std::int64_t> axes, steps;
    if (has_input(n, 3)) axes = ints(constant(n, 3));
    if (has_input(n, 4)) steps = ints(constant(n, 4));
    if (axes.empty()) {
      for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
    }
    for (auto st : steps)
      if (st != 1) fail(n, "step " + std::to_string(st) + "; coda maps steps of 1");
    if (starts.size() != 1 || ends.size() != 1 || axes.size() != 1) {
      fail(n, "slices " + std::to_string(axes.size()) + " axes; coda maps a slice of one axis");
    }
    if (!x.feature) {
      if (!x.known || x.dims.size() != 1 || axes[0] != 0)
        fail(n, "slices a constant that is not a known vector");
      const auto size = static_cast<std::int64_t>(x.values.size());
      const auto b =
          std::clamp<std::int64_t>(starts[0] < 0 ? starts[0] + size : starts[0], 0, size);
      const auto e = std::clamp<std::int64_t>(ends[0] < 0 ? ends[0] + size : ends[0], 0, size);
      Value v = x;
      v.values.assign(x.values.begin() + b, x.values.begin() + std::max(b, e));
      v.dims = {static_cast<std::int64_t>(v.values.size())};
      return set(n, 0, v);
    }
    if (axes[0] != 1 && axes[0] != -3) {
      fail(n, "axis " + std::to_string(axes[0]) + "; coda slices channels (axis 1)");
    }
    channel_slice(n, 0, starts[0], ends[0]);
  }

  void pad(const onnx::NodeProto& n) {
    const Value& x = feature(n, 0, true);
    const std::string mode = attr_string(n, "mode");
    if (!mode.empty() && mode != "constant")
      fail(n, "mode '" + mode + "'; coda maps constant padding");
    std::vector<std::int64_t> p = attr_ints(n, "pads", {});
    if (has_input(n, 1)) p = ints(constant(n, 1));
    if (has_input(n, 2)) {
      const Value& fill = constant(n, 2);
      if (!fill.values.empty() && fill.values[0] != 0) fail(n, "pads with a non-zero value");
    }
    if (p.size() != 8 || p[0] || p[1] || p[4] || p[5]) {
      fail(n, "pads " + shape_str(p) + "; coda maps zero padding of H and W of an NCHW tensor");
    }
    for (auto q : p) {
      if (q < 0 || q > kMaxSmall) fail(n, "pads " + shape_str(p) + " are out of range");
    }
    Value v = x;
    const std::array<std::int64_t, 4> add = {p[2], p[3], p[6], p[7]};
    for (int i = 0; i < 4; ++i) v.pads[i] += static_cast<int>(add[i]);
    set(n, 0, v);
  }

  void quantize(const onnx::NodeProto& n) {
    Value v = value(n, 0);
    const Value& scale = constant(n, 1, false);
    v.bits = 8;  // uint8 unless a zero point says otherwise
    if (has_input(n, 2) && value(n, 2).bits != 0) v.bits = value(n, 2).bits;
    v.scale = scale.known ? *std::max_element(scale.values.begin(), scale.values.end()) : 0;
    set(n, 0, v);
  }
  void dequantize(const onnx::NodeProto& n) {
    Value v = value(n, 0);
    if (v.bits == 0) fail(n, "dequantizes a tensor that is not quantized");
    const Value& scale = constant(n, 1, false);
    if (v.scale == 0 && scale.known)
      v.scale = *std::max_element(scale.values.begin(), scale.values.end());
    set(n, 0, v);
  }

  // ---- constant folding of shape arithmetic ---------------------------------

  void constant_node(const onnx::NodeProto& n) {
    Value v;
    for (const auto& a : n.attribute()) {
      if (a.name() == "value") {
        bool sane = true;
        v = constant_of(a.t(), sane);
        v.bits = bits_of(a.t().data_type());
        if (!sane) fail(n, "its value has dims " + shape_str(v.dims) + " out of range");
      } else if (a.name() == "value_int") {
        v.values = {static_cast<double>(a.i())};
        v.integer = v.known = true;
      } else if (a.name() == "value_ints") {
        for (auto i : a.ints()) v.values.push_back(static_cast<double>(i));
        v.dims = {a.ints_size()};
        v.integer = v.known = true;
      } else if (a.name() == "value_float") {
        v.values = {a.f()};
        v.known = true;
      } else if (a.name() == "value_floats") {
        for (auto f : a.floats()) v.values.push_back(f);
        v.dims = {a.floats_size()};
        v.known = true;
      } else {
        fail(n, "attribute '" + a.name() + "' is not mapped");
      }
    }
    set(n, 0, v);
  }

  void shape_node(const onnx::NodeProto& n) {
    const Value& x = value(n, 0);
    Value v;
    v.integer = v.known = true;
    if (x.feature) {
      const Shape s = shape(x);
      v.values = x.rank == 2
                     ? std::vector<double>{1, static_cast<double>(s.c)}
                     : std::vector<double>{1, static_cast<double>(s.c), static_cast<double>(s.h),
                                           static_cast<double>(s.w)};
    } else {
      for (auto d : x.dims) v.values.push_back(static_cast<double>(d));
    }
    v.dims = {static_cast<std::int64_t>(v.values.size())};
    set(n, 0, v);
  }

  void gather(const onnx::NodeProto& n) {
    const Value& data = constant(n, 0);
    const Value& idx = constant(n, 1);
    if (attr_int(n, "axis", 0) != 0 || data.dims.size() > 1) {
      fail(n, "gathers from a constant that is not a vector");
    }
    Value v;
    v.integer = data.integer;
    v.known = true;
    v.dims = idx.dims;
    const auto size = static_cast<std::int64_t>(data.values.size());
    for (auto i : ints(idx)) {
      if (i < 0) i += size;
      if (i < 0 || i >= size) fail(n, "index " + std::to_string(i) + " is out of range");
      v.values.push_back(data.values[i]);
    }
    set(n, 0, v);
  }

  void unsqueeze(const onnx::NodeProto& n) {
    Value v = constant(n, 0);
    v.dims = {static_cast<std::int64_t>(v.values.size())};
    set(n, 0, v);
  }

  void cast(const onnx::NodeProto& n) {
    Value v = constant(n, 0);
    const auto to = attr_int(n, "to", 0);
    v.integer = to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32;
    if (v.integer)
      for (auto& x : v.values) x = std::trunc(x);
    set(n, 0, v);
  }

  void constant_of_shape(const onnx::NodeProto& n) {
    const Value& s = constant(n, 0);
    Value v;
    double fill = 0;
    if (const auto* a = attr(n, "value")) {
      bool sane = true;
      const Value f = constant_of(a->t(), sane);
      if (!f.values.empty()) fill = f.values[0];
      v.integer = f.integer;
    }
    v.dims = ints(s);
    std::int64_t count = 1;
    for (auto d : v.dims) {
      if (d < 0 || d > kMaxDecoded || count * d > kMaxDecoded) {
        fail(n, "shape " + shape_str(v.dims) + "; coda evaluates constants of up to " +
                    std::to_string(kMaxDecoded) + " values");
      }
      count *= d;
    }
    v.values.assign(static_cast<std::size_t>(std::max<std::int64_t>(0, count)), fill);
    v.known = true;
    set(n, 0, v);
  }

  void constant_arithmetic(const onnx::NodeProto& n) {
    if (value(n, 0).feature || value(n, 1).feature) {
      fail(n, "applies " + n.op_type() + " to a feature map; coda maps " + n.op_type() +
                  " only in shape arithmetic on constants" +
                  (n.op_type() == "Add" || n.op_type() == "Mul"
                       ? std::string(" (and ") + n.op_type() + " of two feature maps)"
                       : std::string()));
    }
    const Value& a = constant(n, 0);
    const Value& b = constant(n, 1);
    const std::size_t size = std::max(a.values.size(), b.values.size());
    if (!(a.values.size() == size || a.values.size() == 1) ||
        !(b.values.size() == size || b.values.size() == 1)) {
      fail(n, "operands of " + std::to_string(a.values.size()) + " and " +
                  std::to_string(b.values.size()) + " values do not broadcast");
    }
    Value v;
    v.integer = a.integer && b.integer;
    v.known = true;
    v.dims = a.values.size() == size ? a.dims : b.dims;
    const std::string& op = n.op_type();
    for (std::size_t i = 0; i < size; ++i) {
      const double x = a.values[a.values.size() == 1 ? 0 : i];
      const double y = b.values[b.values.size() == 1 ? 0 : i];
      double r = 0;
      if (op == "Add") r = x + y;
      if (op == "Sub") r = x - y;
      if (op == "Mul") r = x * y;
      if (op == "Div") {
        if (y == 0) fail(n, "divides by zero");
        r = v.integer ? std::trunc(x / y) : x / y;
      }
      v.values.push_back(r);
    }
    set(n, 0, v);
  }

  void constant_concat(const onnx::NodeProto& n) {
    Value v;
    v.integer = v.known = true;
    for (int i = 0; i < n.input_size(); ++i) {
      const Value& c = constant(n, i);
      v.integer = v.integer && c.integer;
      v.values.insert(v.values.end(), c.values.begin(), c.values.end());
    }
    v.dims = {static_cast<std::int64_t>(v.values.size())};
    set(n, 0, v);
  }

  std::string path_;
  const onnx::GraphProto& graph_;
  Network net_;
  int index_ = 0;
  std::map<std::string, Value> values_;
  std::map<std::string, std::string> alias_;
  std::map<std::string, int> uses_;
  std::map<std::string, std::vector<int>> users_;
};

const std::map<std::string, Importer::Handler>& Importer::handlers() {
  static const std::map<std::string, Handler> h = {
      {"Add", &Importer::add},
      {"AveragePool", &Importer::pool},
      {"BatchNormalization", &Importer::batch_norm},
      {"Cast", &Importer::cast},
      {"Clip", &Importer::clip},
      {"Concat", &Importer::concat},
      {"Constant", &Importer::constant_node},
      {"ConstantOfShape", &Importer::constant_of_shape},
      {"Conv", &Importer::conv},
      {"DequantizeLinear", &Importer::dequantize},
      {"Div", &Importer::constant_arithmetic},
      {"Dropout", &Importer::alias},
      {"Flatten", &Importer::flatten},
      {"Gather", &Importer::gather},
      {"Gemm", &Importer::gemm},
      {"GlobalAveragePool", &Importer::global_average_pool},
      {"HardSigmoid", &Importer::hardsigmoid},
      {"HardSwish", &Importer::hardswish},
      {"Identity", &Importer::alias},
      {"MatMul", &Importer::matmul},
      {"MaxPool", &Importer::pool},
      {"Mul", &Importer::mul},
      {"Pad", &Importer::pad},
      {"QuantizeLinear", &Importer::quantize},
      {"ReduceMean", &Importer::reduce_mean},
      {"Relu", &Importer::relu},
      {"Reshape", &Importer::reshape},
      {"Shape", &Importer::shape_node},
      {"Sigmoid", &Importer::sigmoid},
      {"Slice", &Importer::slice},
      {"Split", &Importer::split},
      {"Squeeze", &Importer::unsqueeze},
      {"Sub", &Importer::constant_arithmetic},
      {"Transpose", &Importer::transpose},
      {"Unsqueeze", &Importer::unsqueeze},
  };
  return h;
}

}  // namespace

std::vector<std::string> onnx_supported_ops() {
  std::vector<std::string> out;
  for (const auto& [name, handler] : Importer::handlers()) out.push_back(name);
  return out;
}

Network import_onnx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path, 0, 0}, "", "cannot open the ONNX file");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in)) {
    throw InputError({path, 0, 0}, "", "not an ONNX model (the protobuf does not parse)");
  }
  return Importer(path, model).run();
}

}  // namespace coda::network
