// libFuzzer target: the space readers (NAS, hardware and joint spaces); the
// first byte picks the reader and, for hardware spaces, the family.
#include "fuzz/fuzz_util.h"
#include "models/space/hw_space.h"
#include "models/space/joint_space.h"
#include "models/space/nas_space.h"
#include "plugins/builtins.h"
#include "sim/accelerator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> families = [] {
    coda::register_builtins();
    return coda::sim::accelerators().names();
  }();
  if (size == 0) return 0;
  const std::string path = coda::fuzz::input_file(data + 1, size - 1, "space.yaml");
  const std::string& arch = families[(data[0] / 3) % families.size()];
  const auto& params = coda::sim::accelerator(arch).params();
  coda::fuzz::expect_input_errors([&] {
    switch (data[0] % 3) {
      case 0:
        coda::space::NasSpace::open(path).size();
        break;
      case 1:
        coda::space::HwSpace::load(path, arch, params).size();
        break;
      default:
        coda::space::JointSpace::load(path, arch, params);
        break;
    }
  });
  return 0;
}
