// End-to-end tests of the `coda` binary: exit codes, messages and outputs.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/util/cli.h"

namespace coda::test {
namespace {

TEST(Cli, HelpListsSubcommandsAndVersionPrints) {
  const auto help = run_coda("--help");
  EXPECT_EQ(help.code, 0);
  for (const char* sub : {"network", "simulate", "sweep", "dataset", "train", "validate", "dpu",
                          "accuracy", "search", "run", "extensions"}) {
    EXPECT_NE(help.out.find(std::string("  ") + sub + " "), std::string::npos) << sub;
  }
  const auto version = run_coda("--version");
  EXPECT_EQ(version.code, 0);
  EXPECT_EQ(version.out, std::string("coda ") + CODA_VERSION + "\n");
}

TEST(Cli, NetworkListNamesEveryZooNetwork) {
  const auto r = run_coda("network list");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* name : {"alexnet", "densenet121", "efficientnet_b3", "proxyless_gpu", "fbnet_a",
                           "lu_f", "mobilenet_v3_large"}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  }
  EXPECT_NE(r.out.find("width=1.0"), std::string::npos);
}

TEST(Cli, StatsJsonToStdout) {
  const auto r = run_coda("network stats mobilenet_v2 --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["name"], "mobilenet_v2");
  EXPECT_EQ(j["params"], 3504872);
  EXPECT_EQ(j["macs"], 300774272);
  EXPECT_EQ(j["layers"], j["per_layer"].size());
  long long macs = 0;
  for (const auto& l : j["per_layer"]) macs += l["macs"].get<long long>();
  EXPECT_EQ(macs, 300774272);
}

TEST(Cli, StatsTableAndJsonFile) {
  const std::string dir = temp_dir("stats");
  const auto r = run_coda("network stats 'resnet18:input=32' --json " + dir + "/r.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("total: "), std::string::npos);
  EXPECT_NE(r.out.find("11,689,512 params"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(read_file(dir + "/r.json"));
  EXPECT_EQ(j["macs"], 37523456);
}

TEST(Cli, ExportYamlThenStatsTheFile) {
  const std::string dir = temp_dir("export");
  ASSERT_EQ(run_coda("network export squeezenet1_1 --format yaml -o " + dir + "/s.yaml").code, 0);
  const auto r = run_coda("network stats " + dir + "/s.yaml --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["params"], 1235496);
  const auto dot = run_coda("network export lu_a1 --format dot");
  EXPECT_EQ(dot.code, 0);
  EXPECT_EQ(dot.out.rfind("digraph", 0), 0u);
}

TEST(Cli, UnknownZooNameSuggests) {
  const auto r = run_coda("network stats mobilenet_v4");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unknown zoo network 'mobilenet_v4'; did you mean mobilenet_v2"),
            std::string::npos)
      << r.err;
}

TEST(Cli, BadYamlFilesExitOneWithLocation) {
  const std::string dir = temp_dir("bad");
  write_file(dir + "/m.yaml", "name: x\nlayers: [\n");
  auto r = run_coda("network stats " + dir + "/m.yaml");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(dir + "/m.yaml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("malformed YAML"), std::string::npos) << r.err;

  write_file(dir + "/op.yaml",
             "name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, width: 8}\n"
             "  - {name: g, op: gru}\n");
  r = run_coda("network stats " + dir + "/op.yaml");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("op.yaml:4:5: 'op': layer 'g': unsupported op 'gru'; supported ops:"),
            std::string::npos)
      << r.err;

  write_file(dir + "/shape.yaml",
             "name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 8, width: 8}\n"
             "  - {name: c, op: conv2d, out_channels: 4, kernel: 3}\n"
             "  - {name: s, op: add, inputs: [input, c]}\n");
  r = run_coda("network stats " + dir + "/shape.yaml");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("layer 's' (add): input 'input' has shape [3,8,8] but input 'c' has shape "
                       "[4,6,6]"),
            std::string::npos)
      << r.err;

  write_file(dir + "/zero.yaml",
             "name: x\nlayers:\n  - {name: input, op: input, channels: 3, height: 0, width: 8}\n");
  r = run_coda("network stats " + dir + "/zero.yaml");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("'height': layer 'input' (input): must be positive, got 0"),
            std::string::npos)
      << r.err;

  r = run_coda("network stats " + dir + "/missing.yaml");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(dir + "/missing.yaml: cannot open network file: No such file or directory"),
            std::string::npos)
      << r.err;
  // An endless or huge "config" is refused before it fills memory.
  r = run_coda("simulate --arch edge --network lu_d --hw /dev/zero");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("coda: error: /dev/zero: file is larger than 64 MiB; is this the right "
                       "file?"),
            std::string::npos)
      << r.err;
  // A path the OS refuses is the user's error (exit 1), not an internal one.
  write_file(dir + "/plain", "x");
  r = run_coda("search --experiment " CODA_SOURCE_DIR
               "/configs/experiments/has_mobilenet_v2.yaml --out " +
               dir + "/plain/out");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("coda: error: " + dir +
                       "/plain/out: 'out': cannot lock the output: Not a directory"),
            std::string::npos)
      << r.err;
}

TEST(Cli, UsageErrorsExitOne) {
  EXPECT_EQ(run_coda("").code, 1);
  EXPECT_EQ(run_coda("network export resnet18 --format png").code, 1);
  EXPECT_EQ(run_coda("network frobnicate").code, 1);
}

// The README's tables of extensions and their options are what the
// declarations say (`coda extensions --markdown`), so they cannot drift.
TEST(Cli, ReadmeExtensionTablesComeFromTheDeclarations) {
  const auto r = run_coda("extensions --markdown");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string readme = read_file(CODA_SOURCE_DIR "/README.md");
  const std::string begin = "<!-- coda extensions --markdown: begin -->\n";
  const std::string end = "<!-- coda extensions --markdown: end -->";
  const auto a = readme.find(begin), b = readme.find(end);
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_TRUE(readme.substr(a + begin.size(), b - a - begin.size()) == r.out)
      << "README.md is out of date: regenerate its extension tables with `coda extensions "
         "--markdown`";
  for (const char* kind : {"accelerator", "cost model", "accuracy evaluator", "strategy",
                           "objective", "flow", "NAS space"}) {
    EXPECT_NE(r.out.find(std::string("#### ") + kind + " ("), std::string::npos) << kind;
  }
  const auto one = run_coda("extensions strategy");
  EXPECT_NE(one.out.find("population = 50  (an integer from 2 to 100000)"), std::string::npos);
  EXPECT_EQ(run_coda("extensions colour").code, 1);
  const auto json = run_coda("extensions flow --json -");
  ASSERT_EQ(json.code, 0) << json.err;
  const auto phase = nlohmann::json::parse(json.out).at("flow").at("extensions").at(7);
  EXPECT_EQ(phase.at("name"), "phase");
  EXPECT_EQ(phase.at("options").at(0).at("name"), "has");
  EXPECT_TRUE(phase.at("options").at(0).at("required").get<bool>());
}

// Every family reports its stats through StatGroup: a value, a unit and a
// description each.
TEST(Cli, EveryFamilyReportsStatsWithUnits) {
  for (const char* arch : {"edge", "fpga", "dpu"}) {
    const auto r =
        run_coda(std::string("simulate --arch ") + arch + " --network resnet18 --json -");
    ASSERT_EQ(r.code, 0) << arch << ": " << r.err;
    const auto stats = nlohmann::json::parse(r.out).at("stats");
    EXPECT_GE(stats.size(), 4u) << arch;
    EXPECT_EQ(stats.at("dram_bytes_read").at("unit"), "byte") << arch;
    EXPECT_GT(stats.at("dram_bytes_read").at("value").get<double>(), 1e6) << arch;
    for (const auto& [name, s] : stats.items()) {
      EXPECT_TRUE(s.contains("value") && s.contains("unit") && s.contains("description"))
          << arch << "." << name;
    }
  }
}

}  // namespace
}  // namespace coda::test
