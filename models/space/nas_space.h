// Neural-architecture search spaces as data. A NAS-space file is a backbone
// (a stem, a list of searchable layers, a head and a classifier); every layer
// keeps its own list of choices, so a program can write a pruned space in
// which layers keep different choices (Zeng et al.). A candidate is one
// choice index per decision; decode() builds the Network from the zoo's block
// builders (models/network/blocks.h), so a candidate and its zoo baseline
// share one definition. The vocabulary (configs/spaces/nas/README.md):
//
//   name: nahas_s1
//   description: one line for listings
//   input: 224           # square resolution; an experiment's `input` replaces it
//   channels: 3
//   classes: 1000        # an experiment's `classes` replaces it
//   activation: relu6
//   se_activation: swish # the squeeze-excite activation (gate: sigmoid)
//   decision_prefix: block            # decisions are named block<i>.<field>
//   describe: "k{kernel}e{expansion}" # a layer's part of the network name
//   defaults: {kernel: [3, 5, 7], expansion: [3, 6]}
//   blocks: {k3_e1: {kernel: 3, expansion: 1}, skip: {type: skip}}  # presets for `block`
//   stem: {name: features.0, out: 32, kernel: 3, stride: 2}
//   layers:
//     - {name: features.1, out: 16, stride: 1, expansion: [1]}
//     - {name: features.2, out: 24, stride: 2}
//   head: {name: features.18, out: 1280}
//   pool: pool           # or none: no global pooling
//   flatten: flatten
//   hidden: {name: fc1, out: 512}     # optional FC + ReLU before the classifier
//   classifier: classifier
//
// A layer's fields: `type` (ibn | fused | skip | basic | bottleneck | conv |
// lu), `kernel`, `expansion`, `filters` (a multiplier of `out`, rounded to a
// multiple of 8), `groups` (of the 1x1 convs), `se` (squeeze ratio of the
// block's input channels), `width` (a bottleneck's inner channels over `out`),
// `depth` (convolutions of a conv stack), Lu et al.'s `channels`,
// `kernel_h`, `kernel_w`, `stride_h`, `stride_w` and `pool` (of a `lu`
// layer), the fixed-point formats `a_int`, `a_frac`, `w_int`, `w_frac` (all
// four or none; applied to the block's convolutions) and `block` (one of the
// presets). A scalar fixes the field; a list makes it a decision. Decisions
// of a layer come in the order of the field table kFields (nas_space.cc):
// block, type, kernel, expansion, filters, groups, se, width, depth,
// channels, kernel_h, kernel_w, stride_h, stride_w, pool, a_int, a_frac,
// w_int, w_frac.
#pragma once

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/registry.h"
#include "core/yaml_util.h"
#include "models/network/builder.h"
#include "models/network/network.h"

namespace coda::space {

struct Decision {
  std::string name;                 // e.g. "block3.kernel"
  std::vector<std::string> labels;  // one per choice ("3", "x0.75", "k5_e6", "skip")
  int size() const { return static_cast<int>(labels.size()); }
  const std::string& label(int choice) const { return labels.at(static_cast<std::size_t>(choice)); }
};

class NasSpace {
 public:
  // The fields of one block, fixed or chosen.
  struct Block {
    std::string type = "ibn";
    int kernel = 3;
    int expansion = 1;
    double filters = 1;
    int groups = 1;
    double se = 0;
    double width = 0.25;             // bottleneck: inner channels / out (ResNet-50's 1/4)
    int depth = 1;                   // conv: convolutions in the stack
    int channels = 0;                // output channels; 0: `out` x filters
    int kernel_h = 0, kernel_w = 0;  // lu: a Fh x Fw kernel; 0: `kernel`
    int stride_h = 0, stride_w = 0;  // lu: 0: the layer's stride
    int pool = 1;                    // lu: the max-pool after the convolution (1: none)
    // Fixed-point formats of the block's convolutions (Lu et al. eq. 1-2);
    // -1: not quantized (all four are given, or none).
    int a_int = -1, a_frac = -1, w_int = -1, w_frac = -1;
  };
  struct Layer {
    std::string name;
    int out = 0;
    int stride = 1;
    std::string activation;  // empty: the space's
    Block fixed;
    std::vector<std::size_t> decisions;  // indices into decisions_
  };

  NasSpace() = default;
  // Reads a NAS-space file; errors name the file, line and field.
  static NasSpace load_file(const std::string& path);
  // A registered space by name, or a NAS-space file (a path ending .yaml); a
  // relative file path is read from the directory of `relative_to` when
  // given (the file that names it).
  static NasSpace open(const std::string& name_or_file, const std::string& relative_to = "");
  static NasSpace load(const YamlDoc& doc);
  // Loads `network_space:` of an experiment or `network:` of a joint space:
  // {space: NAME | file: PATH, input: N, classes: N}. NAME is a registered
  // space (nas_spaces()); PATH is relative to the file holding the map.
  static NasSpace from_reference(const YamlDoc& doc, const YAML::Node& node);
  // The same space at another resolution or number of classes.
  NasSpace with_input(int input, int classes) const;
  // The same space on a small dataset, by the rule of network::adapt_input:
  // `channels` x `input` x `input` images, `classes` classes, and the first
  // k downsampling layers (stem, then searchable layers, then head) at stride
  // 1, k = removed_downsampling_levels(input(), input). Decoding a candidate
  // of it equals adapting the candidate's network (the supernet trains it).
  NasSpace adapted(int channels, int input, int classes) const;
  // The same space keeping, for each decision, only the choices listed in
  // `kept[d]` (indices into its labels, each list non-empty), in that order.
  NasSpace restricted(const std::vector<std::vector<int>>& kept, const std::string& name) const;

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  int input() const { return input_; }
  int classes() const { return classes_; }
  const std::vector<Decision>& decisions() const { return decisions_; }
  double size() const;
  std::vector<int> sample(std::mt19937_64& rng) const;
  // Throws InputError when a choice index is out of range, and
  // network::ShapeError when the network cannot be built.
  network::Network decode(const std::vector<int>& choices) const;
  std::string describe(const std::vector<int>& choices) const;  // "k3e1-k5e6-..."
  // The candidate's parts, each as a network of its own: the stem alone
  // (input at the space's input), every searchable layer alone (input at
  // that layer's input shape in the candidate), and the tail (head, pooling,
  // classifier) alone. `layer` is the searchable layer's index, -1 for the
  // stem and the tail. What a latency look-up table measures.
  struct Part {
    std::string name;
    int layer;
    network::Network net;
  };
  std::vector<Part> parts(const std::vector<int>& choices) const;
  // The searchable layers, and the decisions of each (indices into decisions()).
  std::size_t layer_count() const { return layers_.size(); }
  const std::string& layer_name(std::size_t layer) const { return layers_.at(layer).name; }
  const std::vector<std::size_t>& layer_decisions(std::size_t layer) const {
    return layers_.at(layer).decisions;
  }
  // Every combination of a layer's decisions (choice indices in the order
  // of layer_decisions(), the last varying fastest).
  std::vector<std::vector<int>> layer_combinations(std::size_t layer) const;

  // The space as a NAS-space file that load() reads back to the same space
  // (every layer written out, no defaults section).
  std::string to_yaml() const;

 private:
  Block resolve(const Layer& l, const std::vector<int>& choices) const;
  std::string add_stem(network::Builder& b, const std::string& x) const;
  std::string add_layer(network::Builder& b, const Layer& l, const Block& blk,
                        const std::string& x) const;
  std::string add_block(network::Builder& b, const Layer& l, const Block& blk,
                        const std::string& x) const;
  void add_tail(network::Builder& b, std::string x) const;
  void check_choices(const std::vector<int>& choices) const;

  std::string name_, description_;
  int input_ = 224, channels_ = 3, classes_ = 1000;
  std::string activation_ = "relu", se_activation_ = "relu";
  std::string prefix_ = "layer", describe_;
  struct Conv {
    std::string name;
    int out = 0, kernel = 1, stride = 1;
  };
  std::optional<Conv> stem_, head_;
  std::string pool_ = "pool", flatten_ = "flatten", classifier_ = "classifier";
  struct Hidden {
    std::string name;
    int out = 0;
  };
  std::optional<Hidden> hidden_;  // a fully connected layer (ReLU) before the classifier
  // One option of a decision: the text written in the file, the values it
  // sets and which fields (a bit per field; a preset sets several).
  struct Choice {
    std::string yaml;
    Block values;
    unsigned mask = 0;
  };
  std::vector<std::pair<std::string, Choice>> presets_;
  std::vector<Layer> layers_;
  std::vector<Decision> decisions_;
  std::vector<int> decision_fields_;          // per decision
  std::vector<std::vector<Choice>> options_;  // per decision
};

// Zeng et al. §III-B, the search-space base networks (SSBNs) of the
// specified network `sn`: `sn` itself, then `sn` with one decision changed to
// each of its other choices, decision by decision: L * (N - 1) + 1 candidates
// for L decisions of N choices.
std::vector<std::vector<int>> ssbn(const NasSpace& space, const std::vector<int>& sn);

// The registered NAS spaces, picked by `network_space: {space: NAME}`. The
// files of configs/spaces/nas/ register under their `name`; a plugin may add
// spaces it builds in code.
using NasSpaceRegistry = Registry<NasSpace>;
NasSpaceRegistry& nas_spaces();
// Registers every NAS-space file (*.yaml) in `dir` under its `name`.
void register_nas_space_files(const std::string& dir);

}  // namespace coda::space
