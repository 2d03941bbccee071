#include "models/pipelined/qce.h"

#include <algorithm>
#include <cmath>

namespace coda::pipelined {
namespace {

// A Cyclone IV logic element is one 4-input LUT and a register; in
// arithmetic mode it is one bit of an adder with the dedicated carry chain
// (Altera, Cyclone IV Device Handbook, vol. 1, ch. 2, "Logic Elements and
// Logic Array Blocks"). So a w-bit adder or accumulator is w LUTs, its
// register free in the same elements.
long long adder_luts(int width) {
  return std::max(0, width);
}

int ceil_log2(long long n) {
  int b = 0;
  while ((1LL << b) < n) ++b;
  return b;
}

}  // namespace

// An array multiplier: each of the b rows adds an AND-gated copy of the
// a-bit operand into a ripple-carry row, one LE per bit (the AND folds into
// the LUT beside the sum and carry), so a x b LEs (Parhami, Computer
// Arithmetic, 2nd ed., ch. 11; Altera AN 306, "Implementing Multipliers in
// FPGA Devices", sizes soft multipliers by the product of their widths). The
// signed weight costs one more row of sign extension (Baugh-Wooley), a LEs.
// A 1-bit operand is a row of AND gates only.
long long multiplier_luts(int a, int b) {
  if (a <= 0 || b <= 0) return 0;
  if (a == 1 || b == 1) return std::max(a, b);
  return static_cast<long long>(a) * b + a;
}

// A balanced binary tree: level k has ceil(n / 2^k) operands left and adds
// pairs whose width grew by one bit per level.
long long adder_tree_luts(long long inputs, int width) {
  long long luts = 0;
  long long n = inputs;
  int w = width;
  while (n > 1) {
    ++w;
    luts += (n / 2) * adder_luts(w);
    n = (n + 1) / 2;
  }
  return luts;
}

// Eq. 6's qce: per output-channel lane (Tn of them) Tm multipliers, a tree
// over their products, an accumulator with guard bits for the layer's whole
// reduction, and a truncator that shifts the fixed point into the outgoing
// format (wires), saturates it (one LUT per output bit, and a 4-LUT OR tree
// over the dropped high bits), and applies ReLU in the same multiplexers.
// Weights and activations live in M9K block memory, not in LUTs. A fixed
// controller per engine counts tiles and addresses.
long long qce_luts(long long tm, long long tn, const QceBits& bits, long long reduction) {
  constexpr long long kControlLuts = 200;  // tile counters and address generators (assumed)
  const int product = bits.in_bits + bits.w_bits;
  const int acc = product + ceil_log2(std::max<long long>(1, reduction));
  const int acc_int = acc - (bits.in_frac + bits.w_frac);
  const int out_int = bits.out_bits - bits.out_frac;
  const int dropped_high = std::max(0, acc_int - out_int);
  const long long truncator = bits.out_bits + (dropped_high + 2) / 3;
  const long long lane = tm * multiplier_luts(bits.in_bits, bits.w_bits) +
                         adder_tree_luts(tm, product) + adder_luts(acc) + truncator;
  return tn * lane + kControlLuts;
}

}  // namespace coda::pipelined
