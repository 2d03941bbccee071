// Each command group registers its CLI11 subcommands here; main() stays thin.
// A command parses its flags, calls one library function and prints.
#pragma once

#include <CLI/CLI.hpp>

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
void register_zoo_commands(CLI::App& app);

void register_extensions_command(CLI::App& app);

// --model systemc|analytical and --scope network|conv_only.
void add_model_options(CLI::App* cmd, sim::ModelChoice& choice);

}  // namespace coda::app
