// Each command group registers its CLI11 subcommands here; main() stays thin.
#pragma once

#include <CLI/CLI.hpp>

namespace coda::app {

void register_network_commands(CLI::App& app);

}  // namespace coda::app
