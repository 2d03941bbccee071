// The pipelined family (`--arch pipelined`): Lu et al.'s layer-pipelined
// accelerator on a LUT-based FPGA. For each network, Algorithm 1 finds the
// fastest design (tiles per layer, partitions) under the LUT budget rL and
// the throughput requirement rT; a network with none is an infeasible result
// (the H(a, q) = empty of eq. 3). The analytical model is eq. 6-9; the SystemC
// model streams frames through one engine per layer, with double-buffered
// frames between pipeline stages, partitions one after another, and each
// partition's weights loaded over the off-chip port before it runs.
#pragma once

#include <memory>

#include "sim/accelerator.h"
#include "sim/engine.h"
#include "sim/memory.h"
#include "sim/session.h"

namespace coda::pipelined {

inline constexpr int kMaxStages = 16;  // engines a partition may chain

class PipelinedPart : public sc_core::sc_module {
 public:
  PipelinedPart(sc_core::sc_module_name name, sim::Session& session);
  sim::Dma dma{"dma"};           // weights of a partition, input frames
  sim::Engine loader{"loader"};  // streams frames into the first stage
  std::vector<std::unique_ptr<sim::Engine>> stages;
};

void register_pipelined();
std::unique_ptr<sim::Accelerator> make_pipelined_accelerator();

}  // namespace coda::pipelined
