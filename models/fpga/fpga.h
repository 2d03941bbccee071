// The HotNAS tiled FPGA engine in SystemC: the conv / depthwise / vector
// compute engine and three DMA streams (IFM, weights, OFM) on the TLM-2.0
// interconnect, each stream at its own port rate under the shared DDR limit.
// Double buffers are real: a load may only fill a buffer half the compute has
// finished with, and the compute may only start an output tile once the OFM
// half it writes has been stored.
#pragma once

#include <memory>

#include "sim/accelerator.h"
#include "sim/engine.h"
#include "sim/memory.h"
#include "sim/session.h"

namespace coda::fpga {

class FpgaPart : public sc_core::sc_module {
 public:
  FpgaPart(sc_core::sc_module_name name, sim::Session& session);
  sim::Dma i_dma{"i_dma"};
  sim::Dma w_dma{"w_dma"};
  sim::Dma o_dma{"o_dma"};
  sim::Engine i_load{"i_load"};
  sim::Engine w_load{"w_load"};
  sim::Engine compute{"compute"};
  sim::Engine store{"store"};
  // Issues a job's steps to the engines above as they drain, so a job's
  // memory is bounded by the queue window, not by its number of steps.
  sim::Engine feed{"feed"};
};

void register_fpga();
std::unique_ptr<sim::Accelerator> make_fpga_accelerator();

}  // namespace coda::fpga
