// The one SystemC test fixture (STYLE.md 7). SystemC elaborates once per
// process, so every part any test needs is registered here, before the first
// Session::instance().
#pragma once

#include <gtest/gtest.h>

#include "sim/engine.h"
#include "sim/session.h"

namespace coda::test {

// Two DMA channels and two engines on the shared interconnect, for testing
// the sim core against closed-form timing.
class ProbePart : public sc_core::sc_module {
 public:
  explicit ProbePart(sc_core::sc_module_name name, sim::Session& s);
  sim::Dma dma0{"dma0"}, dma1{"dma1"};
  sim::Engine engine0{"engine0"}, engine1{"engine1"};
};

class SystemCTest : public ::testing::Test {
 protected:
  // Every SystemC test elaborates the one session with all parts registered.
  void SetUp() override { session(); }
  static sim::Session& session();
  static ProbePart& probe() { return session().part<ProbePart>("probe"); }
};

}  // namespace coda::test
