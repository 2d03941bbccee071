// An experiment file (configs/experiments/*.yaml): what `coda search` and
// `coda run` do. Each section names an extension and carries the options it
// declares (core/options.h); unknown keys and names are errors with the
// file and line. Paths are relative to the experiment file.
//
//   name: quickstart
//   arch: edge                  # an accelerator family
//   flow: joint                 # a flow: joint | nas | has | phase | nested | ...
//   budget: {evaluations: 300, batch: 8}           # the flow's options
//   network_space: {space: nahas_s1, input: 224}  # or {file: my_space.yaml}
//   hardware_space: ../spaces/edge_hw.yaml
//   network: mobilenet_v2       # has: the network; phase/nested: the seed
//   hardware: ../hardware/edge/baseline.yaml      # nas: the fixed hardware
//   strategy: {name: reinforce, lr: 0.005}        # a strategy and its options
//   objective: {name: nahas, latency_ms: 0.5, area_mm2: 12, kind: soft}
//   cost_model: mlp:model.pt    # a cost model: mlp[:FILE] | mlp-layer[:FILE] | simulator | ...
//   # or, with simulation in the loop (search/verify.h):
//   # cost_model: {model: mlp-layer, verify: top, top_k: 5, fine_tune_every: 4}
//   cost_model_training: {space: ../spaces/edge_joint.yaml, samples: 20000}  # its options
//   accuracy: {evaluator: zero-cost, dataset: fashion-mnist, proxy: naswot}
//   seed: 1
//   top_k: 5
//   workers: 1
//   plugins: [path/to/extension.so]
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/options.h"
#include "core/params.h"
#include "core/yaml_util.h"
#include "models/space/hw_space.h"
#include "models/space/nas_space.h"

namespace coda::search {

class Flow;

struct Experiment {
  std::string file;
  std::string name, arch;
  std::string flow;
  Options budget;  // the flow's options
  std::optional<space::NasSpace> network_space;
  std::optional<space::HwSpace> hardware_space;
  std::string network;  // spec, when given
  std::optional<ParamSet> hardware;
  std::string strategy;
  Options strategy_options;
  std::string objective;
  Options objective_options;
  std::string cost_model;  // a spec
  Options cost_model_options;
  Options verify;  // verify_options() from the cost_model map
  std::string accuracy_evaluator;
  Options accuracy_options;
  unsigned long long seed = 1;
  int top_k = 5;
  int workers = 1;
  std::vector<std::string> plugins;
};

// The experiment's own top-level settings: name, seed, top_k, workers.
const OptionDecls& experiment_options();

// Loads the plugins it lists, then checks every name and option.
Experiment load_experiment(const std::string& path);
// The same from a parsed document (its nodes may come from `path` and name
// their lines there); paths in it are relative to `path`.
Experiment load_experiment(const YamlDoc& doc, const std::string& path);

// The loader's pieces, shared with other experiment files (coda profile):
// `section: NAME` or `section: {<name_key>: NAME, options...}` read against
// the options the named extension declares (`fallback` when no name is
// given; "" makes the name required)...
template <typename R>
std::pair<std::string, Options> load_named_section(const YamlDoc& doc, const std::string& section,
                                                   const std::string& name_key,
                                                   const std::string& fallback, const R& registry,
                                                   const std::string& owner);
// ...and `cost_model: SPEC` or `cost_model: {model: SPEC, <verify options>}`
// (default simulator) with its options from `cost_model_training:`, file
// arguments relative to the file...
std::pair<std::string, Options> load_cost_model_section(const YamlDoc& doc);
// ...and the verify options of the map form (defaults otherwise).
Options load_verify_section(const YamlDoc& doc);

}  // namespace coda::search
