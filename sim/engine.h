// The engine base shared by every accelerator: a command queue served by one
// SystemC thread. Commands wait on dependency tokens, do timed work, then
// signal tokens, so engines run concurrently and wait only on each other.
#pragma once

#include <systemc>

#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sim/token.h"

namespace coda::sim {

struct Command {
  std::vector<std::pair<Token*, std::uint64_t>> waits;  // (token, count) to wait for
  std::function<void()> work;                           // runs in the engine thread; may wait()
  std::vector<Token*> signals;                          // signalled when the work is done
};

class Engine : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Engine);
  explicit Engine(sc_core::sc_module_name name);

  void push(Command cmd);
  bool idle() const { return queue_.empty() && !running_; }
  // Blocks the calling SystemC thread until fewer than `n` commands wait in
  // the queue: a job fed from a thread keeps its memory bounded this way
  // instead of queueing every step of a long layer up front.
  void wait_below(std::size_t n);

  // Time spent in work (token waits excluded), and commands done, since reset.
  sc_core::sc_time busy() const { return busy_; }
  std::uint64_t commands_done() const { return done_; }
  void reset_stats();

  // Adds this engine's busy signal to a VCD trace (before simulation starts).
  void trace(sc_core::sc_trace_file* tf);

 private:
  void run();

  std::deque<Command> queue_;
  sc_core::sc_event wake_;
  sc_core::sc_event popped_;
  sc_core::sc_signal<bool> busy_signal_;
  bool traced_ = false;
  bool running_ = false;
  sc_core::sc_time busy_ = sc_core::SC_ZERO_TIME;
  std::uint64_t done_ = 0;
};

}  // namespace coda::sim
