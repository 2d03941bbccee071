// An experiment file (configs/experiments/*.yaml): what `coda search` and
// `coda run` do. Every field is checked against the lists below; paths are
// relative to the experiment file.
//
//   name: quickstart
//   arch: edge
//   flow: joint                 # joint | nas | has | phase | nested
//   network_space: {space: nahas_s1, input: 224}   # joint, nas, phase, nested
//   hardware_space: ../spaces/edge_hw.yaml         # joint, has, phase, nested
//   network: mobilenet_v2       # has: the network; phase/nested: the seed
//   hardware: ../hardware/edge/baseline.yaml      # nas: the fixed hardware
//   strategy: {name: reinforce, lr: 0.005}        # plus the strategy's options
//   objective: {latency_ms: 0.5, area_mm2: 12, kind: soft}
//   cost_model: mlp:model.pt    # mlp[:FILE] | simulator | analytical
//   accuracy: {evaluator: zero-cost, dataset: fashion-mnist, proxy: naswot}
//   budget: {evaluations: 300, batch: 8}   # phase: has/nas; nested: outer/inner
//   seed: 1
//   top_k: 5
//   workers: 1
//   plugins: [path/to/strategy.so]
//   cost_model_training: {space: ../spaces/edge_joint.yaml, samples: 20000,
//                         epochs: 20, workers: 2}  # `coda run` with mlp (no FILE)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugins/accuracy/accuracy.h"
#include "search/hw_space.h"
#include "search/nas_space.h"
#include "search/objective.h"

namespace coda::search {

struct Budget {
  long long evaluations = 100;
  long long has = 0, nas = 0;       // phase
  long long outer = 0, inner = 0;   // nested
  int batch = 8;
};

struct MlpTraining {
  bool enabled = false;
  std::string space;  // joint space for the dataset
  long long samples = 20000;
  int epochs = 20;
  int workers = 2;
};

struct Experiment {
  std::string file, name, arch, flow;
  std::optional<NasSpace> network_space;
  std::optional<HwSpace> hardware_space;
  std::string network;  // spec, when given
  std::optional<ParamSet> hardware;
  std::string strategy;
  nlohmann::json strategy_options = nlohmann::json::object();
  Objective objective;
  std::string cost_model;
  std::string accuracy_evaluator;
  accuracy::Options accuracy;
  Budget budget;
  unsigned long long seed = 1;
  int top_k = 5;
  int workers = 1;
  std::vector<std::string> plugins;
  MlpTraining training;
};

std::vector<std::string> flows();
Experiment load_experiment(const std::string& path);

}  // namespace coda::search
