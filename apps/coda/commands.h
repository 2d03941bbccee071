// Each command group registers its CLI11 subcommands here; main() stays thin.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "core/params.h"
#include "sim/accelerator.h"

namespace coda::app {

void register_network_commands(CLI::App& app);
// Commands that can finish with a non-zero status (3: infeasible) set exit_code.
void register_simulate_command(CLI::App& app, int& exit_code);
void register_sweep_command(CLI::App& app);
void register_dataset_command(CLI::App& app);
void register_cost_commands(CLI::App& app);
void register_dpu_commands(CLI::App& app, int& exit_code);
void register_accuracy_command(CLI::App& app);
void register_search_commands(CLI::App& app);

// Which model a command runs: --model systemc|analytical and --scope
// network|conv_only (the latter for the fpga family only).
struct ModelChoice {
  std::string model = "systemc";
  std::string scope = "network";

  void add_options(CLI::App* cmd);
  // Throws InputError when the scope does not apply to `arch`.
  void check(const std::string& arch) const;
  sim::SimResult run(sim::Accelerator& acc, const network::Network& net, const ParamSet& hw,
                     bool trace = false) const;
};

// The hardware config of `acc`: its defaults, a YAML file over them when
// given (every field required), then --set overrides.
ParamSet load_hw(const sim::Accelerator& acc, const std::string& path,
                 const std::vector<std::string>& overrides);

}  // namespace coda::app
