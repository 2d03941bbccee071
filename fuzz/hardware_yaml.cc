// libFuzzer target: the hardware config reader of every accelerator family
// (--hw FILE); the first byte picks the family.
#include "fuzz/fuzz_util.h"
#include "plugins/builtins.h"
#include "sim/accelerator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> families = [] {
    coda::register_builtins();
    return coda::sim::accelerators().names();
  }();
  if (size == 0) return 0;
  coda::sim::Accelerator& acc = coda::sim::accelerator(families[data[0] % families.size()]);
  const std::string path = coda::fuzz::input_file(data + 1, size - 1, "hw.yaml");
  coda::fuzz::expect_input_errors([&] { coda::sim::load_hw(acc, path, {}); });
  return 0;
}
