// The `coda` command line: a thin layer over the libraries. Bad input is an
// InputError, reported on stderr with exit code 1 (DESIGN.md "Exit codes").
#include <CLI/CLI.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <iostream>
#include <new>

#include "apps/coda/commands.h"
#include "core/cluster.h"
#include "core/error.h"
#include "plugins/builtins.h"

int main(int argc, char** argv) {
  coda::cluster::init(&argc, &argv);
  struct Finalize {
    ~Finalize() { coda::cluster::finalize(); }
  } finalize;
  CLI::App app{"coda: co-design of neural networks and DNN accelerators"};
  app.set_version_flag("--version", std::string("coda ") + CODA_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  try {
    coda::register_builtins();
    coda::app::register_network_commands(app);
    coda::app::register_simulate_command(app, exit_code);
    coda::app::register_sweep_command(app);
    coda::app::register_dataset_command(app);
    coda::app::register_cost_commands(app);
    coda::app::register_dpu_commands(app, exit_code);
    coda::app::register_accuracy_command(app);
    coda::app::register_search_commands(app);
    coda::app::register_zoo_commands(app);
    coda::app::register_extensions_command(app);
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 1;
  } catch (const coda::InputError& e) {
    std::cerr << "coda: error: " << e.what() << "\n";
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    // An output or input path the OS refuses (--out is a file, a read-only
    // directory): the user's to fix, not a bug.
    std::cerr << "coda: error: " << e.path1().string() << ": " << e.code().message() << "\n";
    return 1;
  } catch (const YAML::Exception& e) {
    // A YAML value of the wrong shape that a reader converted without a
    // check of its own; yaml-cpp's message has the line and column.
    std::cerr << "coda: error: malformed input: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "coda: error: out of memory; the input asks for more than this machine has\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "coda: internal error: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}
