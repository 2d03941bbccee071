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

#include "core/yaml_util.h"
#include "models/network/network.h"

namespace coda::network {

// Applies the plan at `path` to `net` and re-infers shapes, so a channel cut
// ripples into its consumers. Every problem (unknown layer, a layer that is
// not a conv, a cut of all channels, a pattern on a 1x1 kernel, a cut that
// breaks a residual add) is an InputError naming the plan's file and line.
void apply_compression_plan(Network& net, const std::string& path);
void apply_compression_plan(Network& net, const YamlDoc& plan);

}  // namespace coda::network
