// libFuzzer target: the SCALE-Sim readers (.cfg, convolution and GEMM
// topology CSVs), then the closed-form counts of every layer read; the first
// byte picks the reader.
#include "fuzz/fuzz_util.h"
#include "models/edge/systolic.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string path = coda::fuzz::input_file(data + 1, size - 1, "scalesim.in");
  coda::fuzz::expect_input_errors([&] {
    if (data[0] % 3 == 0) {
      coda::edge::load_scalesim_config(path);
      return;
    }
    static const coda::edge::SystolicConfig cfg =
        coda::edge::load_scalesim_config(CODA_SOURCE_DIR "/tests/fixtures/scalesim/ws_8x16.cfg");
    for (const auto& l : coda::edge::load_scalesim_topology(path, data[0] % 3 == 2)) {
      coda::edge::systolic_counts(l, cfg);
    }
  });
  return 0;
}
