// Off-chip memory path: a TLM-2.0 DRAM target, an interconnect that routes
// every initiator to it, and a DMA initiator. Bandwidth is a shared channel:
// each burst occupies it for bytes/bandwidth, so concurrent initiators share
// it by interleaving bursts. Requests are pipelined: a transfer of B bytes on
// an idle channel completes after B/W plus one access latency.
#pragma once

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/stats.h"

namespace coda::sim {

// Set by the DRAM on each transaction: when the channel accepted the burst
// (queueing plus transfer), separately from the full delay that adds latency.
struct AcceptExtension : tlm::tlm_extension<AcceptExtension> {
  sc_core::sc_time accept_delay = sc_core::SC_ZERO_TIME;
  tlm_extension_base* clone() const override { return new AcceptExtension(*this); }
  void copy_from(const tlm_extension_base& ext) override {
    accept_delay = static_cast<const AcceptExtension&>(ext).accept_delay;
  }
};

struct DramParams {
  double bandwidth_bytes_per_s = 10e9;
  double latency_s = 100e-9;
};

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> target{"target"};

  explicit Dram(sc_core::sc_module_name name);
  void configure(const DramParams& p);
  const DramParams& params() const { return params_; }
  // Clears the channel reservation and counters between jobs.
  void reset();

  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t bytes_written() const { return bytes_written_; }
  sc_core::sc_time busy() const { return busy_; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  DramParams params_;
  sc_core::sc_time busy_until_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_ = sc_core::SC_ZERO_TIME;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t bytes_written_ = 0;
};

class Interconnect : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Interconnect> targets{"targets"};
  tlm_utils::simple_initiator_socket<Interconnect> to_memory{"to_memory"};

  explicit Interconnect(sc_core::sc_module_name name);
  void set_hop_latency(sc_core::sc_time t) { hop_ = t; }

 private:
  void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  sc_core::sc_time hop_ = sc_core::SC_ZERO_TIME;
};

class Dma : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Dma> socket{"socket"};

  explicit Dma(sc_core::sc_module_name name);
  void set_burst_bytes(std::uint64_t b) { burst_bytes_ = b; }
  // This initiator's own port rate (bytes/s; 0 = only the DRAM limits it):
  // a burst then takes at least bytes / rate, however idle the DRAM is.
  void set_port_bandwidth(double bytes_per_s) { port_bytes_per_s_ = bytes_per_s; }

  // Moves `bytes` between DRAM and on-chip memory; call from a SystemC
  // thread. Returns when the last byte has arrived.
  void transfer(std::uint64_t bytes, bool write, std::uint64_t address = 0);
  // Streams the bursts and returns once the last one was accepted, like an
  // AXI master with outstanding requests; the result is how much later the
  // last byte arrives (the access latency still in flight).
  sc_core::sc_time issue(std::uint64_t bytes, bool write, std::uint64_t address = 0);

  std::uint64_t bytes_moved() const { return moved_; }
  void reset_stats() { moved_ = 0; }

 private:
  std::uint64_t burst_bytes_ = 16 * 1024;
  double port_bytes_per_s_ = 0;
  std::uint64_t moved_ = 0;
  std::vector<unsigned char> scratch_;  // payload data is not modelled, only its timing
};

// An on-chip buffer with a capacity check. Allocation failures are reported
// to the caller (an infeasible design is a result, not an exception).
class Buffer {
 public:
  Buffer(std::string name, std::uint64_t capacity_bytes)
      : name_(std::move(name)), capacity_(capacity_bytes) {}
  bool fits(std::uint64_t bytes) const { return used_ + bytes <= capacity_; }
  bool allocate(std::uint64_t bytes);
  void release(std::uint64_t bytes);
  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t used() const { return used_; }
  std::uint64_t peak() const { return peak_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::uint64_t capacity_;
  std::uint64_t used_ = 0;
  std::uint64_t peak_ = 0;
};

}  // namespace coda::sim
