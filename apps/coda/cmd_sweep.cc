// `coda sweep`: a hardware space for one network (search/sweep.h).
#include <memory>

#include "apps/coda/commands.h"
#include "search/sweep.h"

namespace coda::app {

void register_sweep_command(CLI::App& app) {
  auto a = std::make_shared<search::SweepJob>();
  auto* cmd = app.add_subcommand("sweep", "Sweep a hardware space for one network");
  cmd->add_option("--arch", a->arch, "accelerator family")->required();
  cmd->add_option("--space", a->space, "hardware space YAML")->required();
  cmd->add_option("--network", a->network, "zoo name[:key=value,...] or network .yaml")->required();
  cmd->add_option("--out", a->out, "results CSV (append-only)")->required();
  cmd->add_option("--samples", a->samples, "random points instead of the full grid (0 = grid)")
      ->check(CLI::Range(0LL, 1000000000LL));
  cmd->add_option("--workers", a->workers, "worker processes")->check(CLI::Range(1, 256));
  cmd->add_option("--seed", a->seed, "seed for --samples")->capture_default_str();
  cmd->add_flag("--resume", a->resume, "continue an interrupted sweep into the same --out");
  add_model_options(cmd, a->model);
  cmd->callback([a] { search::run_sweep(*a); });
}

}  // namespace coda::app
