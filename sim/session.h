// The simulation session: SystemC is elaborated once per process, then runs
// many jobs. Hardware parameters are data given to the elaborated modules, so
// no module structure depends on them (DESIGN.md "Simulation principles").
#pragma once

#include <systemc>

#include <map>
#include <memory>
#include <string>

#include "core/registry.h"
#include "sim/memory.h"

namespace coda::sim {

class Session;

// The SystemC modules of each accelerator family (engines, DMAs bound to the
// interconnect), built when the session elaborates: every part registered
// before the first Session::instance() joins it; later ones cannot.
using PartRegistry = Registry<sc_core::sc_module, Session&>;
PartRegistry& parts();

class Session {
 public:
  // Must be called before the first instance().
  static void enable_trace(const std::string& vcd_path_without_extension);

  // Closes the trace after the last simulation and checks that it reached the
  // disk whole (SystemC does not report failed writes): a missing or cut
  // trace is an InputError naming the file. Nothing to do without a trace.
  static void finish_trace();

  // The process-wide session, elaborated on first use.
  static Session& instance();

  Dram& dram() { return *dram_; }
  Interconnect& interconnect() { return *interconnect_; }
  sc_core::sc_trace_file* trace_file() { return trace_; }
  bool has_part(const std::string& name) const { return parts_.count(name) != 0; }
  template <typename T>
  T& part(const std::string& name) {
    return dynamic_cast<T&>(part_module(name));
  }

  // Runs until every process is idle; returns the simulated time that passed.
  sc_core::sc_time run();

  ~Session();

 private:
  Session();
  sc_core::sc_module& part_module(const std::string& name);

  std::unique_ptr<Dram> dram_;
  std::unique_ptr<Interconnect> interconnect_;
  std::map<std::string, std::unique_ptr<sc_core::sc_module>> parts_;
  sc_core::sc_trace_file* trace_ = nullptr;
};

}  // namespace coda::sim
