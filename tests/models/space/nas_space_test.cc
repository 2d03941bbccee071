// NAS spaces as data: the shipped files decode exactly to the networks the
// former hard-coded decoders built (golden file), a program can write a
// space and read it back, and bad files name the file, line and field.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/text.h"
#include "models/network/adapt.h"
#include "models/network/yaml_io.h"
#include "models/network/zoo.h"
#include "models/space/joint_space.h"
#include "models/space/nas_space.h"
#include "tests/util/cli.h"
#include "tests/util/errors.h"

namespace coda::space {
namespace {

NasSpace shipped(const std::string& name) {
  return *nas_spaces().make(name);
}

TEST(NasSpaceFiles, DecodeExactlyAsTheFormerDecoders) {
  std::ifstream in(CODA_SOURCE_DIR "/tests/fixtures/nas_spaces_golden.tsv");
  ASSERT_TRUE(in);
  std::string line;
  std::map<std::string, int> checked;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto f = split(line, '\t');
    ASSERT_EQ(f.size(), 9u) << line;
    const NasSpace s = shipped(f[0]).with_input(std::stoi(f[1]), std::stoi(f[2]));
    std::vector<int> x;
    for (const auto& c : split(f[3], ',')) x.push_back(std::stoi(c));
    const network::Network net = s.decode(x);
    EXPECT_EQ(net.name(), f[4]);
    EXPECT_EQ(std::to_string(net.size()), f[5]) << f[4];
    EXPECT_EQ(std::to_string(net.params()), f[6]) << f[4];
    EXPECT_EQ(std::to_string(net.macs()), f[7]) << f[4];
    EXPECT_EQ(network::network_hash(net), f[8]) << f[4];  // every layer, shape and name
    ++checked[f[0]];
  }
  for (const char* name : {"nahas_s1", "nahas_s2", "nahas_evolved", "fbnet"}) {
    EXPECT_EQ(checked[name], 204) << name;
  }
}

TEST(NasSpaceFiles, CardinalitiesOfThePapers) {
  EXPECT_NEAR(shipped("nahas_s1").size(), std::pow(3.0, 17) * std::pow(2.0, 16), 1);  // 8.4e12
  EXPECT_NEAR(shipped("nahas_s2").size(), 1.4e12, 0.1e12);
  EXPECT_EQ(shipped("nahas_s1").decisions().size(), 34u);  // 17 blocks x (kernel, expansion)
  EXPECT_EQ(shipped("nahas_s2").decisions().size(), 32u);
  const NasSpace fb = shipped("fbnet");
  ASSERT_EQ(fb.decisions().size(), 22u);   // FBNet Table 1
  EXPECT_EQ(fb.decisions()[0].size(), 9);  // 16 -> 16, stride 1: skip allowed
  EXPECT_EQ(fb.decisions()[1].size(), 8);  // stride 2: no skip
  EXPECT_EQ(fb.decisions()[0].name, "layer0.block");
  EXPECT_EQ(fb.decisions()[0].label(8), "skip");
  const NasSpace ev = shipped("nahas_evolved");
  EXPECT_EQ(ev.decisions()[3].name, "block0.filters");
  EXPECT_EQ(ev.decisions()[3].labels, (std::vector<std::string>{"x0.5", "x0.75", "x1", "x1.25"}));
}

TEST(NasSpaceFiles, BaselineChoiceIsTheZooNetwork) {
  const NasSpace s = shipped("nahas_s1");
  std::vector<int> baseline;
  for (std::size_t b = 0; b < 17; ++b) {
    baseline.push_back(0);               // kernel 3
    baseline.push_back(b == 0 ? 0 : 1);  // expansion 1, then 6
  }
  const auto net = s.decode(baseline);
  const auto ref = network::build_zoo("mobilenet_v2");
  EXPECT_EQ(net.params(), ref.params());
  EXPECT_EQ(net.macs(), ref.macs());
  EXPECT_EQ(s.describe(baseline).substr(0, 11), "k3e1-k3e6-k");
  baseline[2] = 3;
  EXPECT_EQ(test::input_error_of([&] { s.decode(baseline); }),
            "'block1.kernel': choice 3 out of range");
}

// A program (Zeng's profiling) keeps some choices per layer and writes the
// space; the file reads back to the same space.
bool builds(const NasSpace& s, const std::vector<int>& x) {
  try {
    s.decode(x);
    return true;
  } catch (const InputError&) {
    return false;
  }
}

TEST(NasSpaceFiles, ARestrictedSpaceWritesAndReadsBack) {
  const NasSpace fb = shipped("fbnet");
  std::vector<std::vector<int>> kept;
  for (std::size_t d = 0; d < fb.decisions().size(); ++d) {
    kept.push_back(d % 2 ? std::vector<int>{3} : std::vector<int>{0, 7});
  }
  const NasSpace pruned = fb.restricted(kept, "fbnet_pruned");
  EXPECT_EQ(pruned.size(), std::pow(2.0, 11));
  const std::string dir = test::temp_dir("nas-space");
  test::write_file(dir + "/pruned.yaml", pruned.to_yaml());
  const NasSpace back = NasSpace::load_file(dir + "/pruned.yaml");
  ASSERT_EQ(back.decisions().size(), pruned.decisions().size());
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20; ++i) {
    const auto x = pruned.sample(rng);
    std::vector<int> original;
    for (std::size_t d = 0; d < x.size(); ++d) original.push_back(kept[d][x[d]]);
    const auto a = back.decode(x), b = fb.decode(original);
    EXPECT_EQ(network::network_hash(a), network::network_hash(b));
    EXPECT_EQ(back.describe(x), fb.describe(original));
  }
  // Every shipped space also survives the round trip.
  for (const auto& name : nas_spaces().names()) {
    const NasSpace s = shipped(name);
    test::write_file(dir + "/" + name + ".yaml", s.to_yaml());
    const NasSpace r = NasSpace::load_file(dir + "/" + name + ".yaml");
    // Some points of a space cannot be built (Lu's spaces pool a 32x32 input
    // to nothing, or give a layer no bits); compare on one that can.
    std::mt19937_64 g(7);
    auto x = s.sample(g);
    for (int tries = 0; tries < 100 && !builds(s, x); ++tries) x = s.sample(g);
    ASSERT_TRUE(builds(s, x)) << name;
    EXPECT_EQ(network::network_hash(r.decode(x)), network::network_hash(s.decode(x))) << name;
  }
}

TEST(NasSpaceFiles, AnAdaptedSpaceDecodesToTheAdaptedNetwork) {
  // The supernet trains the adapted space; its paths must be the networks
  // the train evaluator builds from the full-size candidates.
  const network::InputAdaptation to{{1, 28, 28}, 10};
  for (const char* name : {"nahas_s1", "fbnet", "zeng_mobile", "zeng_res"}) {
    const NasSpace s = shipped(name);
    const NasSpace small = s.adapted(1, 28, 10);
    std::mt19937_64 rng(11);
    for (int i = 0; i < 5; ++i) {
      const auto x = s.sample(rng);
      const network::Network a = small.decode(x), b = network::adapt_input(s.decode(x), to);
      EXPECT_EQ(a.params(), b.params()) << name;
      EXPECT_EQ(a.macs(), b.macs()) << name;
      EXPECT_EQ(a.size(), b.size()) << name;
      const auto out = [](const network::Network& n) {
        return n.layer(n.outputs().at(0)).out_shape;
      };
      EXPECT_EQ(out(a).c, 10) << name;
      EXPECT_EQ(out(a).c, out(b).c) << name;
    }
  }
}

TEST(NasSpaceFiles, BadFilesNameTheFileLineAndField) {
  const std::string dir = test::temp_dir("nas-space-bad");
  const std::string head = "name: t\nstem: {name: stem, out: 16, kernel: 3, stride: 2}\n";
  auto error = [&](const std::string& body) {
    test::write_file(dir + "/t.yaml", head + body);
    return test::input_error_of([&] { NasSpace::load_file(dir + "/t.yaml"); });
  };
  EXPECT_EQ(error("layers:\n  - {name: b0, out: 16, kernel: [3, 4x]}\n"),
            dir + "/t.yaml:4:37: 'kernel': '4x' is not allowed; an integer from 1 to 15");
  EXPECT_EQ(
      error("layers:\n  - {name: b0, out: 16, type: [ibn, conv3]}\n"),
      dir +
          "/t.yaml:4:37: 'type': unknown block type 'conv3'; allowed: ibn, fused, skip, basic, "
          "bottleneck, conv, lu");
  EXPECT_EQ(error("layers:\n  - {name: b0, out: 16, block: [k3]}\n"),
            dir + "/t.yaml:4:33: 'block': unknown block preset 'k3'; the space's `blocks`: none");
  EXPECT_EQ(error("layers:\n  - {name: b0, out: 16, colour: [3]}\n"),
            dir +
                "/t.yaml:4:25: 'colour': unknown field in layer 0; allowed fields: name, out, "
                "stride, activation, block, type, kernel, expansion, filters, groups, se, width, "
                "depth, channels, kernel_h, kernel_w, stride_h, stride_w, pool, a_int, a_frac, "
                "w_int, w_frac");
  EXPECT_EQ(error("layers:\n  - {name: b0, out: 16, type: lu, a_int: 3, w_frac: [4, 5]}\n"),
            dir +
                "/t.yaml:4:5: 'layers': layer 0 (b0) gives some bit widths but not a_frac, "
                "w_int; give all of a_int, a_frac, w_int, w_frac or none");
  EXPECT_EQ(error("layers: []\n"),
            dir + "/t.yaml:3:9: 'layers': expected a non-empty list of layers");
  // A skip that cannot keep the shape is a candidate that cannot be built.
  test::write_file(dir + "/skip.yaml",
                   head + "layers:\n  - {name: b0, out: 24, type: [ibn, skip]}\n");
  const NasSpace s = NasSpace::load_file(dir + "/skip.yaml");
  EXPECT_NE(test::input_error_of([&] { s.decode({1}); }).find("layer b0 is skipped, which needs"),
            std::string::npos);
}

TEST(NasSpaceFiles, ExperimentsNameASpaceOrAFile) {
  const std::string dir = test::temp_dir("nas-space-ref");
  test::write_file(dir + "/mine.yaml",
                   "name: mine\nlayers:\n  - {name: b0, out: 8, kernel: [3, 5]}\n");
  const YamlDoc doc = load_yaml_string(
      "a: {file: mine.yaml, input: 64, classes: 10}\nb: {space: nahas_s9}\nc: {input: 64}\n",
      dir + "/exp.yaml");
  const NasSpace mine = NasSpace::from_reference(doc, doc.root["a"]);
  EXPECT_EQ(mine.name(), "mine");
  EXPECT_EQ(mine.input(), 64);
  EXPECT_EQ(mine.decode({1}).layer(mine.decode({1}).outputs()[0]).out_shape.c, 10);
  EXPECT_EQ(test::input_error_of([&] { NasSpace::from_reference(doc, doc.root["b"]); }),
            dir +
                "/exp.yaml:2:12: 'space': unknown NAS space 'nahas_s9'; available: fbnet, lu_arch, "
                "lu_joint, lu_quant_a1, lu_quant_b1, "
                "nahas_evolved, nahas_s1, nahas_s2, zeng_all, zeng_mobile, zeng_res, zeng_vgg "
                "(or give `file:` with a NAS-space file; see configs/spaces/nas/)");
  EXPECT_NE(test::input_error_of([&] {
              NasSpace::from_reference(doc, doc.root["c"]);
            }).find("missing field: `space`"),
            std::string::npos);
}

TEST(JointSpace, SamplesAreAFunctionOfSeedAndIndex) {
  std::vector<ParamDecl> decls = {{"pes_x", "PE", 4, 1, 64, "", true, {}, {}},
                                  {"pes_y", "PE", 4, 1, 64, "", true, {}, {}},
                                  {"simd_units", "", 64, 1, 1024, "", true, {}, {}},
                                  {"compute_lanes", "", 4, 1, 64, "", true, {}, {}},
                                  {"local_memory_mb", "", 2, 0.0625, 64, "", false, {}, {}},
                                  {"register_file_kb", "", 32, 1, 4096, "", false, {}, {}},
                                  {"io_bandwidth_gbps", "", 15, 0.1, 1000, "", false, {}, {}},
                                  {"clock_ghz", "", 0.8, 0.05, 5, "", false, {}, {}},
                                  {"data_bits", "", 8, 4, 32, "", true, {4, 8, 16, 32}, {}}};
  const std::string path = CODA_SOURCE_DIR "/configs/spaces/edge_joint.yaml";
  const auto space = JointSpace::load(path, "edge", decls);
  const auto a = space.sample(7, 123), b = space.sample(7, 123), c = space.sample(8, 123);
  EXPECT_EQ(a.nas, b.nas);
  EXPECT_EQ(a.hw_point, b.hw_point);
  EXPECT_TRUE(a.nas != c.nas || a.hw_point != c.hw_point);
  EXPECT_EQ(space.hw().size(), 50000);
  EXPECT_THROW(JointSpace::load(path, "dpu", decls), InputError);
}

}  // namespace
}  // namespace coda::space
