// libFuzzer target: the ONNX importer (coda network stats model.onnx).
#include "fuzz/fuzz_util.h"
#include "models/network/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = coda::fuzz::input_file(data, size, "model.onnx");
  coda::fuzz::expect_input_errors([&] { coda::network::import_onnx(path); });
  return 0;
}
