// Dependency tokens between engines, in the spirit of the DPU's dpdon/dpdby:
// a producer signals, a consumer waits until a count of signals arrived.
#pragma once

#include <systemc>

#include <cstdint>

namespace coda::sim {

class Token {
 public:
  Token() = default;
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;

  void signal() {
    ++count_;
    event_.notify(sc_core::SC_ZERO_TIME);
  }
  // Blocks the calling SystemC thread until at least `n` signals arrived.
  void wait_for(std::uint64_t n) {
    while (count_ < n) sc_core::wait(event_);
  }
  std::uint64_t count() const { return count_; }

 private:
  std::uint64_t count_ = 0;
  sc_core::sc_event event_;
};

}  // namespace coda::sim
