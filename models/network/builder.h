// A small fluent helper over Network::add used by the zoo and by the search
// decoders. Every method returns the new layer's name.
#pragma once

#include <string>
#include <vector>

#include "models/network/network.h"

namespace coda::network {

struct ConvSpec {
  std::int64_t out = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_h = -1, pad_w = -1;  // -1: "same" padding, (k - 1) / 2 * dilation
  int dilation = 1;
  std::int64_t groups = 1;
  bool bias = false;
  bool batch_norm = true;
  Activation act = Activation::kNone;

  static ConvSpec make(std::int64_t out, int k, int stride = 1,
                       Activation act = Activation::kNone) {
    ConvSpec s;
    s.out = out;
    s.kernel_h = s.kernel_w = k;
    s.stride_h = s.stride_w = stride;
    s.act = act;
    return s;
  }
  ConvSpec& with_groups(std::int64_t g) {
    groups = g;
    return *this;
  }
  ConvSpec& with_pad(int p) {
    pad_h = pad_w = p;
    return *this;
  }
  ConvSpec& with_bias(bool b = true) {
    bias = b;
    return *this;
  }
  ConvSpec& without_bn() {
    batch_norm = false;
    return *this;
  }
};

class Builder {
 public:
  Builder(std::string net_name, Shape input);

  const std::string& input() const { return input_; }
  Shape shape(const std::string& layer) const { return net_.layer(layer).out_shape; }
  std::int64_t channels(const std::string& layer) const { return shape(layer).c; }

  std::string conv(const std::string& name, const std::string& x, const ConvSpec& spec);
  std::string linear(const std::string& name, const std::string& x, std::int64_t out,
                     bool bias = true, Activation act = Activation::kNone);
  std::string max_pool(const std::string& name, const std::string& x, int k, int stride,
                       int pad = 0, bool ceil_mode = false);
  std::string avg_pool(const std::string& name, const std::string& x, int k, int stride,
                       int pad = 0, bool ceil_mode = false);
  std::string adaptive_avg_pool(const std::string& name, const std::string& x, int out_h,
                                int out_w);
  std::string global_avg_pool(const std::string& name, const std::string& x);
  std::string add(const std::string& name, const std::vector<std::string>& xs,
                  Activation act = Activation::kNone);
  std::string mul(const std::string& name, const std::string& x, const std::string& gate);
  std::string concat(const std::string& name, const std::vector<std::string>& xs,
                     bool batch_norm = false, Activation act = Activation::kNone);
  std::string shuffle(const std::string& name, const std::string& x, std::int64_t groups);
  // Channels [offset, offset + count) of x.
  std::string slice(const std::string& name, const std::string& x, std::int64_t offset,
                    std::int64_t count);
  std::string flatten(const std::string& name, const std::string& x);
  std::string activation(const std::string& name, const std::string& x, Activation act);

  // Annotates a layer with fixed-point formats (no shape changes).
  void set_quant(Network::LayerId id, const Quant& q) { net_.mutable_layer(id).quant = q; }

  Network take() { return std::move(net_); }
  const Network& network() const { return net_; }

 private:
  std::string pool(Op op, const std::string& name, const std::string& x, int k, int stride, int pad,
                   bool ceil_mode);

  Network net_;
  std::string input_ = "input";
};

}  // namespace coda::network
