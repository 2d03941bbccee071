// The systolic mode against SCALE-Sim v2: per-layer total cycles and SRAM
// access counts must equal its reports exactly (stall-free), for os/ws/is on
// two array shapes and four topologies. Fixture: tests/fixtures/scalesim/.
#include <gtest/gtest.h>

#include "tests/util/errors.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "core/error.h"
#include "models/edge/edge.h"
#include "tests/util/cli.h"
#include "tests/util/systemc_fixture.h"

namespace coda::test {
namespace {

const std::string kFixtures = std::string(CODA_SOURCE_DIR) + "/tests/fixtures/scalesim/";
const std::string kShared = std::string(CODA_SOURCE_DIR) + "/../shared/reference/scalesim/";

struct Row {
  std::string topology, dataflow;
  int rows, cols, layer;
  long long cycles, stalls, ifmap, filter, ofmap;
  double overall, mapping, compute;
};

std::vector<Row> load_rows() {
  std::ifstream in(kFixtures + "scalesim_v2_results.tsv");
  std::vector<Row> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("topology", 0) == 0) continue;
    std::istringstream f(line);
    Row r;
    f >> r.topology >> r.dataflow >> r.rows >> r.cols >> r.layer >> r.cycles >> r.stalls >>
        r.ifmap >> r.filter >> r.ofmap >> r.overall >> r.mapping >> r.compute;
    out.push_back(r);
  }
  return out;
}

std::string topology_path(const std::string& name) {
  if (name == "coda_small" || name == "coda_dw") return kFixtures + name + ".csv";
  if (name == "gemm") return kShared + "gemm_test_mnk_input.csv";
  return kShared + name + ".csv";
}

edge::SystolicConfig config(const Row& r) {
  edge::SystolicConfig c;
  c.rows = r.rows;
  c.cols = r.cols;
  c.dataflow = r.dataflow == "os"   ? edge::Dataflow::kOs
               : r.dataflow == "ws" ? edge::Dataflow::kWs
                                    : edge::Dataflow::kIs;
  return c;
}

class Systolic : public SystemCTest {};

TEST_F(Systolic, MatchesScaleSimExactly) {
  const auto rows = load_rows();
  ASSERT_GE(rows.size(), 60u);
  std::map<std::string, std::vector<edge::SystolicRun>> runs;
  std::set<std::string> topologies, skipped;
  int checked = 0;
  for (const Row& r : rows) {
    const std::string path = topology_path(r.topology);
    if (!std::filesystem::exists(path)) {
      skipped.insert(r.topology);
      continue;
    }
    const std::string key =
        r.topology + r.dataflow + std::to_string(r.rows) + "x" + std::to_string(r.cols);
    if (!runs.count(key)) {
      runs[key] = edge::simulate_systolic(edge::load_scalesim_topology(path, r.topology == "gemm"),
                                          config(r));
    }
    const auto& run = runs[key].at(static_cast<std::size_t>(r.layer));
    SCOPED_TRACE(key + " layer " + std::to_string(r.layer));
    EXPECT_EQ(run.total_cycles, r.cycles);
    EXPECT_EQ(run.stall_cycles, r.stalls);
    EXPECT_EQ(run.counts.ifmap_sram_reads, r.ifmap);
    EXPECT_EQ(run.counts.filter_sram_reads, r.filter);
    EXPECT_EQ(run.counts.ofmap_sram_writes, r.ofmap);
    EXPECT_NEAR(run.counts.overall_util_pct, r.overall, 1e-9 * r.overall);
    EXPECT_NEAR(run.counts.mapping_efficiency_pct, r.mapping, 1e-9 * r.mapping);
    EXPECT_NEAR(run.counts.compute_util_pct, r.compute, 1e-9 * r.compute);
    topologies.insert(r.topology + "/" + r.dataflow);
    ++checked;
  }
  if (!skipped.empty()) {
    std::cout << "note: ../shared/reference/scalesim is absent, so the rows of ";
    for (const auto& s : skipped) std::cout << s << " ";
    std::cout << "were skipped (a user's clone has no ../shared)\n";
  }
  EXPECT_GE(checked, 30);
  EXPECT_GE(topologies.size(), 6u);  // at least two topologies for each of os, ws, is
}

// SCALE-Sim v2's published golden result (its CI): scale.cfg with ws,
// alexnet_part.csv -> 112283 cycles, 0 stalls, mapping efficiency 94.53125%.
TEST_F(Systolic, PublishedGoldenResult) {
  if (!std::filesystem::exists(kShared + "scale.cfg"))
    GTEST_SKIP() << "../shared/reference/scalesim absent";
  auto cfg = edge::load_scalesim_config(kShared + "scale.cfg");
  cfg.dataflow = edge::Dataflow::kWs;
  const auto runs = edge::simulate_systolic(
      edge::load_scalesim_topology(kShared + "alexnet_part.csv", false), cfg);
  EXPECT_EQ(runs[0].total_cycles, 112283);
  EXPECT_EQ(runs[0].stall_cycles, 0);
  EXPECT_DOUBLE_EQ(runs[0].counts.mapping_efficiency_pct, 94.53125);
}

TEST_F(Systolic, LimitedBandwidthStalls) {
  auto cfg = edge::load_scalesim_config(kFixtures + "ws_8x16.cfg");
  const auto layers = edge::load_scalesim_topology(kFixtures + "coda_small.csv", false);
  const auto free_run = edge::simulate_systolic(layers, cfg);
  cfg.calc_bandwidth = false;
  cfg.bandwidth_words_per_cycle = {0.05};
  const auto slow = edge::simulate_systolic(layers, cfg);
  long long stalls = 0;
  for (std::size_t i = 0; i < slow.size(); ++i) {
    EXPECT_EQ(free_run[i].stall_cycles, 0);
    EXPECT_GE(slow[i].total_cycles, free_run[i].total_cycles);
    stalls += slow[i].stall_cycles;
  }
  EXPECT_GT(stalls, 0);
}

TEST(SystolicReaders, DepthwiseLayersExpandPerChannel) {
  const auto layers = edge::load_scalesim_topology(kFixtures + "coda_dw.csv", false);
  ASSERT_EQ(layers.size(), 3u + 4u);  // DP2 has 4 channels
  EXPECT_EQ(layers[1].name, "DP2Channel_0");
  EXPECT_EQ(layers[1].channels, 1);
}

TEST(SystolicReaders, MalformedFilesNameLineAndColumn) {
  const std::string dir = temp_dir("scalesim_bad");
  write_file(dir + "/t.csv",
             "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
             "Num Filter, Strides,\nConv1, 16, 16, 3, x3, 3, 8, 1,\n");
  EXPECT_EQ(
      input_error_of([&] { edge::load_scalesim_topology(dir + "/t.csv", false); }),
      dir + "/t.csv:2:5: 'Filter Width': expected a positive integer up to 2147483647, got 'x3'");
  write_file(dir + "/short.csv", "Layer name, IFMAP Height\nConv1, 16, 16\n");
  EXPECT_NE(input_error_of([&] {
              edge::load_scalesim_topology(dir + "/short.csv", false);
            }).find(":2: expected 8 columns"),
            std::string::npos);
  std::string cfg = read_file(kFixtures + "ws_8x16.cfg");
  write_file(dir + "/df.cfg", cfg.replace(cfg.find("Dataflow : ws"), 13, "Dataflow : rs"));
  EXPECT_EQ(input_error_of([&] { edge::load_scalesim_config(dir + "/df.cfg"); }),
            dir + "/df.cfg:14: 'Dataflow': 'rs' is not allowed; allowed values: os, ws, is");
  cfg = read_file(kFixtures + "ws_8x16.cfg");
  write_file(dir + "/h.cfg", cfg.replace(cfg.find("ArrayHeight:    8"), 17, "ArrayHeight: eight"));
  EXPECT_EQ(input_error_of([&] { edge::load_scalesim_config(dir + "/h.cfg"); }),
            dir + "/h.cfg:5: 'ArrayHeight': expected an integer >= 1, got 'eight'");
}

// Sizes that would run for minutes or hours (or overflow) are refused with
// the line, and a GEMM of 10^8 rows runs in well under a second.
TEST(SystolicReaders, OversizedLayersAreRefusedBeforeTheyRun) {
  const std::string dir = temp_dir("scalesim_big");
  const std::string head =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\n";
  write_file(dir + "/ifmap.csv", head + "big, 1000000, 1000000, 3, 3, 3, 8, 1,\n");
  EXPECT_EQ(input_error_of([&] { edge::load_scalesim_topology(dir + "/ifmap.csv", false); }),
            dir +
                "/ifmap.csv:2: layer 'big' is too large to simulate: at most 10^15 "
                "multiply-accumulates and 10^11 words of IFMAP, filters and OFMAP per layer");
  write_file(dir + "/wide.csv", head + "w, 16, 16, 3, 3, 3, 4294967296, 1,\n");
  EXPECT_EQ(input_error_of([&] { edge::load_scalesim_topology(dir + "/wide.csv", false); }),
            dir +
                "/wide.csv:2:7: 'Num Filter': expected a positive integer up to 2147483647, "
                "got '4294967296'");
  write_file(dir + "/dw.csv", head + "DP1, 16, 16, 3, 3, 1000000, 1, 1,\n");
  EXPECT_EQ(input_error_of([&] { edge::load_scalesim_topology(dir + "/dw.csv", false); }),
            dir +
                "/dw.csv:2:6: 'Channels': a depthwise layer is simulated channel by channel: at "
                "most 65536, got 1000000");
  write_file(dir + "/gemm.csv", "Layer, M, N, K\ng, 100000000, 64, 64\n");
  const auto layers = edge::load_scalesim_topology(dir + "/gemm.csv", true);
  edge::SystolicConfig cfg = edge::load_scalesim_config(kFixtures + "ws_8x16.cfg");
  const auto c = edge::systolic_counts(layers.at(0), cfg);
  // WS: Sr = K = 64 (8 row folds), Sc = N = 64 (4 column folds), T = M.
  EXPECT_EQ(c.row_folds * c.col_folds, 32);
  EXPECT_EQ(c.compute_cycles, 32 * (2 * 8 + 16 + 100000000LL - 2) - 1);
  EXPECT_DOUBLE_EQ(c.mapping_efficiency_pct, 100.0);
}

TEST(SystolicCli, ReportsAndExitCodes) {
  const std::string dir = temp_dir("scalesim_cli");
  auto r = run_coda("simulate --arch edge --scalesim-config " + kFixtures +
                    "ws_8x16.cfg --scalesim-topology " + kFixtures +
                    "coda_small.csv --report-dir " + dir + " --json " + dir + "/out.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string comp = read_file(dir + "/COMPUTE_REPORT.csv");
  EXPECT_EQ(comp.rfind("LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, "
                       "Compute Util %,",
                       0),
            0u);
  const std::string det = read_file(dir + "/DETAILED_ACCESS_REPORT.csv");
  EXPECT_NE(det.find("SRAM IFMAP Reads, SRAM Filter Start Cycle"), std::string::npos);
  EXPECT_NE(read_file(dir + "/out.json").find("\"microarch\": \"systolic\""), std::string::npos);
  write_file(dir + "/bad.csv",
             "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
             "Num Filter, Strides,\nConv1, 16, -16, 3, 3, 3, 8, 1,\n");
  r = run_coda("simulate --arch edge --scalesim-config " + kFixtures +
               "ws_8x16.cfg --scalesim-topology " + dir + "/bad.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.csv:2:3: 'IFMAP Width'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace coda::test
