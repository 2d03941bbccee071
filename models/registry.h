// Registers every accelerator family and its SystemC part. Call once, before
// the first simulation (SystemC elaborates once per process).
#pragma once

namespace coda {

void register_accelerators();

}  // namespace coda
