// libFuzzer target: the compression-plan reader (--compression FILE), applied
// to a zoo network with convolutions, depthwise layers and a classifier.
#include "models/network/compression_plan.h"
#include "fuzz/fuzz_util.h"
#include "models/network/zoo.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const coda::network::Network base = coda::network::build_zoo("mobilenet_v2");
  const std::string path = coda::fuzz::input_file(data, size, "plan.yaml");
  coda::network::Network net = base;
  coda::fuzz::expect_input_errors([&] { coda::network::apply_compression_plan(net, path); });
  return 0;
}
