// The DPUCZDX8G-like DPU: the compiler's instruction stream executed by
// concurrent SystemC engines per core (LOAD, SAVE, CONV, MISC, DWCONV and the
// host CPU), synchronised only through dependency tokens, with DDR shared by
// the cores over the TLM interconnect.
#pragma once

#include <array>
#include <memory>

#include "models/dpu/compiler.h"
#include "sim/accelerator.h"
#include "sim/engine.h"
#include "sim/session.h"

namespace coda::dpu {

inline constexpr int kMaxCores = 4;

class DpuCore : public sc_core::sc_module {
 public:
  DpuCore(sc_core::sc_module_name name, sim::Session& session);
  sim::Dma load_dma{"load_dma"};
  sim::Dma save_dma{"save_dma"};
  sim::Dma fetch_dma{"fetch_dma"};
  // Instruction fetch: brings the stream from DDR into the instruction buffer
  // in blocks; an instruction is dispatched to its engine once fetched.
  sim::Engine fetch{"fetch"};
  std::array<std::unique_ptr<sim::Engine>, kUnits> engines;
};

class DpuPart : public sc_core::sc_module {
 public:
  DpuPart(sc_core::sc_module_name name, sim::Session& session);
  std::array<std::unique_ptr<DpuCore>, kMaxCores> cores;
};

void register_dpu();
std::unique_ptr<sim::Accelerator> make_dpu_accelerator();

}  // namespace coda::dpu
