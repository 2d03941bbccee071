// Every command that writes fails cleanly when it cannot: a full disk
// (/dev/full, reached through the output path or a file inside the output
// directory) and a path blocked by a file in the way. Tests run as root, for
// whom a read-only directory blocks nothing, so the blocked path stands in
// for it. Each case is exit 1 with a message naming the path and the OS
// error, never exit 0 over a missing or short output.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tests/util/cli.h"

namespace coda::test {
namespace {

namespace fs = std::filesystem;

const std::string kSrc = CODA_SOURCE_DIR;

struct WriteCase {
  std::string name;
  // Prepares `dir` and returns the command line (without "coda ").
  std::function<std::string(const std::string& dir)> command;
  // The message expected on stderr; DIR stands for the case's directory.
  std::string error;
};

// A file inside `dir`'s output directory `out` that is /dev/full.
void full_inside(const std::string& out, const std::string& file) {
  fs::create_directories(out);
  fs::create_symlink("/dev/full", out + "/" + file);
}

std::string small_search(const std::string& dir) {
  write_file(dir + "/exp.yaml",
             "name: tiny\narch: edge\nflow: has\nnetwork: mobilenet_v2\n"
             "hardware_space: " +
                 kSrc +
                 "/configs/spaces/edge_hw.yaml\n"
                 "strategy: {name: random}\n"
                 "objective: {latency_ms: 0.3, area_mm2: 23.4, kind: hard}\n"
                 "cost_model: analytical\naccuracy: {evaluator: table}\n"
                 "budget: {evaluations: 4, batch: 2}\nseed: 1\n");
  return dir + "/exp.yaml";
}

std::string small_profile(const std::string& dir) {
  write_file(dir + "/plain.yaml",
             "name: plain\ninput: 32\nclasses: 10\nstem: {name: stem, out: 8, kernel: 3}\n"
             "blocks:\n  k3: {type: conv, kernel: 3}\n  k5: {type: conv, kernel: 5}\n"
             "layers:\n  - {name: layers.0, out: 8, block: [k3, k5]}\n"
             "head: {name: head, out: 16}\n");
  write_file(dir + "/profile.yaml",
             "name: tiny\narch: dpu\nspaces: [{file: plain.yaml}]\ncost_model: analytical\n"
             "accuracy: {evaluator: train, subset: 64, test_subset: 50, batch: 32, threads: 1}\n"
             "objective: {name: zeng, lambda: 0.01}\nthreshold: 1\nworkers: 1\n");
  return dir + "/profile.yaml";
}

const std::string kNoSpace = "No space left on device";
const std::string kNotDir = "Not a directory";

std::vector<WriteCase> cases() {
  const std::string edge_space = kSrc + "/configs/spaces/edge_hw.yaml";
  const std::string joint = kSrc + "/configs/spaces/edge_joint.yaml";
  const std::string scalesim = kSrc + "/tests/fixtures/scalesim/";
  return {
      {"network export, full", [](auto&) { return "network export lu_d --out /dev/full"; },
       "/dev/full: cannot write file: " + kNoSpace},
      {"network export, blocked",
       [](auto& d) { return "network export lu_d --out " + d + "/plain/x.yaml"; },
       "DIR/plain/x.yaml: cannot write file: " + kNotDir},
      {"simulate --json, blocked",
       [](auto& d) { return "simulate --arch dpu --network lu_d --json " + d + "/plain/x.json"; },
       "DIR/plain/x.json: cannot write file: " + kNotDir},
      {"simulate --trace, full",
       [](auto& d) {
         fs::create_symlink("/dev/full", d + "/t.vcd");
         return "simulate --arch edge --network lu_d --trace " + d + "/t.vcd";
       },
       "DIR/t.vcd: 'trace': is not a regular file; SystemC writes traces to files only"},
      {"simulate --trace, blocked",
       [](auto& d) { return "simulate --arch edge --network lu_d --trace " + d + "/plain/t.vcd"; },
       "DIR/plain/t.vcd: 'trace': cannot write the trace file: " + kNotDir},
      {"simulate --report-dir, full",
       [=](auto& d) {
         full_inside(d + "/rep", "COMPUTE_REPORT.csv");
         return "simulate --arch edge --scalesim-config " + scalesim +
                "ws_8x16.cfg --scalesim-topology " + scalesim + "coda_small.csv --report-dir " + d +
                "/rep";
       },
       "DIR/rep/COMPUTE_REPORT.csv: cannot write file: " + kNoSpace},
      {"sweep, full",
       [=](auto& d) {
         fs::create_symlink("/dev/full", d + "/s_pareto.csv");
         return "sweep --arch edge --network lu_d --space " + edge_space +
                " --samples 4 --workers 1 --out " + d + "/s.csv";
       },
       "DIR/s_pareto.csv: cannot write file: " + kNoSpace},
      {"sweep, not a file",
       [=](auto&) {
         return "sweep --arch edge --network lu_d --space " + edge_space +
                " --samples 4 --out /dev/full";
       },
       "/dev/full: '--out': is not a regular file; a sweep appends to and re-reads its CSV"},
      {"sweep, blocked",
       [=](auto& d) {
         return "sweep --arch edge --network lu_d --space " + edge_space + " --samples 4 --out " +
                d + "/plain/s.csv";
       },
       "DIR/plain/s.csv: '--out': DIR/plain is not a directory"},
      {"dataset, full",
       [=](auto& d) {
         full_inside(d + "/ds", "shard-00000.csv");
         return "dataset --arch edge --space " + joint + " --samples 4 --workers 1 --out " + d +
                "/ds";
       },
       "DIR/ds/shard-00000.csv: cannot write: " + kNoSpace},
      {"dataset, blocked",
       [=](auto& d) {
         return "dataset --arch edge --space " + joint + " --samples 4 --out " + d + "/plain/ds";
       },
       "DIR/plain/ds: 'out': cannot lock the output: " + kNotDir},
      {"train, blocked",
       [=](auto& d) {
         run_coda("dataset --arch edge --space " + joint + " --samples 20 --out " + d + "/ds");
         return "train --data " + d + "/ds --epochs 1 --out " + d + "/plain/m.pt";
       },
       "DIR/plain/m.pt: '--out': DIR/plain is not a directory"},
      {"validate, full",
       [=](auto& d) {
         full_inside(d + "/val", "points.csv");
         return "validate --cost-model analytical --arch edge --space " + joint +
                " --samples 2 --out " + d + "/val";
       },
       "DIR/val/points.csv: cannot write: " + kNoSpace},
      {"validate, blocked",
       [=](auto& d) {
         return "validate --cost-model analytical --arch edge --space " + joint +
                " --samples 2 --out " + d + "/plain/val";
       },
       "DIR/plain/val: 'out': cannot lock the output: " + kNotDir},
      {"lut build, blocked",
       [](auto& d) {
         return "lut build --arch dpu --space zeng_mobile --out " + d + "/plain/lut.json";
       },
       "DIR/plain/lut.json: '--out': DIR/plain is not a directory"},
      {"dpu compile --dump, full",
       [](auto&) { return "dpu compile --network lu_d --dump /dev/full"; },
       "/dev/full: cannot write file: " + kNoSpace},
      {"dpu compile --json, full",
       [](auto&) { return "dpu compile --network lu_d --json /dev/full"; },
       "/dev/full: cannot write file: " + kNoSpace},
      {"accuracy --json, full",
       [](auto&) { return "accuracy --network resnet18 --evaluator table --json /dev/full"; },
       "/dev/full: cannot write file: " + kNoSpace},
      {"search, full",
       [](auto& d) {
         full_inside(d + "/out", "journal.jsonl");
         return "search --experiment " + small_search(d) + " --out " + d + "/out";
       },
       "DIR/out/journal.jsonl: cannot write: " + kNoSpace},
      {"run, full",
       [](auto& d) {
         full_inside(d + "/out", "best.json");
         return "run " + small_search(d) + " --out " + d + "/out";
       },
       "DIR/out/best.json: cannot write file: " + kNoSpace},
      {"run, blocked",
       [](auto& d) { return "run " + small_search(d) + " --out " + d + "/plain/out"; },
       "DIR/plain/out: 'out': cannot lock the output: " + kNotDir},
      {"profile, full",
       [](auto& d) {
         full_inside(d + "/out", "pool.jsonl");
         return "profile --experiment " + small_profile(d) + " --out " + d + "/out";
       },
       "DIR/out/pool.jsonl: cannot write: " + kNoSpace},
      {"profile, blocked",
       [](auto& d) {
         return "profile --experiment " + small_profile(d) + " --out " + d + "/plain/out";
       },
       "DIR/plain/out: 'out': cannot lock the output: " + kNotDir},
  };
}

std::string with_dir(std::string text, const std::string& dir) {
  for (std::size_t at = text.find("DIR"); at != std::string::npos; at = text.find("DIR", at)) {
    text.replace(at, 3, dir);
    at += dir.size();
  }
  return text;
}

TEST(WriteFailures, EveryWritingCommandExitsOneNamingThePathAndTheOsError) {
  int i = 0;
  for (const auto& c : cases()) {
    const std::string dir = temp_dir("write-" + std::to_string(i++));
    write_file(dir + "/plain", "a file where a directory should be\n");
    const auto r = run_coda(c.command(dir));
    EXPECT_EQ(r.code, 1) << c.name << "\n" << r.err;
    EXPECT_NE(r.err.find("coda: error: " + with_dir(c.error, dir)), std::string::npos)
        << c.name << "\n"
        << r.err;
  }
}

}  // namespace
}  // namespace coda::test
