// Lu et al.'s multi-layer accelerator (ICCAD'19 §3.4): one tiled engine per
// conv layer, layers grouped into partitions that run one after another on
// the same fabric, the layers of a partition as a pipeline. The analytical
// model (eq. 6-9) and Algorithm 1, the dynamic-programming search over each
// layer's tiles (Tm, Tn) and the 2^(L-1) partitions under a LUT budget rL and
// a throughput requirement rT.
#pragma once

#include <string>
#include <vector>

#include "models/network/network.h"
#include "models/pipelined/config.h"
#include "models/pipelined/qce.h"

namespace coda::pipelined {

// One conv layer as the engine sees it.
struct PipeLayer {
  std::string name;
  long long in_channels = 0;     // M
  long long out_channels = 0;    // N
  long long rows = 0, cols = 0;  // R x C: the output feature map
  int fh = 1, fw = 1;
  QceBits bits;
  long long weight_bits = 0;  // all of the layer's weights and biases, in bits
  long long macs = 0;
};

// The conv layers of `net` in order. A layer the engine cannot run (grouped
// or dilated convolutions, residual adds, concatenations) makes `why`
// non-empty, naming it; max-pooling and ReLU fold into the engine, and the
// fully connected classifier is outside the hardware model (Lu et al. §4).
std::vector<PipeLayer> pipe_layers(const network::Network& net, const PipelinedConfig& hw,
                                   std::string* why);

// Eq. 7: cycles of one frame, ceil(M/Tm) ceil(N/Tn) R C Fh Fw.
long long layer_cycles(const PipeLayer& l, long long tm, long long tn);
// Eq. 6: LUTs of the layer's engine.
long long layer_luts(const PipeLayer& l, long long tm, long long tn);

struct Tile {
  long long tm = 0, tn = 0, luts = 0, cycles = 0;
};

// A design: each layer's tile and the first layer of each partition.
struct Design {
  std::vector<Tile> tiles;
  std::vector<std::size_t> partition_starts;  // ascending, the first is 0
  // Eq. 8 per partition and eq. 9 overall.
  std::vector<long long> partition_luts, partition_cycles;
  long long luts = 0;    // max over partitions
  long long cycles = 0;  // sum over partitions: one frame through every partition
  double throughput_fps(double clock_hz) const { return cycles > 0 ? clock_hz / cycles : 0; }
};

// Fills a design's per-partition and overall numbers from its tiles and
// partition starts (eq. 8-9).
void evaluate_design(Design& d);

struct SearchResult {
  bool exists = false;           // P_L^<rL, rT> is not empty
  std::vector<Design> frontier;  // Pareto frontier of S_L on (f1, f2, f3)
  Design best;                   // the fastest frontier design, then the smallest
  long long states = 0;          // partial solutions kept over all layers
  long long failed_layer = -1;   // when none exists: the first layer no solution reached
};

// Algorithm 1: layer by layer, every kept partial solution s is extended by
// the layer's engine appended to s's last partition (constraints of eq. 10)
// or as a new partition (eq. 11); only the Pareto frontier on f1 (LUTs of
// the last partition), f2 (latency) and f3 (latency before the last
// partition) is kept. Latencies are in cycles; rT in frames/s.
SearchResult search_hardware(const std::vector<PipeLayer>& layers, long long rl, double rt_fps,
                             double clock_hz);

}  // namespace coda::pipelined
