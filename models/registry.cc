#include "models/registry.h"

#include "models/dpu/dpu.h"
#include "models/edge/edge.h"
#include "models/fpga/fpga.h"

namespace coda {

void register_accelerators() {
  static const bool done = [] {
    edge::register_edge();
    dpu::register_dpu();
    fpga::register_fpga();
    return true;
  }();
  (void)done;
}

}  // namespace coda
