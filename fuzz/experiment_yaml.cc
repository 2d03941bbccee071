// libFuzzer target: the experiment reader (coda run / coda search). The
// input is read as <scratch>/configs/experiments/fuzz.yaml beside links to the
// shipped configs/, so that relative paths in it (../spaces/edge_hw.yaml)
// reach real files as they do for the shipped experiments.
#include "fuzz/fuzz_util.h"
#include "plugins/builtins.h"
#include "search/experiment.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = [] {
    coda::register_builtins();
    namespace fs = std::filesystem;
    const fs::path mirror = fs::path(coda::fuzz::scratch()) / "configs";
    fs::create_directories(mirror / "experiments");
    for (const auto& e : fs::directory_iterator(CODA_SOURCE_DIR "/configs")) {
      if (e.path().filename() != "experiments") {
        fs::create_symlink(e.path(), mirror / e.path().filename());
      }
    }
    return true;
  }();
  (void)ready;
  const std::string path = coda::fuzz::input_file(data, size, "configs/experiments/fuzz.yaml");
  coda::fuzz::expect_input_errors([&] { coda::search::load_experiment(path); });
  return 0;
}
