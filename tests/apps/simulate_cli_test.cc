// End-to-end tests of `coda simulate` and `coda sweep`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>

#include "models/cost/featurizer.h"
#include "models/cost/mlp.h"
#include "models/edge/config.h"
#include "models/space/nas_space.h"
#include "tests/util/cli.h"

namespace coda::test {
namespace {

const std::string kSrc = CODA_SOURCE_DIR;
const std::string kBaseline = kSrc + "/configs/hardware/edge/baseline.yaml";

TEST(SimulateCli, JsonHasTheDocumentedFields) {
  const auto r =
      run_coda("simulate --arch edge --hw " + kBaseline + " --network mobilenet_v2 --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"status", "arch", "network", "latency_ms", "cycles", "energy_mj",
                        "area_mm2", "utilization", "layers"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["arch"], "edge");
  ASSERT_FALSE(j["layers"].empty());
  for (const char* k :
       {"name", "op", "cycles", "latency_ms", "macs", "utilization", "bottleneck"}) {
    EXPECT_TRUE(j["layers"][0].contains(k)) << k;
  }
  EXPECT_NEAR(j["latency_ms"].get<double>(), 0.30, 0.03);
}

TEST(SimulateCli, TableByDefault) {
  const auto r = run_coda("simulate --arch edge --network resnet18");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("resnet18 on edge: latency"), std::string::npos);
  EXPECT_NE(r.out.find("layer4.1.conv2"), std::string::npos);
}

TEST(SimulateCli, InfeasibleExitsThreeWithReasonInJson) {
  const std::string dir = temp_dir("infeasible");
  const auto r = run_coda(
      "simulate --arch edge --network mobilenet_v2 --set pes_x=1 --set pes_y=1 "
      "--set local_memory_mb=0.5 --json " +
      dir + "/r.json");
  EXPECT_EQ(r.code, 3);
  const auto j = nlohmann::json::parse(read_file(dir + "/r.json"));
  EXPECT_EQ(j["status"], "infeasible");
  EXPECT_NE(j["reason"].get<std::string>().find("local memory"), std::string::npos);
  EXPECT_NE(r.out.find("INFEASIBLE"), std::string::npos);
}

TEST(SimulateCli, SetOverridesAndValidates) {
  auto a =
      run_coda("simulate --arch edge --network mobilenet_v2 --set io_bandwidth_gbps=25 --json -");
  auto b = run_coda("simulate --arch edge --network mobilenet_v2 --json -");
  ASSERT_EQ(a.code, 0);
  EXPECT_LT(nlohmann::json::parse(a.out)["latency_ms"].get<double>(),
            nlohmann::json::parse(b.out)["latency_ms"].get<double>());
  const auto bad = run_coda("simulate --arch edge --network mobilenet_v2 --set pes_x=100");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("--set: 'pes_x': 100 is not allowed; allowed range: 1 to 64 PE (integer)"),
            std::string::npos)
      << bad.err;
  const auto unknown = run_coda("simulate --arch edge --network mobilenet_v2 --set pe_x=4");
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("unknown field; allowed fields: pes_x, pes_y"), std::string::npos);
}

TEST(SimulateCli, BadConfigFilesNameFileLineFieldAndRange) {
  const std::string dir = temp_dir("badhw");
  std::string text = read_file(kBaseline);
  std::string range = text;
  range.replace(range.find("simd_units: 64"), 14, "simd_units: 0");
  write_file(dir + "/range.yaml", range);
  auto r = run_coda("simulate --arch edge --hw " + dir + "/range.yaml --network mobilenet_v2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(
      r.err.find(dir + "/range.yaml:12:13: 'simd_units': 0 is not allowed; allowed range: 1 to "
                       "1024 unit/lane (integer)"),
      std::string::npos)
      << r.err;

  std::string missing = text;
  missing.erase(missing.find("clock_ghz: 0.8\n"), 15);
  write_file(dir + "/missing.yaml", missing);
  r = run_coda("simulate --arch edge --hw " + dir + "/missing.yaml --network mobilenet_v2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("'clock_ghz': missing field in edge hardware config"), std::string::npos)
      << r.err;

  write_file(dir + "/unknown.yaml", text + "sram_mb: 3\n");
  r = run_coda("simulate --arch edge --hw " + dir + "/unknown.yaml --network mobilenet_v2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(
      r.err.find("unknown.yaml:19:1: 'sram_mb': unknown field in edge hardware config; allowed "
                 "fields: pes_x"),
      std::string::npos)
      << r.err;

  r = run_coda("simulate --arch tpu --network mobilenet_v2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unknown accelerator 'tpu'; available: dpu, edge"), std::string::npos)
      << r.err;
}

TEST(SimulateCli, TraceWritesAVcdWithEngineActivity) {
  const std::string dir = temp_dir("trace");
  const auto r = run_coda("simulate --arch edge --network mobilenet_v2 --trace " + dir + "/t.vcd");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string vcd = read_file(dir + "/t.vcd");
  EXPECT_NE(vcd.find("$timescale"), std::string::npos);
  EXPECT_NE(vcd.find("$scope module edge $end"), std::string::npos);
  EXPECT_NE(vcd.find("$scope module array $end"), std::string::npos);
  EXPECT_NE(vcd.find("$scope module io $end"), std::string::npos);
  // Many time stamps: the engines toggle busy through the run.
  std::size_t stamps = 0;
  for (std::size_t p = vcd.find("\n#"); p != std::string::npos; p = vcd.find("\n#", p + 1))
    ++stamps;
  EXPECT_GT(stamps, 50u);
}

TEST(SimulateCli, AnUnwritableTraceIsAnInputError) {
  const auto r = run_coda("simulate --arch edge --network lu_d --trace /nonexistent-dir/t.vcd");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("coda: error: /nonexistent-dir/t.vcd: 'trace': cannot write the trace "
                       "file: No such file or directory"),
            std::string::npos)
      << r.err;
}

TEST(SimulateCli, AFailedJsonWriteIsAnErrorNotASilentShortFile) {
  auto r = run_coda("simulate --arch edge --network lu_d --json /dev/full");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("coda: error: /dev/full: cannot write file: No space left on device"),
            std::string::npos)
      << r.err;
  const std::string dir = temp_dir("json-out");
  r = run_coda("simulate --arch edge --network lu_d --json " + dir + "/missing/r.json");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(dir + "/missing/r.json: cannot write file: No such file or directory"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator());
}

TEST(SimulateCli, ScaleSimFilesExcludeTheNetworkAndHardwareOptions) {
  const auto r = run_coda(
      "simulate --arch edge --scalesim-config a.cfg --scalesim-topology t.csv "
      "--network lu_d");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--network excludes --scalesim-config"), std::string::npos) << r.err;
  EXPECT_EQ(
      run_coda("sweep --arch edge --space x.yaml --network lu_d --out o.csv --samples -1").code, 1);
}

TEST(SimulateCli, DumpParamsShowsUnitsAndRanges) {
  const auto r = run_coda("simulate --arch edge --dump-params");
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("# SIMD MAC units per compute lane [unit/lane]; allowed range: 1 to 1024"),
            std::string::npos)
      << r.out;
}

TEST(SweepCli, GridWithParetoOutputs) {
  const std::string dir = temp_dir("sweep");
  const auto r = run_coda("sweep --arch edge --space " + kSrc +
                          "/configs/spaces/edge_hw_small.yaml "
                          "--network mobilenet_v2 --out " +
                          dir + "/s.csv --workers 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(rows_by_first_column(read_file(dir + "/s.csv")).size(), 96u);
  const std::string pareto = read_file(dir + "/s_pareto.csv");
  EXPECT_NE(pareto.find(",ok,"), std::string::npos);
  EXPECT_GT(read_file(dir + "/s_pareto.png").size(), 1000u);
  // Refuses to overwrite without --resume; --resume on a finished sweep adds nothing.
  EXPECT_EQ(run_coda("sweep --arch edge --space " + kSrc +
                     "/configs/spaces/edge_hw_small.yaml "
                     "--network mobilenet_v2 --out " +
                     dir + "/s.csv")
                .code,
            1);
  ASSERT_EQ(run_coda("sweep --arch edge --space " + kSrc +
                     "/configs/spaces/edge_hw_small.yaml "
                     "--network mobilenet_v2 --out " +
                     dir + "/s.csv --resume")
                .code,
            0);
  EXPECT_EQ(rows_by_first_column(read_file(dir + "/s.csv")).size(), 96u);
}

TEST(SweepCli, KilledSweepResumesWithoutLosingOrRepeatingPoints) {
  const std::string dir = temp_dir("resume");
  const std::string common = "sweep --arch edge --space " + kSrc +
                             "/configs/spaces/edge_hw.yaml "
                             "--network resnet50 --samples 1500 --seed 7 --workers 2 --out ";
  ASSERT_EQ(run_coda(common + dir + "/full.csv").code, 0);
  // Start the same sweep, SIGKILL it part-way, then resume.
  const std::string cmd = std::string(CODA_BINARY) + " " + common + dir +
                          "/killed.csv 2>/dev/null >/dev/null & pid=$!; sleep 0.4; "
                          "kill -9 $pid; pkill -9 -P $pid; wait $pid 2>/dev/null; true";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const auto partial = rows_by_first_column(read_file(dir + "/killed.csv"));
  ASSERT_EQ(run_coda(common + dir + "/killed.csv --resume").code, 0);
  const auto full = rows_by_first_column(read_file(dir + "/full.csv"));
  const auto resumed = rows_by_first_column(read_file(dir + "/killed.csv"));
  EXPECT_EQ(full.size(), 1500u);
  EXPECT_EQ(resumed, full);
  // Lines in the resumed file are unique: no point was written twice.
  std::istringstream in(read_file(dir + "/killed.csv"));
  std::string line;
  std::size_t lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 1501u);
  RecordProperty("points_before_kill", static_cast<int>(partial.size()));
}

TEST(SweepCli, BadSpaceNamesFileAndField) {
  const std::string dir = temp_dir("badspace");
  write_file(dir + "/s.yaml", "arch: edge\nparams:\n  pes_x: [1, 2, 99]\n");
  auto r = run_coda("sweep --arch edge --space " + dir + "/s.yaml --network mobilenet_v2 --out " +
                    dir + "/o.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("s.yaml:3:17: 'pes_x': 99 is not allowed; allowed range: 1 to 64"),
            std::string::npos)
      << r.err;
  write_file(dir + "/t.yaml", "arch: edge\nparams:\n  pe_x: [1, 2]\n");
  r = run_coda("sweep --arch edge --space " + dir + "/t.yaml --network mobilenet_v2 --out " + dir +
               "/o.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("'pe_x': unknown field in the space's params"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace coda::test

namespace coda::test {
namespace {

TEST(DpuCli, SimulateJsonHasDpuFields) {
  const auto r = run_coda("simulate --arch dpu --hw " + kSrc +
                          "/configs/hardware/dpu/zcu102_b4096.yaml "
                          "--network resnet50 --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["arch"], "dpu");
  EXPECT_GT(j["e2e_latency_ms"].get<double>(), j["latency_ms"].get<double>());
  for (const char* k : {"lut", "dsp", "bram36"}) {
    EXPECT_TRUE(j["resources"][k].contains("used")) << k;
    EXPECT_TRUE(j["resources"][k].contains("available")) << k;
  }
  const auto& g = j["layers"][0];
  EXPECT_TRUE(g.contains("instructions"));
  EXPECT_TRUE(g["busy_pct"].contains("conv"));
  EXPECT_TRUE(g["busy_pct"].contains("load"));
}

TEST(DpuCli, CompileDumpsListingAndCounts) {
  const std::string dir = temp_dir("dpucompile");
  const auto r = run_coda("dpu compile --network resnet50 --hw " + kSrc +
                          "/configs/hardware/dpu/zcu102_b4096.yaml --dump " + dir + "/insts.txt");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("instructions: LOAD="), std::string::npos) << r.out;
  const std::string listing = read_file(dir + "/insts.txt");
  EXPECT_NE(listing.find("CONVINIT"), std::string::npos);
  EXPECT_NE(listing.find("layer1.0.conv3+layer1.0.add"), std::string::npos);
  EXPECT_NE(listing.find("ELEW="), std::string::npos);
}

TEST(DpuCli, InfeasibleAndBadInput) {
  auto r = run_coda("simulate --arch dpu --network resnet18 --set cores=4");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("DSPs"), std::string::npos) << r.out;
  r = run_coda("simulate --arch dpu --network resnet18 --set arch=B512 --set banks=BG2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("'banks': 'BG2' is not a bank configuration of B512; available: MAX, MIN"),
            std::string::npos)
      << r.err;
  r = run_coda("simulate --arch dpu --network resnet18 --set arch=B9999");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("allowed values: B512, B800, B1024"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace coda::test

namespace coda::test {
namespace {

std::map<long long, std::string> dataset_rows(const std::string& dir) {
  return rows_by_first_column(read_file(dir + "/shard-00000.csv"));
}

// A second dataset or sweep on the first's --out is refused, with or without
// --resume, naming the first's PID; the first finishes whole.
TEST(DatasetCli, ASecondJobOnTheSameOutputFailsAndTheFirstFinishes) {
  const std::string dir = temp_dir("dataset-lock");
  const std::string dataset = "dataset --arch edge --space " + kSrc +
                              "/configs/spaces/edge_joint.yaml --samples 3000 --workers 2 --out " +
                              dir + "/ds";
  const std::string sweep = "sweep --arch edge --network resnet50 --space " + kSrc +
                            "/configs/spaces/edge_hw.yaml --samples 1500 --workers 2 --out " + dir +
                            "/s.csv";
  for (const auto& [job, lock, message] :
       {std::tuple{dataset, dir + "/ds/.coda.lock", dir + "/ds: 'out': is in use"},
        std::tuple{sweep, dir + "/.s.csv.lock", dir + "/s.csv: 'out': is in use"}}) {
    const int pid = spawn_coda(job);
    wait_for_file(lock);
    // Paused while it holds the lock, so that it is still running whatever
    // this machine's speed; it goes on after the second jobs.
    kill(pid, SIGSTOP);
    for (const std::string extra : {"", " --resume"}) {
      const auto second = run_coda(job + extra);
      EXPECT_EQ(second.code, 1) << job;
      EXPECT_NE(second.err.find("coda: error: " + message + " by another coda job (pid " +
                                std::to_string(pid) + ")"),
                std::string::npos)
          << second.err;
    }
    kill(pid, SIGCONT);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << job;
  }
  EXPECT_EQ(dataset_rows(dir + "/ds").size(), 3000u);
  EXPECT_EQ(rows_by_first_column(read_file(dir + "/s.csv")).size(), 1500u);
  const std::string csv = read_file(dir + "/s.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1501);
}

TEST(DatasetCli, KilledDatasetResumesToTheUninterruptedSamples) {
  const std::string dir = temp_dir("dataset");
  const std::string common =
      "dataset --arch edge --space " + kSrc +
      "/configs/spaces/edge_joint.yaml --samples 3000 --seed 5 --workers 2 --out ";
  ASSERT_EQ(run_coda(common + dir + "/full").code, 0);
  const std::string cmd = std::string(CODA_BINARY) + " " + common + dir +
                          "/killed 2>/dev/null >/dev/null & pid=$!; sleep 0.2; "
                          "kill -9 $pid; pkill -9 -P $pid; wait $pid 2>/dev/null; true";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_LT(dataset_rows(dir + "/killed").size(), 3000u);  // the kill landed mid-run
  ASSERT_EQ(run_coda(common + dir + "/killed --resume").code, 0);
  const auto full = dataset_rows(dir + "/full");
  const auto resumed = dataset_rows(dir + "/killed");
  EXPECT_EQ(full.size(), 3000u);
  EXPECT_EQ(resumed, full);
  std::istringstream in(read_file(dir + "/killed/shard-00000.csv"));
  std::string line;
  std::size_t lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 3001u);  // no sample twice
  // Infeasible samples are kept, with their reason.
  bool infeasible = false;
  for (const auto& [i, row] : full) infeasible |= row.find(",infeasible,") != std::string::npos;
  EXPECT_TRUE(infeasible);
  const auto schema = nlohmann::json::parse(read_file(dir + "/full/schema.json"));
  EXPECT_EQ(schema["arch"], "edge");
  EXPECT_EQ(schema["featurizer_version"], 2);
  EXPECT_GT(schema["feature_names"].size(), 1000u);
  // Without --resume an existing dataset is not overwritten; a different seed cannot resume it.
  EXPECT_EQ(run_coda(common + dir + "/full").code, 1);
  const auto r = run_coda("dataset --arch edge --space " + kSrc +
                          "/configs/spaces/edge_joint.yaml --samples 10 "
                          "--seed 6 --out " +
                          dir + "/full --resume");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("'seed': differs"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace coda::test

namespace coda::test {
namespace {

std::string sorted_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// Under mpirun, rank 0 coordinates and the other ranks simulate; the result
// is the same set of rows as a run on one machine.
TEST(MpiCli, DatasetAndSweepUnderMpirunMatchLocalRuns) {
  const std::string dir = temp_dir("mpi");
  const std::string mpirun = "mpirun -np 3 --oversubscribe --allow-run-as-root ";
  const std::string ds = " dataset --arch edge --space " + kSrc +
                         "/configs/spaces/edge_joint.yaml --samples 300 --seed 4 --out ";
  ASSERT_EQ(run_coda(ds + dir + "/local").code, 0);
  const int rc =
      std::system((mpirun + CODA_BINARY + ds + dir + "/mpi >" + dir + "/mpi.log 2>&1").c_str());
  ASSERT_EQ(rc, 0) << read_file(dir + "/mpi.log");
  EXPECT_NE(read_file(dir + "/mpi.log").find("2 MPI ranks"), std::string::npos)
      << read_file(dir + "/mpi.log");
  EXPECT_EQ(sorted_lines(read_file(dir + "/mpi/shard-00000.csv")),
            sorted_lines(read_file(dir + "/local/shard-00000.csv")));

  const std::string sw = " sweep --arch edge --space " + kSrc +
                         "/configs/spaces/edge_hw_small.yaml --network mobilenet_v2 --out ";
  ASSERT_EQ(run_coda(sw + dir + "/local.csv").code, 0);
  ASSERT_EQ(std::system(
                (mpirun + CODA_BINARY + sw + dir + "/mpi.csv >" + dir + "/sweep.log 2>&1").c_str()),
            0)
      << read_file(dir + "/sweep.log");
  EXPECT_EQ(sorted_lines(read_file(dir + "/mpi.csv")), sorted_lines(read_file(dir + "/local.csv")));
}

}  // namespace
}  // namespace coda::test

namespace coda::test {
namespace {

// The whole pipeline on a small budget: dataset -> train -> validate.
TEST(CostCli, DatasetTrainValidate) {
  const std::string dir = temp_dir("costcli");
  const std::string space = kSrc + "/configs/spaces/edge_joint.yaml";
  ASSERT_EQ(run_coda("dataset --arch edge --space " + space + " --samples 3000 --workers 2 --out " +
                     dir + "/ds")
                .code,
            0);
  auto r = run_coda("train --data " + dir + "/ds --out " + dir + "/m.pt --epochs 8 --seed 3");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("epoch   1  train loss"), std::string::npos) << r.err;
  // Output that cannot be written: refused before training when the
  // directory is missing, an error (not an abort) when the disk is full.
  auto bad = run_coda("train --data " + dir + "/ds --out " + dir + "/no/m.pt --epochs 1");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find(dir + "/no/m.pt: '--out': its directory does not exist"),
            std::string::npos)
      << bad.err;
  EXPECT_EQ(bad.err.find("epoch   1"), std::string::npos);
  bad = run_coda("train --data " + dir + "/ds --out /dev/full --epochs 1");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("/dev/full: cannot write file: No space left on device"),
            std::string::npos)
      << bad.err;
  const auto meta = nlohmann::json::parse(read_file(dir + "/m.pt.json"));
  EXPECT_EQ(meta["featurizer_version"], 2);
  EXPECT_EQ(meta["hidden"], 256);
  EXPECT_EQ(meta["train_samples"].get<int>() + meta["val_samples"].get<int>(), 3000);
  r = run_coda("validate --cost-model mlp:" + dir + "/m.pt --arch edge --space " + space +
               " --samples 300 --out " + dir + "/val");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto m = nlohmann::json::parse(read_file(dir + "/val/metrics.json"));
  for (const char* k : {"latency", "energy", "area"}) {
    for (const char* f :
         {"mape", "rmse", "within_5pct", "within_10pct", "kendall_tau", "spearman_rho"}) {
      EXPECT_TRUE(m[k].contains(f)) << k << "." << f;
    }
  }
  // The simulated Pareto front (latency, energy, area) and how much of it the
  // model's own front over the same samples keeps.
  const auto& pareto = m.at("pareto");
  EXPECT_GE(pareto.at("simulated_front").get<int>(), 1);
  EXPECT_LE(pareto.at("recovered").get<int>(), pareto.at("simulated_front").get<int>());
  EXPECT_DOUBLE_EQ(
      pareto.at("recall").get<double>(),
      pareto.at("recovered").get<double>() / pareto.at("simulated_front").get<double>());
  // Training is deterministic for a seed even though the workers wrote the
  // rows in another order: a second dataset and model give equal predictions.
  ASSERT_EQ(run_coda("dataset --arch edge --space " + space + " --samples 3000 --workers 2 --out " +
                     dir + "/ds2")
                .code,
            0);
  ASSERT_EQ(
      run_coda("train --data " + dir + "/ds2 --out " + dir + "/m2.pt --epochs 8 --seed 3").code, 0);
  r = run_coda("validate --cost-model mlp:" + dir + "/m2.pt --arch edge --space " + space +
               " --samples 300 --out " + dir + "/val2");
  ASSERT_EQ(r.code, 0) << r.err;
  {
    auto a = nlohmann::json::parse(read_file(dir + "/val/metrics.json"));
    auto b = nlohmann::json::parse(read_file(dir + "/val2/metrics.json"));
    a.erase("cost_model");
    b.erase("cost_model");
    EXPECT_EQ(a, b);
  }
  // The batched path (which skips features no row of the batch uses) and the
  // single-query path give the same predictions.
  {
    const cost::MlpModel model(dir + "/m.pt");
    const cost::Featurizer f(edge::edge_params());
    const ParamSet hw(edge::edge_params());
    const auto s1 = *space::nas_spaces().make("nahas_s1");
    std::mt19937_64 rng(5);
    std::vector<float> x;
    const std::size_t n = 64;
    for (std::size_t i = 0; i < n; ++i) {
      const auto row = f.features(s1.decode(s1.sample(rng)), hw);
      x.insert(x.end(), row.begin(), row.end());
    }
    const auto batch = model.predict(x, n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<float> one(x.begin() + static_cast<long>(i * f.size()),
                                   x.begin() + static_cast<long>((i + 1) * f.size()));
      const auto p = model.predict(one, 1).at(0);
      EXPECT_NEAR(batch[i].latency_s / p.latency_s, 1.0, 1e-4) << i;
      EXPECT_NEAR(batch[i].p_feasible, p.p_feasible, 1e-4) << i;
    }
  }
  // Even a briefly trained model ranks designs far better than chance.
  EXPECT_GT(m["latency"]["kendall_tau"].get<double>(), 0.6);
  EXPECT_GT(m["feasibility_accuracy"].get<double>(), 0.9);
  EXPECT_GT(read_file(dir + "/val/latency.png").size(), 1000u);
  // The analytical twin goes through the same interface; its area is exact.
  r = run_coda("validate --cost-model analytical --arch edge --space " + space +
               " --samples 100 --out " + dir + "/an");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(read_file(dir + "/an/metrics.json"))["area"]["within_5pct"]
                       .get<double>(),
                   1.0);
  // Bad input.
  r = run_coda("validate --cost-model mlp:" + dir + "/missing.pt --arch edge --space " + space +
               " --samples 10 --out " + dir + "/x");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("missing model metadata"), std::string::npos) << r.err;
  r = run_coda("train --data " + dir + "/nothing --out " + dir + "/n.pt");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no schema.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace coda::test

namespace coda::test {
namespace {

TEST(SweepCli, DpuSpaceWithCategoricalFields) {
  const std::string dir = temp_dir("dpusweep");
  const auto r = run_coda("sweep --arch dpu --space " + kSrc +
                          "/configs/spaces/dpu_hw.yaml --network mobilenet_v2 "
                          "--samples 12 --out " +
                          dir + "/s.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string csv = read_file(dir + "/s.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 13);
  EXPECT_NE(csv.find("point,arch,banks,clock_mhz,cores"), std::string::npos);
}

const std::string kFpga = kSrc + "/configs/hardware/fpga/zcu102.yaml";

// 1x1 tiles on a 32-channel 1x1 conv over 56x56 are 3.2 million steps. The
// model used to keep every step's commands (about 600 bytes each) until the
// run ended; fed through a bounded window it runs in a 1 GiB address space.
TEST(FpgaCli, MemoryDoesNotGrowWithTheNumberOfSteps) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space; no RLIMIT_AS fits it";
#endif
  const std::string dir = temp_dir("fpga-steps");
  write_file(dir + "/pw.yaml",
             "name: pw\nlayers:\n"
             "  - {name: input, op: input, channels: 32, height: 56, width: 56}\n"
             "  - {name: conv, op: conv2d, inputs: [input], out_channels: 32, kernel: 1}\n");
  const std::string cmd = "ulimit -v 1048576; exec " + std::string(CODA_BINARY) +
                          " simulate --arch fpga --network " + dir +
                          "/pw.yaml --set tm=1 --set tn=1 --set tr=1 --set tc=1 --json " + dir +
                          "/r.json 2>" + dir + "/err";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(dir + "/err");
  const auto j = nlohmann::json::parse(read_file(dir + "/r.json"));
  EXPECT_EQ(j["stats"]["steps"]["value"].get<double>(), 32.0 * 32 * 56 * 56);
  EXPECT_EQ(j["stats"]["output_tiles"]["value"].get<double>(), 32.0 * 56 * 56);
}

TEST(FpgaCli, SimulateJsonHasResourcesAndBottlenecks) {
  const auto r = run_coda("simulate --arch fpga --hw " + kFpga + " --network resnet18 --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"status", "arch", "network", "latency_ms", "cycles", "energy_mj",
                        "utilization", "layers"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_FALSE(j.contains("area_mm2"));  // resources take its place
  for (const char* k : {"dsp", "bram18k", "bandwidth_words_per_cycle"}) {
    ASSERT_TRUE(j["resources"].contains(k)) << k;
    EXPECT_TRUE(j["resources"][k].contains("used"));
    EXPECT_TRUE(j["resources"][k].contains("available"));
  }
  EXPECT_EQ(j["resources"]["dsp"]["available"], 2520);
  EXPECT_EQ(j["resources"]["bram18k"]["available"], 1824);
  for (const auto& l : j["layers"]) {
    EXPECT_NE(std::string("OIWC").find(l["bottleneck"].get<std::string>()), std::string::npos);
    EXPECT_TRUE(l.contains("analytical_bottleneck"));
    EXPECT_TRUE(l.contains("difference_pct"));
  }
}

TEST(FpgaCli, ConvOnlyScopeReproducesTheCalibrationRow) {
  const auto r = run_coda("simulate --arch fpga --hw " + kFpga +
                          " --network alexnet --model analytical --scope conv_only --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["latency_ms"].get<double>(), 2.02, 0.0606);
  EXPECT_EQ(j["layers"].size(), 5u);
  EXPECT_EQ(j["bottlenecks"]["C"], 4);
  EXPECT_EQ(j["bottlenecks"]["W"], 1);
  const auto table = run_coda("simulate --arch fpga --hw " + kFpga +
                              " --network alexnet --model analytical --scope conv_only");
  EXPECT_NE(table.out.find("bottlenecks (iDetect): C 4, I 0, W 1, O 0"), std::string::npos)
      << table.out;
  const auto edge = run_coda("simulate --arch edge --network alexnet --scope conv_only");
  EXPECT_EQ(edge.code, 1);
  EXPECT_EQ(edge.err,
            "coda: error: '--scope': conv_only is the fpga family's convention; use --arch fpga\n");
}

TEST(FpgaCli, CompressionPlanUpdatesTheNetwork) {
  const std::string dir = temp_dir("fpga_plan");
  write_file(dir + "/plan.yaml",
             "layers:\n"
             "  layer1.0.conv1: {pattern: {zeros: 4, patterns: 8}}\n"
             "  layer4.1.conv1: {channel_cut: 72, quant: {w_int: 1, w_frac: 7}}\n"
             "  layer2.0.conv2: {kernel_expand: 1}\n");
  const std::string base = "simulate --arch fpga --hw " + kFpga + " --network resnet18 --json -";
  const auto plain = nlohmann::json::parse(run_coda(base).out);
  const auto r = run_coda(base + " --compression " + dir + "/plan.yaml");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  auto cycles = [](const nlohmann::json& res, const std::string& name) {
    for (const auto& l : res["layers"])
      if (l["name"] == name) return l["cycles"].get<double>();
    return -1.0;
  };
  EXPECT_LT(cycles(j, "layer1.0.conv1"), cycles(plain, "layer1.0.conv1"));
  EXPECT_GT(cycles(j, "layer2.0.conv2"), cycles(plain, "layer2.0.conv2"));
  EXPECT_LT(cycles(j, "layer4.1.conv2"), cycles(plain, "layer4.1.conv2"));  // N cut by 72

  write_file(dir + "/bad.yaml", "layers:\n  layer1.0.conv1: {channel_cut: 64}\n");
  const auto bad = run_coda(base + " --compression " + dir + "/bad.yaml");
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err, "coda: error: " + dir +
                         "/bad.yaml:2:33: 'channel_cut': layer 'layer1.0.conv1' has 64 output "
                         "channels; allowed cut 0-63\n");
  write_file(dir + "/bad2.yaml", "layers:\n  layer1.0.conv1: {pattern: {zeros: 2}}\n");
  const auto bad2 = run_coda(base + " --compression " + dir + "/bad2.yaml");
  EXPECT_EQ(bad2.code, 1);
  EXPECT_EQ(bad2.err,
            "coda: error: " + dir + "/bad2.yaml:2:29: 'patterns': missing required field\n");
  write_file(dir + "/bad3.yaml", "layers:\n  fc: {channel_cut: 1}\n");
  const auto bad3 = run_coda(base + " --compression " + dir + "/bad3.yaml");
  EXPECT_EQ(bad3.code, 1);
  EXPECT_EQ(bad3.err, "coda: error: " + dir +
                          "/bad3.yaml:2:3: 'fc': layer 'fc' is a linear; compression applies to "
                          "conv2d layers\n");
}

TEST(FpgaCli, SweepReportsTheFastestFeasibleDesign) {
  const std::string dir = temp_dir("fpga_sweep");
  write_file(dir + "/space.yaml",
             "arch: fpga\nbase: " + kFpga +
                 "\nparams:\n  tm: [40, 70, 100]\n  tn: [0]\n  tr: [32, 64]\n  tc: [32, 64]\n"
                 "  ib: [6, 10]\n  wb: [10, 18]\n  ob: [2, 6]\n");
  const auto r =
      run_coda("sweep --arch fpga --space " + dir + "/space.yaml --network alexnet --out " + dir +
               "/sweep.csv --scope conv_only --model analytical");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("fastest feasible: point"), std::string::npos) << r.out;
  const auto csv = read_file(dir + "/sweep.csv");
  EXPECT_NE(csv.find("bandwidth (eq. 10)"), std::string::npos);  // 10 + 18 + 6 = 34 words
  // The fastest is no slower than the calibration design, which is in the space.
  const auto pos = r.out.find("fastest feasible: point");
  const double ms = std::stod(r.out.substr(r.out.find(", ", pos) + 2));
  EXPECT_LE(ms, 2.0242);
}

// The FPGA joint space feeds the cost-model pipeline like the others.
TEST(FpgaCli, JointSpaceDatasetAndValidation) {
  const std::string dir = temp_dir("fpga_joint");
  const std::string space = kSrc + "/configs/spaces/fpga_joint.yaml";
  auto r = run_coda("dataset --arch fpga --space " + space + " --samples 120 --workers 2 --out " +
                    dir + "/data");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto schema = nlohmann::json::parse(read_file(dir + "/data/schema.json"));
  EXPECT_EQ(schema["arch"], "fpga");
  const auto rows = rows_by_first_column(read_file(dir + "/data/shard-00000.csv"));
  EXPECT_EQ(rows.size(), 120u);
  int ok = 0, infeasible = 0;
  for (const auto& [i, line] : rows) {
    ok += line.find(",ok,") != std::string::npos;
    infeasible += line.find("(eq. ") != std::string::npos;  // the reason names the equation
  }
  EXPECT_GT(ok, 10);
  EXPECT_GT(infeasible, 10);
  EXPECT_EQ(ok + infeasible, 120);

  r = run_coda("validate --cost-model analytical --arch fpga --space " + space +
               " --samples 120 --out " + dir + "/val");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto m = nlohmann::json::parse(read_file(dir + "/val/metrics.json"));
  EXPECT_GT(m["latency"]["kendall_tau"].get<double>(), 0.7);
  EXPECT_TRUE(m["energy"]["not_modelled"].get<bool>());  // the FPGA family models no energy
  EXPECT_DOUBLE_EQ(m["feasibility_accuracy"].get<double>(), 1.0);
}

}  // namespace
}  // namespace coda::test
