#include "sim/session.h"

#include <sysc/tracing/sc_tracing_ids.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/error.h"

// libsystemc references sc_main; coda drives SystemC from its own main(), so
// this entry point is never called.
int sc_main(int /*argc*/, char* /*argv*/[]) {
  return 0;
}

#if defined(__SANITIZE_ADDRESS__)
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace coda::sim {
namespace {

// SystemC tells AddressSanitizer about its coroutine switches, but hands the
// main thread back without its stack bounds (ASan then sees a stack top of
// 0), after which every exception thrown on the main thread is reported as a
// stack overflow in ASan's own frame (google/sanitizers#189). Announcing the
// main thread's stack again after each run restores them. Nothing to do
// without ASan.
void restore_main_stack_for_asan() {
#if defined(__SANITIZE_ADDRESS__)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* bottom = nullptr;
  std::size_t size = 0;
  const bool known = pthread_attr_getstack(&attr, &bottom, &size) == 0;
  pthread_attr_destroy(&attr);
  if (!known) return;
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

struct State {
  std::string trace_path;
  bool elaborated = false;
};

State& state() {
  static State s;
  return s;
}

}  // namespace

PartRegistry& parts() {
  static PartRegistry r("SystemC part", "part", "");
  return r;
}

void Session::enable_trace(const std::string& path) {
  if (state().elaborated) throw std::logic_error("trace enabled after elaboration");
  // SystemC reports an unwritable trace file from inside elaboration, where
  // it cannot be recovered from; try the file first.
  const std::string file = path + ".vcd";
  std::error_code ec;
  if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec)) {
    throw InputError({file, 0, 0}, "trace",
                     "is not a regular file; SystemC writes traces to files only");
  }
  if (!std::ofstream(file)) {
    throw InputError({file, 0, 0}, "trace",
                     std::string("cannot write the trace file: ") + std::strerror(errno));
  }
  state().trace_path = path;
}

void Session::finish_trace() {
  State& r = state();
  if (r.trace_path.empty() || !r.elaborated) return;
  Session& s = instance();
  if (s.trace_) sc_core::sc_close_vcd_trace_file(s.trace_);
  s.trace_ = nullptr;
  const std::string file = r.trace_path + ".vcd";
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : 0;
  char last = 0;
  if (size > 0) {
    in.seekg(-1, std::ios::end);
    in.get(last);
  }
  if (last != '\n') {
    throw InputError({file, 0, 0}, "trace",
                     "the trace is missing or cut short (is the disk full?)");
  }
}

Session& Session::instance() {
  static Session session;
  return session;
}

Session::Session() {
  // Keep stdout clean for `--json -`: no SystemC banner, no idle warnings.
  ::setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  sc_core::sc_report_handler::set_actions(sc_core::SC_ID_NO_SC_START_ACTIVITY_,
                                          sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions(sc_core::SC_ID_TRACING_TIMESCALE_UNIT_,
                                          sc_core::SC_DO_NOTHING);
  State& r = state();
  r.elaborated = true;
  dram_ = std::make_unique<Dram>("dram");
  interconnect_ = std::make_unique<Interconnect>("interconnect");
  interconnect_->to_memory.bind(dram_->target);
  if (!r.trace_path.empty()) {
    trace_ = sc_core::sc_create_vcd_trace_file(r.trace_path.c_str());
    trace_->set_time_unit(1, sc_core::SC_PS);
  }
  for (const auto& name : parts().names()) parts_[name] = parts().make(name, *this);
}

sc_core::sc_module& Session::part_module(const std::string& name) {
  auto it = parts_.find(name);
  if (it == parts_.end()) {
    throw std::logic_error("SystemC part '" + name +
                           "' was registered after the session elaborated");
  }
  return *it->second;
}

Session::~Session() {
  if (trace_) sc_core::sc_close_vcd_trace_file(trace_);
}

sc_core::sc_time Session::run() {
  const sc_core::sc_time start = sc_core::sc_time_stamp();
  sc_core::sc_start();
  restore_main_stack_for_asan();
  return sc_core::sc_time_stamp() - start;
}

}  // namespace coda::sim
