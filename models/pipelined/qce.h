// The LUT library of Lu et al.'s quantized computing engine (ICCAD'19 §3.4.1,
// Fig. 7, eq. 6): the 4-input LUTs (Cyclone IV logic elements) of a
// single-layer engine with Tm x Tn multipliers, Tn adder trees of Tm inputs,
// Tn truncators and Tn accumulators, sized by the layer's bit widths. The
// paper predefines `qce` as a library it does not publish; this one is built
// from the components' structure. Every count is a function here, with its
// source, so the library is one file.
#pragma once

namespace coda::pipelined {

// The bit widths a layer's engine is built for (eq. 6's arguments but Tm, Tn).
struct QceBits {
  int in_bits = 0;   // incoming activation: Ai' + Af' of the previous layer
  int out_bits = 0;  // outgoing activation: Ai + Af
  int w_bits = 0;    // weight: Wi + Wf
  int in_frac = 0, out_frac = 0, w_frac = 0;  // fractional parts (the truncator's shift)
};

// LUTs of one a x b soft multiplier.
long long multiplier_luts(int a, int b);
// LUTs of a binary adder tree summing `inputs` operands of `width` bits.
long long adder_tree_luts(long long inputs, int width);
// LUTs of the engine of eq. 6 for an output-channel tile Tn and an
// input-channel tile Tm, accumulating `reduction` products per output
// (M * Fh * Fw over the whole layer, for the accumulator's guard bits).
long long qce_luts(long long tm, long long tn, const QceBits& bits, long long reduction);

}  // namespace coda::pipelined
