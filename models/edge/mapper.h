// The edge compiler's view of a network: where each layer runs, how it is
// split over PEs, lanes and SIMD units, what it moves, and whether the design
// can run it at all. The SystemC model executes this plan; the roofline twin
// sums it analytically.
#pragma once

#include <string>
#include <vector>

#include "models/edge/config.h"
#include "models/network/network.h"

namespace coda::edge {

enum class Unit { kArray, kVector, kFree };

struct LayerPlan {
  std::string name;
  std::string op;
  Unit unit = Unit::kFree;
  std::string mapping;        // e.g. "O[pes_x,lanes] P[pes_y,simd]"
  std::int64_t macs = 0;      // useful multiply-accumulates
  double compute_cycles = 0;  // array or vector cycles, quantisation losses included
  double lm_bytes = 0;        // local-memory traffic
  double lm_cycles = 0;
  double nlu_elements = 0;  // sigmoid/swish/hard-* evaluations
  double nlu_cycles = 0;
  double setup_cycles = 0;
  double weight_bytes = 0;
  double dram_read_bytes = 0;    // weights when streamed, the input image
  double dram_write_bytes = 0;   // the network output
  double rf_bytes = 0;           // register-file accesses
  int tiles = 1;                 // pipeline tiles (weight tiles when streaming)
  double array_utilization = 0;  // MACs / (cycles * peak MACs per cycle) of the compute alone
};

struct NetworkPlan {
  bool feasible = true;
  std::string reason;
  bool weights_resident = false;
  double total_weight_bytes = 0;
  double max_live_bytes_per_pe = 0;
  std::string max_live_layer;
  double weight_tile_bytes = 0;
  std::vector<LayerPlan> layers;  // topological order, input layer excluded
};

// Weight-placement policy: the network's weights stay resident on chip when
// all of them fit in every PE's local memory next to the largest live
// activation set (weights are replicated: any PE may run any output channel).
// Otherwise every layer's weights stream from off-chip each inference,
// broadcast to all PEs, double-buffered in weight tiles.
NetworkPlan plan_network(const network::Network& net, const EdgeConfig& hw);

// The mapping of one conv/linear layer alone (exposed for tests).
LayerPlan map_layer(const network::Layer& layer, const EdgeConfig& hw, std::string* infeasible);

}  // namespace coda::edge
