// HotNAS iSpace (§III-②, Properties 2-5): the search dimensions of a
// backbone on its iDesign design, built from each layer's iDetect class.
//   C (Lat1 = tComp)   pattern pruning: tComp falls with the zeros (eq. 15);
//                      loading weights does not (Property 3)
//   W (Lat1 = tW)      weight quantization: packs weights into W_b beats
//                      (eq. 8), computation unchanged (Property 5)
//   I (Lat1 = tI), O   channel cuts, since neither patterns nor bits move
//                      IFM or OFM data; in steps that drop a whole Tm tile of
//                      the layer's outputs (Property 4, eq. 16-17)
//   slack (I, W, O)    kernel expansion where the larger kernel leaves the
//                      layer's latency unchanged (Theorem 1)
// A term within `near` of the dominant one also gets its technique (HotNAS
// Table V: layer4's IFM and weight loads are close, so both channel and
// quantization dimensions appear). The hardware dimensions H are the
// design's neighbourhood in the hardware space (Tm, Tn, Tr, Tc, the ports).
//
// The space is a file a user can read and edit:
//   backbone: resnet18
//   design: {tm: 70, tn: 0, tr: 32, tc: 64, ib: 6, wb: 18, ob: 6, ...}
//   layers:                       # every conv and linear layer, in order
//     - layer: conv1
//       idetect: C
//       reason: "C: Lat1 = tComp 8281 cycles (tComp 8281, tI 288, tW 672)"
//     - layer: layer1.0.conv1
//       idetect: C
//       reason: "C: Lat1 = tComp 8100 cycles (tComp 8100, tI 3686, tW 1482)"
//       pattern: [0, 2, 3, 4]      # PAT_c zeros per kernel; PAT_n below
//       patterns: 4
//     - layer: layer4.0.conv1
//       idetect: I
//       channel_cut: [0, 22, 92]
//       quant: [0, 12, 8, 6]       # weight bits (0: unquantized)
//       kernel_expand: [0, 1]
//   hardware: {tm: [40, 70, 100], ib: [2, 6, 10], ...}
// Every list starts with the layer as it is (0).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/params.h"
#include "models/fpga/idesign.h"
#include "models/network/compression_plan.h"
#include "models/network/network.h"
#include "models/space/hw_space.h"

namespace coda::fpga {

// How the dimensions are drawn; the defaults follow the paper's choices
// (PAT_c = 3 with PAT_n = 4 for 3x3 kernels, Figure 4 and Table V; 16-bit
// weights <1, 15> squeezed to <1, 7>, Table V).
struct ISpaceOptions {
  std::vector<int> pattern_zeros{2, 3, 4};  // PAT_c of 3x3 kernels
  int patterns = 4;                         // PAT_n
  std::vector<int> weight_bits{12, 8, 6};
  int cut_steps = 2;      // Tm tiles a cut may drop
  double max_cut = 0.25;  // at most this fraction of a layer's channels
  double near = 0.1;      // a term within 10% of Lat1 counts as a bottleneck too
  int hw_radius = 1;      // neighbours each side in the hardware space's lists
};

// iDetect of one conv layer on a design (Property 2), with its terms.
struct LayerDetect {
  std::string layer;
  FpgaLayer engine;  // what the engine runs for it
  char bottleneck = 'C';
  LayerEstimate estimate;
  std::string reason;
};
// Every conv2d layer the engine runs, in order.
std::vector<LayerDetect> idetect(const network::Network& net, const FpgaConfig& hw);

// The compression dimensions of one layer from its iDetect result. `net`
// is the backbone: a channel cut that does not build (one that breaks a
// residual add) is left out.
std::vector<network::CompressionDimension> layer_dimensions(const network::Network& net,
                                                            const LayerDetect& d,
                                                            const FpgaConfig& hw,
                                                            const ISpaceOptions& o);

// A channel-cut dimension on `layer`'s outputs: steps that drop whole
// `lanes`-wide tiles (Property 4); when the channels fit one tile and
// `partial`, fractions of them, since the tile moves only real channels.
// None when no step exists or a cut does not build.
std::optional<network::CompressionDimension> channel_cut_dimension(const network::Network& net,
                                                                   const std::string& layer,
                                                                   long long lanes, bool partial,
                                                                   const ISpaceOptions& o);

struct ISpace {
  network::Network backbone;
  ParamSet design;
  std::vector<LayerDetect> detect;                         // every conv layer
  std::vector<network::CompressionDimension> compression;  // P, C, Q, X
  space::HwSpace hardware;                                 // H

  // The file described above.
  std::string to_yaml() const;
};

// The iSpace of `backbone` on `design`, H drawn from `hw_space`.
ISpace generate_ispace(const network::Network& backbone, const ParamSet& design,
                       const space::HwSpace& hw_space, const ISpaceOptions& o);
// Reads an iSpace file (one written by to_yaml(), perhaps edited) for
// `backbone`; every layer, kind, value and hardware field is checked, and
// errors name the file, line and field.
ISpace load_ispace(const std::string& path, const network::Network& backbone,
                   const space::HwSpace& hw_space);

}  // namespace coda::fpga
