// `coda dataset`: samples a joint space, simulates every sample (infeasible
// ones kept with their reason) and appends them to dataset shards; a killed
// run continues with --resume and ends with exactly the uninterrupted run's
// samples (models/cost/jobs.h).
#include <memory>

#include "apps/coda/commands.h"
#include "models/cost/jobs.h"

namespace coda::app {

void register_dataset_command(CLI::App& app) {
  auto a = std::make_shared<cost::DatasetJob>();
  auto* cmd =
      app.add_subcommand("dataset", "Simulate samples of a joint space into a cost-model dataset");
  cmd->add_option("--arch", a->arch, "accelerator family")->required();
  cmd->add_option("--space", a->space, "joint space YAML (NAS space x hardware space)")->required();
  cmd->add_option("--samples", a->samples, "number of samples")
      ->required()
      ->check(CLI::Range(1LL, 100000000LL));
  cmd->add_option("--out", a->out, "dataset directory (shards + schema.json)")->required();
  cmd->add_option("--workers", a->workers, "worker processes")->check(CLI::Range(1, 256));
  cmd->add_option("--seed", a->seed, "sampling seed")->capture_default_str();
  cmd->add_flag("--resume", a->resume, "continue an interrupted dataset in --out");
  cmd->callback([a] { cost::run_dataset_job(*a); });
}

}  // namespace coda::app
