#include "tests/util/systemc_fixture.h"

#include "models/registry.h"

namespace coda::test {

ProbePart::ProbePart(sc_core::sc_module_name name, sim::Session& s) : sc_core::sc_module(name) {
  dma0.socket.bind(s.interconnect().targets);
  dma1.socket.bind(s.interconnect().targets);
}

sim::Session& SystemCTest::session() {
  static bool registered = [] {
    register_accelerators();
    sim::Session::register_part(
        "probe", [](sim::Session& s) { return std::make_unique<ProbePart>("probe", s); });
    return true;
  }();
  (void)registered;
  return sim::Session::instance();
}

}  // namespace coda::test
