#include "tests/util/systemc_fixture.h"

namespace coda::test {

ProbePart::ProbePart(sc_core::sc_module_name name, sim::Session& s) : sc_core::sc_module(name) {
  dma0.socket.bind(s.interconnect().targets);
  dma1.socket.bind(s.interconnect().targets);
}

sim::Session& SystemCTest::session() {
  // The families' parts are registered by register_builtins() (the test main).
  static bool registered = [] {
    sim::parts().add(
        {"probe", "the sim-core tests' two DMAs and two engines", {}, [](sim::Session& s) {
           return std::make_unique<ProbePart>("probe", s);
         }});
    return true;
  }();
  (void)registered;
  return sim::Session::instance();
}

}  // namespace coda::test
