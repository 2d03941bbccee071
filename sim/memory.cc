#include "sim/memory.h"

#include <algorithm>
#include <vector>

namespace coda::sim {

using sc_core::SC_SEC;
using sc_core::sc_time;

Dram::Dram(sc_core::sc_module_name name) : sc_core::sc_module(name) {
  target.register_b_transport(this, &Dram::b_transport);
}

void Dram::configure(const DramParams& p) {
  params_ = p;
}

void Dram::reset() {
  busy_until_ = sc_core::sc_time_stamp();
  busy_ = sc_core::SC_ZERO_TIME;
  bytes_read_ = bytes_written_ = 0;
}

void Dram::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const std::uint64_t bytes = gp.get_data_length();
  const sc_time now = sc_core::sc_time_stamp();
  const sc_time arrive = now + delay;
  const sc_time start = std::max(arrive, busy_until_);
  const sc_time transfer(static_cast<double>(bytes) / params_.bandwidth_bytes_per_s, SC_SEC);
  busy_until_ = start + transfer;
  busy_ += transfer;
  if (gp.is_write()) {
    bytes_written_ += bytes;
  } else {
    bytes_read_ += bytes;
  }
  if (auto* ext = gp.get_extension<AcceptExtension>()) ext->accept_delay = busy_until_ - now;
  delay = busy_until_ - now + sc_time(params_.latency_s, SC_SEC);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

Interconnect::Interconnect(sc_core::sc_module_name name) : sc_core::sc_module(name) {
  targets.register_b_transport(this, &Interconnect::b_transport);
}

void Interconnect::b_transport(int /*port*/, tlm::tlm_generic_payload& gp, sc_time& delay) {
  delay += hop_;
  to_memory->b_transport(gp, delay);
}

Dma::Dma(sc_core::sc_module_name name) : sc_core::sc_module(name) {}

void Dma::transfer(std::uint64_t bytes, bool write, std::uint64_t address) {
  const sc_time in_flight = issue(bytes, write, address);
  if (in_flight > sc_core::SC_ZERO_TIME) sc_core::wait(in_flight);
}

sc_time Dma::issue(std::uint64_t bytes, bool write, std::uint64_t address) {
  if (bytes == 0) return sc_core::SC_ZERO_TIME;
  tlm::tlm_generic_payload gp;
  AcceptExtension accept;
  gp.set_extension(&accept);
  sc_time last_done = sc_core::SC_ZERO_TIME;
  for (std::uint64_t done = 0; done < bytes;) {
    const std::uint64_t n = std::min(burst_bytes_, bytes - done);
    if (scratch_.size() < n) scratch_.resize(n);
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(address + done);
    gp.set_data_ptr(scratch_.data());
    gp.set_data_length(static_cast<unsigned>(n));
    gp.set_streaming_width(static_cast<unsigned>(n));
    gp.set_byte_enable_ptr(nullptr);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    sc_time accepted = accept.accept_delay;
    if (port_bytes_per_s_ > 0) {
      // The port streams the burst at its own rate; the DRAM's latency
      // (delay - accept) still follows the last beat.
      const sc_time port(static_cast<double>(n) / port_bytes_per_s_, SC_SEC);
      if (port > accepted) {
        delay += port - accepted;
        accepted = port;
      }
    }
    last_done = sc_core::sc_time_stamp() + delay;
    // The next burst may go as soon as the channel accepted this one.
    sc_core::wait(accepted);
    done += n;
  }
  gp.clear_extension(&accept);
  moved_ += bytes;
  return last_done > sc_core::sc_time_stamp() ? last_done - sc_core::sc_time_stamp()
                                              : sc_core::SC_ZERO_TIME;
}

bool Buffer::allocate(std::uint64_t bytes) {
  if (!fits(bytes)) return false;
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return true;
}

void Buffer::release(std::uint64_t bytes) {
  used_ -= std::min(used_, bytes);
}

}  // namespace coda::sim
