// libFuzzer target: the network YAML reader (coda network stats FILE).
#include "fuzz/fuzz_util.h"
#include "models/network/yaml_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = coda::fuzz::input_file(data, size, "net.yaml");
  coda::fuzz::expect_input_errors([&] { coda::network::load_network_yaml(path); });
  return 0;
}
