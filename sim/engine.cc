#include "sim/engine.h"

namespace coda::sim {

Engine::Engine(sc_core::sc_module_name name) : sc_core::sc_module(name), busy_signal_("busy") {
  SC_THREAD(run);
}

void Engine::push(Command cmd) {
  queue_.push_back(std::move(cmd));
  wake_.notify(sc_core::SC_ZERO_TIME);
}

void Engine::wait_below(std::size_t n) {
  while (queue_.size() >= n) sc_core::wait(popped_);
}

void Engine::reset_stats() {
  busy_ = sc_core::SC_ZERO_TIME;
  done_ = 0;
}

void Engine::trace(sc_core::sc_trace_file* tf) {
  sc_core::sc_trace(tf, busy_signal_, std::string(name()) + ".busy");
  traced_ = true;
}

void Engine::run() {
  while (true) {
    while (queue_.empty()) sc_core::wait(wake_);
    Command cmd = std::move(queue_.front());
    queue_.pop_front();
    popped_.notify(sc_core::SC_ZERO_TIME);
    running_ = true;
    for (auto& [token, count] : cmd.waits) token->wait_for(count);
    const sc_core::sc_time start = sc_core::sc_time_stamp();
    if (traced_) busy_signal_.write(true);
    if (cmd.work) cmd.work();
    if (traced_) busy_signal_.write(false);
    busy_ += sc_core::sc_time_stamp() - start;
    ++done_;
    for (Token* t : cmd.signals) t->signal();
    running_ = false;
  }
}

}  // namespace coda::sim
