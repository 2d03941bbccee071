// The NAHAS PE-array edge accelerator: SystemC execution of the mapper's
// plan, its roofline twin, area and energy.
#pragma once

#include <memory>

#include "sim/accelerator.h"
#include "sim/engine.h"
#include "sim/session.h"

namespace coda::edge {

// The SystemC modules, elaborated once per process: an I/O engine driving a
// DMA on the shared interconnect, the PE array, and the non-linear unit.
class EdgePart : public sc_core::sc_module {
 public:
  EdgePart(sc_core::sc_module_name name, sim::Session& session);

  sim::Dma dma{"dma"};
  sim::Engine io{"io"};
  sim::Engine array{"array"};
  sim::Engine nlu{"nlu"};
};

// Registers the "edge" accelerator and its SystemC part.
void register_edge();

std::unique_ptr<sim::Accelerator> make_edge_accelerator();

}  // namespace coda::edge
