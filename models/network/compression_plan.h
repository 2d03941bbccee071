// HotNAS compression plans (HotNAS §III-②: pattern pruning, channel
// cutting, quantization, kernel expansion) as a YAML file that annotates the
// IR's conv layers; `coda simulate --compression plan.yaml` applies one.
//
//   layers:
//     layer1.0.conv1:
//       pattern: {zeros: 3, patterns: 4}  # PAT_c zeros per kernel, PAT_n patterns
//       channel_cut: 16                   # output channels removed (eq. 16-17)
//       quant: {w_int: 2, w_frac: 6}      # weight bits = w_int + w_frac
//       kernel_expand: 1                  # kernel +2, padding +1 (Theorem 1)
#pragma once

#include <string>
#include <vector>

#include "core/yaml_util.h"
#include "models/network/network.h"

namespace coda::network {

// Applies the plan at `path` to `net` and re-infers shapes, so a channel cut
// ripples into its consumers. Every problem (unknown layer, a layer that is
// not a conv, a cut of all channels, a pattern on a 1x1 kernel, a cut that
// breaks a residual add) is an InputError naming the plan's file and line.
void apply_compression_plan(Network& net, const std::string& path);
void apply_compression_plan(Network& net, const YamlDoc& plan);

// One searchable compression decision on one conv layer (quantization: or
// linear layer, which the FPGA engine runs as a 1x1 conv): a HotNAS iSpace
// dimension (§III-②). The first value is the layer as it is.
//   pattern        PAT_c zeros per kernel (0: none), with `patterns` = PAT_n
//   channel_cut    output channels removed (0: none)
//   quant          weight bits <1, bits - 1> (0: unquantized; activations
//                  keep the datapath's width)
//   kernel_expand  e: the kernel grows by 2e, padding by e (0: none)
enum class CompressionKind { kPattern, kChannelCut, kQuant, kKernelExpand };
const char* compression_kind_name(CompressionKind k);
// InputError listing the kinds when `s` is none of them.
CompressionKind parse_compression_kind(const std::string& s, const SourceLocation& where);

struct CompressionDimension {
  std::string layer;
  CompressionKind kind = CompressionKind::kPattern;
  std::vector<int> values;
  int patterns = 4;                    // PAT_n of a pattern dimension
  std::string reason;                  // why the dimension exists (HotNAS iDetect)
  std::string name() const;            // "layer4.0.conv1.quant"
  std::string label(int value) const;  // "3x4", "8b", "cut 32", "+1", "none"
};

// Sets each dimension's chosen value (values[choice[k]]) on its layer and
// re-infers shapes; throws InputError (ShapeError) when the result does not
// build, e.g. a cut that breaks a residual add.
void apply_compression(Network& net, const std::vector<CompressionDimension>& dims,
                       const std::vector<int>& choice);
// The network with every compression annotation and quantization removed
// (the backbone a compressed network was made from).
Network strip_compression(const Network& net);

}  // namespace coda::network
