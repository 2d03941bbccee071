// The simulation session: SystemC is elaborated once per process, then runs
// many jobs. Hardware parameters are data given to the elaborated modules, so
// no module structure depends on them (DESIGN.md "Simulation principles").
#pragma once

#include <systemc>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "sim/memory.h"

namespace coda::sim {

class Session {
 public:
  // Builds one family's modules (engines, DMAs bound to the interconnect).
  using PartFactory = std::function<std::unique_ptr<sc_core::sc_module>(Session&)>;

  // Both must be called before the first instance(); parts registered later
  // cannot join an elaborated session.
  static void register_part(const std::string& name, PartFactory factory);
  static void enable_trace(const std::string& vcd_path_without_extension);

  // The process-wide session, elaborated on first use.
  static Session& instance();

  Dram& dram() { return *dram_; }
  Interconnect& interconnect() { return *interconnect_; }
  sc_core::sc_trace_file* trace_file() { return trace_; }
  bool has_part(const std::string& name) const { return parts_.count(name) != 0; }
  template <typename T>
  T& part(const std::string& name) {
    return dynamic_cast<T&>(*parts_.at(name));
  }

  // Runs until every process is idle; returns the simulated time that passed.
  sc_core::sc_time run();

  ~Session();

 private:
  Session();

  std::unique_ptr<Dram> dram_;
  std::unique_ptr<Interconnect> interconnect_;
  std::map<std::string, std::unique_ptr<sc_core::sc_module>> parts_;
  sc_core::sc_trace_file* trace_ = nullptr;
};

}  // namespace coda::sim
