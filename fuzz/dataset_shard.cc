// libFuzzer target: the dataset shard reader (coda train --data DIR), over a
// fixed schema (two NAS decisions, one hardware field, 10 samples, the
// per-layer latencies column of coda-dataset/2).
#include "fuzz/fuzz_util.h"
#include "models/cost/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = [] {
    const std::string d = coda::fuzz::scratch() + "/dataset";
    std::filesystem::create_directories(d);
    std::ofstream(d + "/schema.json")
        << R"({"format": "coda-dataset/2", "arch": "edge", "samples": 10, "hw_fields": ["pes_x"],)"
        << R"( "nas_decisions": [{"name": "a", "labels": ["x", "y", "z"]},)"
        << R"( {"name": "b", "labels": ["p", "q"]}]})";
    return d;
  }();
  coda::fuzz::input_file(data, size, "dataset/shard-00000.csv");
  coda::fuzz::expect_input_errors([&] { coda::cost::read_dataset(dir); });
  return 0;
}
