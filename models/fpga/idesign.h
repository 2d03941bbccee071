// The HotNAS iDesign performance model (HotNAS §III-③, eq. 2, 7-13, 15-17)
// and iDetect's bottleneck classes (Property 2), per layer.
//
// Two tile geometries share the equations:
// - exact (scope `network`, the SystemC model's twin): Tr x Tc is the IFM
//   tile in the buffer (eq. 3); a tile yields floor((Tr - K) / S) + 1 output
//   rows, the input tile carries its halo, loads move only real channels, and
//   eq. 13's fill term (tO + Lat1) is added.
// - paper (scope `conv_only`, the convention of HotNAS Table II): the model as
//   the authors evaluated it (github.com/weiwenjiang/hotNAS-CODES20,
//   Performance_Model/PM_FPGA_Template.py at the Table II commit): tiles are
//   counted over the output with Tr, Tc, a tile computes
//   ceil(min(Tr, R + 2P) / S) rows and moves min(Tr, R) x min(Tc, C) pixels
//   of min(Tn, N) input and min(Tm, M) output channels, and there is no fill
//   term. This reproduces Table II's AlexNet 2.02 ms (docs/design-notes.md
//   "FPGA analytical conventions").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/fpga/config.h"
#include "models/network/network.h"

namespace coda::fpga {

enum class Scope { kNetwork, kConvOnly };
Scope parse_scope(const std::string& s);  // "network" | "conv_only"; InputError otherwise
const char* scope_name(Scope s);

// What the engine runs for one IR layer.
enum class Kind { kConv, kDepthwise, kPool, kEltwise };
const char* kind_name(Kind k);

struct FpgaLayer {
  std::string name;
  std::string op;  // the IR op name
  Kind kind = Kind::kConv;
  long long groups = 1;    // independent convolutions (grouped conv); 1 otherwise
  long long m = 0, n = 0;  // output / input channels per group (pool, eltwise: channels)
  long long h = 0, w = 0;  // input rows / columns, unpadded
  long long r = 0, c = 0;  // output rows / columns
  int kh = 1, kw = 1;      // executed kernel (after expansion)
  int sh = 1, sw = 1;      // stride
  int ph = 0, pw = 0;      // padding (after expansion)
  int kernel_ones = 1;     // Kh*Kw minus the pattern's zeros (eq. 15)
  int weight_bits = 16;    // quantized weights pack into W_b words
  int operands = 1;        // eltwise: tensors read per output element
  long long operand2_hw = 0;  // eltwise: spatial size of the second operand (SE: 1)
  std::int64_t macs = 0;
};

// The layers the engine executes, in order. Linear layers run as 1x1
// convolutions; concat, flatten and channel shuffle are address remaps and
// cost nothing. The conv_only scope keeps conv2d layers only (HotNAS Table II
// leaves out FC, pooling and element-wise layers). Throws InputError for an
// op the engine cannot run.
std::vector<FpgaLayer> engine_layers(const network::Network& net, Scope scope, int data_bits);

// The largest executed kernel (it sizes the weight buffer, eq. 5).
int max_kernel(const std::vector<FpgaLayer>& layers);
// Empty, or why the network cannot run on this design (e.g. depthwise layers
// without a depthwise engine).
std::string check_layers(const std::vector<FpgaLayer>& layers, const FpgaConfig& hw);

// Eq. 2, 7-13 for one layer: the times of one (full) step, the loop counts
// and the total.
struct LayerEstimate {
  long long groups = 1, tiles_r = 1, tiles_c = 1, tiles_m = 1, steps_n = 1;
  double t_comp = 0, t_i = 0, t_w = 0, t_o = 0;  // cycles
  double lat1 = 0, lat2 = 0;
  double cycles = 0;
  char bottleneck = 'C';  // Property 2: O, I, W or C
  long long tiles() const { return groups * tiles_r * tiles_c * tiles_m; }
};

LayerEstimate estimate(const FpgaLayer& l, const FpgaConfig& hw, Scope scope);

// Property 2 applied to (Lat1 terms, Lat2 terms).
char classify(double t_comp, double t_i, double t_w, double n_lat1, double t_o);

// The steps of a layer with their real sizes (partial tiles included), in
// execution order, for the exact geometry. `step` gets the words moved for
// IFM and weights and the compute cycles of one inner step; `tile_done` the
// OFM words of an output tile after its last step.
struct StepVisitor {
  std::function<void(double i_words, double w_beats, double comp_cycles)> step;
  std::function<void(double o_words)> tile_done;
};
void for_each_step(const FpgaLayer& l, const FpgaConfig& hw, const StepVisitor& v);

// Weights that one W_b beat carries at `bits` per weight (quantization packs
// floor(W_b * data_bits / bits) weights into a beat).
double weights_per_beat(const FpgaConfig& hw, int bits);

}  // namespace coda::fpga
