#include "models/network/adapt.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

namespace coda::network {

int removed_downsampling_levels(int original_input, int new_input) {
  if (original_input <= new_input) return 0;
  const double levels = std::log2(static_cast<double>(original_input) / new_input);
  return std::max(0, static_cast<int>(std::lround(levels)) - 2);
}

namespace {

bool downsamples(const Layer& l) {
  if (l.in_shapes.empty()) return false;
  const bool spatial_op = l.op == Op::kConv2d || l.op == Op::kMaxPool || l.op == Op::kAvgPool;
  return spatial_op && (l.stride_h > 1 || l.stride_w > 1) && l.out_shape.h < l.in_shapes[0].h;
}

// The layers that carry each output's classifier: walk back from an output
// through weightless single-input layers to the first conv or linear.
std::set<std::string> classifier_layers(const Network& net) {
  std::set<std::string> found;
  for (auto id : net.outputs()) {
    const Layer* l = &net.layer(id);
    while (l->op != Op::kConv2d && l->op != Op::kLinear && l->inputs.size() == 1) {
      l = &net.layer(l->inputs[0]);
    }
    if (l->op == Op::kConv2d || l->op == Op::kLinear) found.insert(l->name);
  }
  return found;
}

}  // namespace

Network adapt_input(const Network& net, const InputAdaptation& to) {
  const Shape original = net.input_shape();
  const int k = removed_downsampling_levels(static_cast<int>(original.h), static_cast<int>(to.input.h));
  std::set<std::int64_t, std::greater<>> levels;
  for (auto id : net.topological_order()) {
    const Layer& l = net.layer(id);
    if (downsamples(l)) levels.insert(l.in_shapes[0].h);
  }
  std::set<std::int64_t> removed;
  for (auto h : levels) {
    if (static_cast<int>(removed.size()) >= k) break;
    removed.insert(h);
  }
  const auto classifiers = classifier_layers(net);

  Network out(net.name());
  for (auto id : net.topological_order()) {
    Layer l = net.layer(id);
    if (l.op == Op::kInput) {
      l.out_channels = to.input.c;
      l.out_h = static_cast<int>(to.input.h);
      l.out_w = static_cast<int>(to.input.w);
    }
    if (downsamples(l) && removed.count(l.in_shapes[0].h)) {
      l.stride_h = 1;
      l.stride_w = 1;
    }
    if (to.classes > 0 && classifiers.count(l.name)) l.out_channels = to.classes;
    out.add(std::move(l), net.location(id));
  }
  return out;
}

}  // namespace coda::network
